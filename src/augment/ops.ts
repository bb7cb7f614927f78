// The augmentation operators: each turns an RGB image (3 channels, 8 bits) into a changed one with
// sharp. Ops carry concrete parameters (drawn earlier by views.ts), so applying one is deterministic
// and a view can be posted to a worker thread and named in a cache key.
import sharp from 'sharp';

/** Decoded RGB pixels, HWC, 3 channels. */
export interface RawRgb {
  data: Uint8Array;
  width: number;
  height: number;
}

/** One concrete operation. Crop boxes are fractions of the image, so a view suits any image size. */
export type AugmentOp =
  | { op: 'crop'; left: number; top: number; width: number; height: number }
  | { op: 'flip' }
  | { op: 'rotate'; degrees: number }
  | { op: 'brightness'; factor: number }
  | { op: 'contrast'; factor: number }
  | { op: 'saturation'; factor: number }
  | { op: 'hue'; degrees: number };

/** A list of operations applied in order; `key` names it in the embedding cache. */
export interface AugmentView {
  key: string;
  ops: AugmentOp[];
}

type Pipeline = ReturnType<typeof sharp>;

const WHITE = { r: 255, g: 255, b: 255 };

function input(image: RawRgb): Pipeline {
  return sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } });
}

async function output(pipeline: Pipeline): Promise<RawRgb> {
  const { data, info } = await pipeline.removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height };
}

const clampUnit = (x: number): number => Math.min(1, Math.max(0, x));

/** Applies one operation. */
export async function applyOp(image: RawRgb, op: AugmentOp): Promise<RawRgb> {
  switch (op.op) {
    case 'crop': {
      const left = Math.min(image.width - 1, Math.round(clampUnit(op.left) * image.width));
      const top = Math.min(image.height - 1, Math.round(clampUnit(op.top) * image.height));
      const width = Math.max(1, Math.min(image.width - left, Math.round(clampUnit(op.width) * image.width)));
      const height = Math.max(1, Math.min(image.height - top, Math.round(clampUnit(op.height) * image.height)));
      return output(input(image).extract({ left, top, width, height }));
    }
    case 'flip':
      return output(input(image).flop());
    case 'rotate': {
      // sharp grows the canvas to the rotated bounding box; cut the centre back to the original size
      // so the object keeps its scale and the corners fill with white, like a studio background.
      const rotated = await output(input(image).rotate(op.degrees, { background: WHITE }));
      const left = Math.max(0, Math.floor((rotated.width - image.width) / 2));
      const top = Math.max(0, Math.floor((rotated.height - image.height) / 2));
      return output(input(rotated).extract({ left, top, width: Math.min(image.width, rotated.width), height: Math.min(image.height, rotated.height) }));
    }
    case 'brightness':
      return output(input(image).linear(op.factor, 0));
    case 'contrast':
      // Scales distances from mid-grey: factor < 1 flattens, > 1 stretches.
      return output(input(image).linear(op.factor, 128 * (1 - op.factor)));
    case 'saturation':
      return output(input(image).modulate({ saturation: op.factor }));
    case 'hue':
      return output(input(image).modulate({ hue: Math.round(op.degrees) }));
  }
}

/** Applies every operation of a view, in order. */
export async function applyView(image: RawRgb, view: AugmentView): Promise<RawRgb> {
  let current = image;
  for (const op of view.ops) current = await applyOp(current, op);
  return current;
}
