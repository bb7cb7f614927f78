// Constant tensors of a TFLite model as float32: dequantised with per-tensor or per-channel scales
// (`(q - zero_point) * scale`), and moved from TFLite's channels-last layouts to ONNX's channels-first.
import { TfliteFormatError, type TfliteTensor } from './read.js';

function elementCount(shape: readonly number[]): number {
  return shape.reduce((product, d) => product * d, 1);
}

/** The raw element values of a constant tensor, as numbers (quantised integers stay integers). */
function rawValues(tensor: TfliteTensor): Float32Array | Float64Array {
  const { data, type } = tensor;
  if (!data) throw new TfliteFormatError(`tensor "${tensor.name}" has no constant data`);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const count = elementCount(tensor.shape);
  const width: Partial<Record<string, number>> = { float32: 4, float16: 2, int32: 4, uint8: 1, int8: 1, int64: 8, int16: 2 };
  const bytes = width[type];
  if (bytes === undefined) throw new TfliteFormatError(`tensor "${tensor.name}" has type ${type}, which skulens cannot read`);
  if (data.byteLength < count * bytes) throw new TfliteFormatError(`tensor "${tensor.name}" holds ${data.byteLength} bytes, ${count * bytes} expected`);
  const out = type === 'int64' ? new Float64Array(count) : new Float32Array(count);
  for (let k = 0; k < count; k++) {
    switch (type) {
      case 'float32': out[k] = view.getFloat32(k * 4, true); break;
      case 'float16': out[k] = halfToFloat(view.getUint16(k * 2, true)); break;
      case 'int32': out[k] = view.getInt32(k * 4, true); break;
      case 'uint8': out[k] = view.getUint8(k); break;
      case 'int8': out[k] = view.getInt8(k); break;
      case 'int16': out[k] = view.getInt16(k * 2, true); break;
      default: out[k] = Number(view.getBigInt64(k * 8, true));
    }
  }
  return out;
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 31) return fraction ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/** Integer contents of a constant tensor (shape vectors, axes). */
export function intValues(tensor: TfliteTensor): number[] {
  return Array.from(rawValues(tensor));
}

/**
 * A constant tensor as float32 real values. Quantised tensors use one scale, or one per slice along
 * `quantization.axis` when there are several (per-channel); float tensors are copied.
 */
export function dequantize(tensor: TfliteTensor): Float32Array {
  const raw = rawValues(tensor);
  const q = tensor.quantization;
  if (tensor.type === 'float32' || tensor.type === 'float16' || !q) return Float32Array.from(raw);
  const { scale, zeroPoint, axis } = q;
  if (scale.length === 1) {
    const s = scale[0]!;
    const zp = zeroPoint[0] ?? 0;
    return Float32Array.from(raw, (v) => (v - zp) * s);
  }
  const channels = tensor.shape[axis];
  if (channels !== scale.length) throw new TfliteFormatError(`tensor "${tensor.name}" has ${scale.length} scales for ${channels} channels on axis ${axis}`);
  // Elements after the quantised axis form the inner stride.
  const inner = elementCount(tensor.shape.slice(axis + 1));
  const out = new Float32Array(raw.length);
  for (let k = 0; k < raw.length; k++) {
    const c = Math.floor(k / inner) % channels;
    out[k] = (raw[k]! - (zeroPoint[c] ?? zeroPoint[0] ?? 0)) * scale[c]!;
  }
  return out;
}

/** Moves a 4-d array between layouts: `order[i]` is the source axis of destination axis i. */
export function transpose4(values: Float32Array, shape: readonly number[], order: readonly [number, number, number, number]): { values: Float32Array; shape: number[] } {
  const out = new Float32Array(values.length);
  const dst = order.map((axis) => shape[axis]!);
  const srcStrides = [shape[1]! * shape[2]! * shape[3]!, shape[2]! * shape[3]!, shape[3]!, 1];
  const s = order.map((axis) => srcStrides[axis]!);
  let k = 0;
  for (let a = 0; a < dst[0]!; a++)
    for (let b = 0; b < dst[1]!; b++)
      for (let c = 0; c < dst[2]!; c++)
        for (let d = 0; d < dst[3]!; d++) out[k++] = values[a * s[0]! + b * s[1]! + c * s[2]! + d * s[3]!]!;
  return { values: out, shape: dst };
}
