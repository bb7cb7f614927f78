// Reads what the engine wrote (head arrays, PyTorch's test embeddings and logits) and checks that the
// exported ONNX graph, as onnxruntime serves it, reproduces PyTorch within a tolerance.
import fs from 'node:fs/promises';
import { SkulensError } from '../errors.js';
import type { LogisticHead } from '../train/index.js';

/** The bar: served outputs equal PyTorch's within this, on every test image. */
export const EXPORT_TOLERANCE = 1e-4;

/** Reads a little-endian float32 file and checks its length. */
export async function readFloat32(file: string, expected: number): Promise<Float32Array> {
  const bytes = await fs.readFile(file);
  if (bytes.length !== expected * 4) {
    throw new SkulensError('ERR_FINETUNE_FAILED', { detail: `${file} has ${bytes.length} bytes, expected ${expected * 4}` });
  }
  const out = new Float32Array(expected);
  for (let k = 0; k < expected; k++) out[k] = bytes.readFloatLE(k * 4);
  return out;
}

/** The engine's `head.f32` (weights K x D row-major, then bias K) as a logistic head. */
export async function readHead(file: string, dim: number, numClasses: number): Promise<LogisticHead> {
  const values = await readFloat32(file, numClasses * dim + numClasses);
  return { kind: 'logistic', dim, numClasses, weights: values.slice(0, numClasses * dim), bias: values.slice(numClasses * dim) };
}

/** How far the served outputs are from PyTorch's. */
export interface ExportCheck {
  images: number;
  /** max |e_torch - |e_torch| * e_served|: the raw embedding, rebuilt from the L2-normalised one served. */
  embeddingMaxDiff: number;
  /** max |logits_torch - (W e_served + b)|. */
  logitMaxDiff: number;
  tolerance: number;
}

/**
 * Compares PyTorch's raw test embeddings and logits with the served (L2-normalised) embeddings.
 * Serving normalises every embedding, so the raw one is rebuilt with PyTorch's norm: a relative
 * error then shows at the raw scale the engine computed in.
 *
 * @throws SkulensError ERR_FINETUNE_EXPORT_MISMATCH when either difference exceeds the tolerance.
 */
export function checkExport(
  torchEmbeddings: Float32Array,
  torchLogits: Float32Array,
  served: readonly Float32Array[],
  head: LogisticHead,
  tolerance = EXPORT_TOLERANCE,
): ExportCheck {
  const { dim, numClasses } = head;
  let embeddingMaxDiff = 0;
  let logitMaxDiff = 0;
  served.forEach((vector, i) => {
    const raw = torchEmbeddings.subarray(i * dim, (i + 1) * dim);
    let norm = 0;
    for (const v of raw) norm += v * v;
    norm = Math.sqrt(norm);
    for (let j = 0; j < dim; j++) embeddingMaxDiff = Math.max(embeddingMaxDiff, Math.abs(raw[j]! - norm * vector[j]!));
    for (let c = 0; c < numClasses; c++) {
      let logit = head.bias[c]!;
      for (let j = 0; j < dim; j++) logit += head.weights[c * dim + j]! * vector[j]!;
      logitMaxDiff = Math.max(logitMaxDiff, Math.abs(logit - torchLogits[i * numClasses + c]!));
    }
  });
  const result = { images: served.length, embeddingMaxDiff, logitMaxDiff, tolerance };
  for (const [what, diff] of [['embeddings', embeddingMaxDiff], ['logits', logitMaxDiff]] as const) {
    if (!(diff <= tolerance)) throw new SkulensError('ERR_FINETUNE_EXPORT_MISMATCH', { diff: diff.toExponential(2), what, tolerance });
  }
  return result;
}
