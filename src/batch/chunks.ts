// What travels through the queue for batches: the job kind, each chunk's data (checked with zod when a
// worker takes it) and the names of the keys chunk results are kept under.
import { z } from 'zod';

/** The job kind of batch chunks on the skulens queue. */
export const BATCH_CHUNK_JOB = 'batch-chunk';

/** Images per chunk by default: big enough that queue overhead is small, small enough that a retry is cheap. */
export const DEFAULT_CHUNK_SIZE = 32;

export const BatchChunkSchema = z.object({
  batch: z.string().min(1),
  chunk: z.number().int().min(0),
  /** ARN of the version; the worker resolves it in its own home (a shared home, or one holding a copy). */
  version: z.string().min(1),
  /** Absolute paths (reachable from the worker) or s3:// URIs: what the results name. */
  images: z.array(z.string().min(1)).min(1),
  /** The real path of each local image as listed (a worker reads it only if it is still that file), beside `images`. */
  files: z.array(z.string().nullable()).optional(),
  detect: z.object({ minConfidence: z.number().min(0).max(100).optional(), maxResults: z.number().int().min(0).optional() }),
  /** Images in flight at once inside the chunk. */
  concurrency: z.number().int().min(1).max(256),
});
export type BatchChunk = z.infer<typeof BatchChunkSchema>;

/** Job id of chunk `chunk` of batch `batch`: the same chunk added twice is one job. */
export const chunkJobId = (batch: string, chunk: number): string => `batch:${batch}:${chunk}`;

/** Hash of finished chunks (field: chunk index), read and emptied by the batch's collector. */
export const batchResultsKey = (batch: string): string => `batch:${batch}:chunks`;
export const batchCancelKey = (batch: string): string => `batch:${batch}:cancel`;

/**
 * Results already computed, keyed by image content (sha256) within one version and one set of
 * detect options: a retried chunk or a second batch over the same photos predicts nothing twice.
 */
export const resultCacheKey = (version: string, detect: BatchChunk['detect']): string =>
  `results:${version}:${detect.minConfidence ?? '-'}:${detect.maxResults ?? '-'}`;
