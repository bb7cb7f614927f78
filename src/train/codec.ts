// Binary form of a trained head, stored as a model version's artefact: a 24-byte little-endian header
// then float32 arrays. Layout (version 1):
//   0  magic "SKHD"   4  u16 format version   6  u8 kind (0 logistic, 1 mlp)   7  u8 reserved (0)
//   8  u32 dim        12 u32 numClasses       16 u32 hidden (0 for logistic)   20 u32 float count
//   24 float32 x count: logistic weights, bias; mlp w1, b1, w2, b2

import { SkulensError } from '../errors.js';
import type { Head } from './types.js';

const MAGIC = [0x53, 0x4b, 0x48, 0x44]; // "SKHD"
const FORMAT_VERSION = 1;
const HEADER_BYTES = 24;
/** Caps that keep a corrupt header from asking for gigabytes. */
const MAX_DIM = 1 << 16;
const MAX_CLASSES = 1 << 16;
const MAX_HIDDEN = 1 << 14;

function shapeOf(kind: Head['kind'], dim: number, numClasses: number, hidden: number): number[] {
  return kind === 'logistic' ? [numClasses * dim, numClasses] : [hidden * dim, hidden, numClasses * hidden, numClasses];
}

function arraysOf(head: Head): Float32Array[] {
  return head.kind === 'logistic' ? [head.weights, head.bias] : [head.w1, head.b1, head.w2, head.b2];
}

/**
 * Serialises a head to compact bytes (same head, same bytes).
 *
 * @example
 * const back = decodeHead(encodeHead(head)); // deep-equal to head
 */
export function encodeHead(head: Head): Uint8Array {
  const arrays = arraysOf(head);
  const sizes = shapeOf(head.kind, head.dim, head.numClasses, head.kind === 'mlp' ? head.hidden : 0);
  if (arrays.some((array, k) => array.length !== sizes[k])) {
    throw new SkulensError('ERR_ARGUMENT_INVALID', { field: 'head', detail: `array lengths ${arrays.map((a) => a.length).join(', ')} do not match its shape` });
  }
  const count = arrays.reduce((total, array) => total + array.length, 0);
  const bytes = new Uint8Array(HEADER_BYTES + 4 * count);
  const view = new DataView(bytes.buffer);
  bytes.set(MAGIC, 0);
  view.setUint16(4, FORMAT_VERSION, true);
  view.setUint8(6, head.kind === 'logistic' ? 0 : 1);
  view.setUint32(8, head.dim, true);
  view.setUint32(12, head.numClasses, true);
  view.setUint32(16, head.kind === 'mlp' ? head.hidden : 0, true);
  view.setUint32(20, count, true);
  let offset = HEADER_BYTES;
  for (const array of arrays) {
    for (let k = 0; k < array.length; k++, offset += 4) view.setFloat32(offset, array[k]!, true);
  }
  return bytes;
}

function corrupt(detail: string): SkulensError {
  return new SkulensError('ERR_ARTEFACT_CORRUPT', { path: 'head', detail });
}

/** Parses bytes from {@link encodeHead}, checking magic, version, sizes and that every number is finite. */
export function decodeHead(bytes: Uint8Array): Head {
  if (bytes.length < HEADER_BYTES) throw corrupt(`${bytes.length} bytes is shorter than the ${HEADER_BYTES}-byte header`);
  if (MAGIC.some((byte, k) => bytes[k] !== byte)) throw corrupt('missing the SKHD signature');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint16(4, true);
  if (version !== FORMAT_VERSION) throw corrupt(`format version ${version}; this skulens reads version ${FORMAT_VERSION}`);
  const kindCode = view.getUint8(6);
  if (kindCode > 1 || view.getUint8(7) !== 0) throw corrupt(`unknown head kind ${kindCode}`);
  const dim = view.getUint32(8, true);
  const numClasses = view.getUint32(12, true);
  const hidden = view.getUint32(16, true);
  const count = view.getUint32(20, true);
  if (dim < 1 || dim > MAX_DIM) throw corrupt(`dim ${dim} is out of range`);
  if (numClasses < 2 || numClasses > MAX_CLASSES) throw corrupt(`numClasses ${numClasses} is out of range`);
  const logistic = kindCode === 0;
  if (logistic ? hidden !== 0 : hidden < 1 || hidden > MAX_HIDDEN) throw corrupt(`hidden ${hidden} does not fit the head kind`);
  const sizes = shapeOf(logistic ? 'logistic' : 'mlp', dim, numClasses, hidden);
  const expected = sizes.reduce((total, size) => total + size, 0);
  if (count !== expected) throw corrupt(`header says ${count} numbers, the shape needs ${expected}`);
  if (bytes.length !== HEADER_BYTES + 4 * count) throw corrupt(`${bytes.length} bytes, expected ${HEADER_BYTES + 4 * count}`);

  let offset = HEADER_BYTES;
  const arrays = sizes.map((size) => {
    const array = new Float32Array(size);
    for (let k = 0; k < size; k++, offset += 4) {
      const value = view.getFloat32(offset, true);
      if (!Number.isFinite(value)) throw corrupt(`non-finite number at byte ${offset}`);
      array[k] = value;
    }
    return array;
  });
  if (logistic) return { kind: 'logistic', dim, numClasses, weights: arrays[0]!, bias: arrays[1]! };
  return { kind: 'mlp', dim, hidden, numClasses, w1: arrays[0]!, b1: arrays[1]!, w2: arrays[2]!, b2: arrays[3]! };
}
