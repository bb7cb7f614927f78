// Turns an image (file or bytes) into the float input tensor a backbone expects: EXIF rotation,
// resize (squash, or shorter side + centre crop), 3 RGB channels, scaling and layout.
import sharp from 'sharp';
import { applyView, type AugmentView } from '../augment/index.js';
import { SkulensError } from '../errors.js';
import type { BackboneSpec } from './spec.js';

/** An image to embed: a file path or its bytes (give one). `name` is only used in error messages. */
export interface EmbedInput {
  path?: string;
  bytes?: Uint8Array;
  name?: string;
  /** An augmented view, applied to the decoded, upright image before the resize (training augmentation, TTA). */
  view?: AugmentView;
}

/** Input tensor ready for a runtime: data in the backbone's layout and its dims (batch of 1). */
export interface InputTensor {
  data: Float32Array;
  dims: [number, number, number, number];
}

/** How an input is named in errors. */
export function inputName(input: EmbedInput): string {
  return input.path ?? input.name ?? '<image bytes>';
}

/** Decodes and resizes to `size x size` RGB bytes (HWC, 3 channels). Transparent pixels are put on white. */
export async function decodeRgb(input: EmbedInput, spec: BackboneSpec['input']): Promise<Uint8Array> {
  const source = input.bytes ?? input.path;
  if (source === undefined) throw new SkulensError('ERR_ARGUMENT_INVALID', { field: 'input', detail: 'give a path or bytes' });
  const { size } = spec;
  try {
    let image = sharp(source, { failOn: 'error' }).rotate();
    if (input.view) {
      const { data, info } = await image.flatten({ background: '#ffffff' }).toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
      const upright = { data: toRgb(data, info.channels, info.width * info.height), width: info.width, height: info.height };
      const viewed = await applyView(upright, input.view);
      image = sharp(viewed.data, { raw: { width: viewed.width, height: viewed.height, channels: 3 } });
    }
    if (spec.resize === 'squash') {
      image = image.resize(size, size, { fit: 'fill' });
    } else {
      const side = spec.shorterSide ?? size;
      const offset = Math.floor((side - size) / 2);
      // fit 'cover' to side x side is "shorter side to `side`, centre crop"; then the centre size x size.
      image = image.resize(side, side, { fit: 'cover' });
      if (side !== size) image = image.extract({ left: offset, top: offset, width: size, height: size });
    }
    const { data, info } = await image.flatten({ background: '#ffffff' }).toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    return toRgb(data, info.channels, size * size);
  } catch (error) {
    throw new SkulensError('ERR_IMAGE_UNREADABLE', { file: inputName(input), detail: error instanceof Error ? error.message : String(error) }, { cause: error });
  }
}

/** Pixels with 1-4 channels as 3-channel RGB (grey is repeated, a 4th channel dropped). */
function toRgb(data: Uint8Array, channels: number, pixels: number): Uint8Array {
  if (channels === 3) return data;
  const rgb = new Uint8Array(pixels * 3);
  for (let i = 0, o = 0; o < rgb.length; i += channels, o += 3) {
    rgb[o] = data[i]!;
    rgb[o + 1] = data[channels >= 3 ? i + 1 : i]!;
    rgb[o + 2] = data[channels >= 3 ? i + 2 : i]!;
  }
  return rgb;
}

/** Scales HWC RGB bytes and lays them out as the backbone's input tensor. */
export function toTensor(rgb: Uint8Array, spec: BackboneSpec['input']): InputTensor {
  const { size, scale, layout } = spec;
  const plane = size * size;
  const data = new Float32Array(plane * 3);
  const mean = scale === 'raw255' ? [0, 0, 0] : scale.mean;
  const inv = scale === 'raw255' ? [1, 1, 1] : scale.std.map((s) => 1 / s);
  for (let c = 0; c < 3; c += 1) {
    const m = mean[c]!;
    const k = inv[c]!;
    if (layout === 'nhwc') {
      for (let p = 0; p < plane; p += 1) data[p * 3 + c] = (rgb[p * 3 + c]! - m) * k;
    } else {
      const base = c * plane;
      for (let p = 0; p < plane; p += 1) data[base + p] = (rgb[p * 3 + c]! - m) * k;
    }
  }
  return { data, dims: layout === 'nhwc' ? [1, size, size, 3] : [1, 3, size, size] };
}

/**
 * Image to input tensor, in one step.
 *
 * @example
 * const { data, dims } = await preprocess({ path: 'shoe.jpg' }, spec.input); // dims [1, 3, 224, 224]
 * @throws SkulensError ERR_IMAGE_UNREADABLE naming the file.
 */
export async function preprocess(input: EmbedInput, spec: BackboneSpec['input']): Promise<InputTensor> {
  return toTensor(await decodeRgb(input, spec), spec);
}
