// Training batches for fine-tuning, augmented in TypeScript from decoded canvases (S x S x 3 bytes, the
// serving resize before its centre crop): a random resized crop (area and aspect drawn as torchvision's
// RandomResizedCrop does, scaled by `strength`), bilinear resampling to the input side, a left-right flip
// with probability 1/2, colour jitter (brightness, contrast, saturation) and, with probability `erase`, one
// rectangle set to the mean colour. Values are written normalised, (pixel - mean) / std, into the batch
// layout the training step reads: one image of 3 * batch channels, channel c * batch + k = photo k's c.

/** Decoded canvases: `count` images of side x side x 3 bytes (HWC). */
export interface Canvases {
  data: Uint8Array;
  count: number;
  side: number;
}

export interface CropSettings {
  /** The network's input side (the centre crop of the canvas is what serving sees). */
  size: number;
  mean: readonly [number, number, number];
  std: readonly [number, number, number];
  /** 0 = none, 1 = the recipe's full strength. */
  strength: number;
  /** Probability of random erasing per photo. */
  erase: number;
}

/** A crop box in canvas pixels. */
interface Box {
  top: number;
  left: number;
  height: number;
  width: number;
}

function cropBox(side: number, strength: number, random: () => number): Box {
  const lowArea = 1 - 0.5 * strength;
  for (let attempt = 0; attempt < 10; attempt++) {
    const area = side * side * (lowArea + (1 - lowArea) * random());
    const ratio = Math.exp((Math.log(3 / 4) + (Math.log(4 / 3) - Math.log(3 / 4)) * random()) * strength);
    const width = Math.round(Math.sqrt(area * ratio));
    const height = Math.round(Math.sqrt(area / ratio));
    if (width > 0 && width <= side && height > 0 && height <= side) {
      return { top: Math.floor(random() * (side - height + 1)), left: Math.floor(random() * (side - width + 1)), height, width };
    }
  }
  return { top: 0, left: 0, height: side, width: side };
}

/** Bilinear sample of `box` resized to size x size (pixel centres aligned), into `out` as RGB floats 0..255, optionally mirrored. */
function resample(c: Canvases, index: number, box: Box, size: number, flip: boolean, out: Float32Array): void {
  const { side } = c;
  const base = index * side * side * 3;
  const sy = box.height / size;
  const sx = box.width / size;
  for (let y = 0; y < size; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), box.height - 1) + box.top;
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, side - 1);
    const wy = fy - y0;
    for (let x = 0; x < size; x++) {
      const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), box.width - 1) + box.left;
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, side - 1);
      const wx = fx - x0;
      const o = (y * size + (flip ? size - 1 - x : x)) * 3;
      for (let ch = 0; ch < 3; ch++) {
        const a = c.data[base + (y0 * side + x0) * 3 + ch]!;
        const b = c.data[base + (y0 * side + x1) * 3 + ch]!;
        const d = c.data[base + (y1 * side + x0) * 3 + ch]!;
        const e = c.data[base + (y1 * side + x1) * 3 + ch]!;
        out[o + ch] = (a * (1 - wx) + b * wx) * (1 - wy) + (d * (1 - wx) + e * wx) * wy;
      }
    }
  }
}

/** Brightness, contrast (around the grey mean) and saturation (around each pixel's grey), factors 1 +- amount. */
function jitter(rgb: Float32Array, amount: number, random: () => number): void {
  if (amount <= 0) return;
  const [b, c, s] = [0, 1, 2].map(() => 1 + amount * (2 * random() - 1)) as [number, number, number];
  const n = rgb.length / 3;
  let mean = 0;
  for (let p = 0; p < n; p++) mean += (0.299 * rgb[p * 3]! + 0.587 * rgb[p * 3 + 1]! + 0.114 * rgb[p * 3 + 2]!) * b;
  mean /= n;
  for (let p = 0; p < n; p++) {
    const r = (rgb[p * 3]! * b - mean) * c + mean;
    const g = (rgb[p * 3 + 1]! * b - mean) * c + mean;
    const bl = (rgb[p * 3 + 2]! * b - mean) * c + mean;
    const grey = 0.299 * r + 0.587 * g + 0.114 * bl;
    rgb[p * 3] = Math.min(255, Math.max(0, (r - grey) * s + grey));
    rgb[p * 3 + 1] = Math.min(255, Math.max(0, (g - grey) * s + grey));
    rgb[p * 3 + 2] = Math.min(255, Math.max(0, (bl - grey) * s + grey));
  }
}

/** Writes one RGB float image into slot k of a batch of `batch` (3 * batch channels), normalised; `erase` a box set to the mean colour. */
function place(rgb: Float32Array, size: number, settings: CropSettings, batch: number, k: number, out: Float32Array, erase?: Box): void {
  const plane = size * size;
  for (let ch = 0; ch < 3; ch++) {
    const offset = (ch * batch + k) * plane;
    const m = settings.mean[ch]!;
    const inv = 1 / settings.std[ch]!;
    for (let p = 0; p < plane; p++) out[offset + p] = (rgb[p * 3 + ch]! - m) * inv;
    if (!erase) continue;
    for (let y = erase.top; y < erase.top + erase.height; y++) out.fill(0, offset + y * size + erase.left, offset + y * size + erase.left + erase.width);
  }
}

function eraseBox(size: number, random: () => number): Box {
  const area = size * size * (0.02 + 0.18 * random());
  const ratio = Math.exp(Math.log(0.3) + (Math.log(1 / 0.3) - Math.log(0.3)) * random());
  const height = Math.min(size, Math.round(Math.sqrt(area / ratio)));
  const width = Math.min(size, Math.round(Math.sqrt(area * ratio)));
  return { top: Math.floor(random() * (size - height + 1)), left: Math.floor(random() * (size - width + 1)), height, width };
}

/** Augmented training images of canvases `index` into `out` (slots past index.length are zero). */
export function trainingBatch(c: Canvases, index: readonly number[], batch: number, settings: CropSettings, random: () => number, out: Float32Array): void {
  const { size } = settings;
  const rgb = new Float32Array(size * size * 3);
  if (index.length < batch) out.fill(0);
  index.forEach((i, k) => {
    const box = cropBox(c.side, settings.strength, random);
    resample(c, i, box, size, random() < 0.5, rgb);
    jitter(rgb, 0.2 * settings.strength, random);
    const erase = settings.erase > 0 && random() < settings.erase ? eraseBox(size, random) : undefined;
    place(rgb, size, settings, batch, k, out, erase);
  });
}

/** The centre crop of canvases `index` (the pixels serving sees) into `out`, mirrored when `flip`. */
export function centreBatch(c: Canvases, index: readonly number[], batch: number, settings: Pick<CropSettings, 'size' | 'mean' | 'std'>, out: Float32Array, flip = false): void {
  const { size } = settings;
  const offset = Math.floor((c.side - size) / 2);
  const rgb = new Float32Array(size * size * 3);
  if (index.length < batch) out.fill(0);
  index.forEach((i, k) => {
    resample(c, i, { top: offset, left: offset, height: size, width: size }, size, flip, rgb);
    place(rgb, size, { ...settings, strength: 0, erase: 0 }, batch, k, out);
  });
}
