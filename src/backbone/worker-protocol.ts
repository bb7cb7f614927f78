// Messages between the embedding pool (main thread) and its workers. Id -1 is the start-up report.
import type { ErrorCode } from '../errors.js';
import type { EmbedInput } from './preprocess.js';
import type { BackboneSpec } from './spec.js';

/** workerData of an embedding worker. */
export interface WorkerSetup {
  spec: BackboneSpec;
  weightFiles: string[];
}

/** One image to embed. */
export interface WorkerRequest {
  id: number;
  input: EmbedInput;
}

/** The answer to one request (or, with id -1, to start-up). */
export type WorkerReply =
  | { id: number; ok: true; vector: Float32Array }
  | { id: number; ok: false; code: ErrorCode; details: Record<string, unknown> };
