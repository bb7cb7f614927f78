// What travels through the queue for embedding: the job kind, each chunk's data (checked with zod when
// a worker takes it) and the key chunk results are kept under. The worker side lives in src/batch.
import { z } from 'zod';

export const EMBED_CHUNK_JOB = 'embed-chunk';

export const EmbedChunkSchema = z.object({
  run: z.string().min(1),
  chunk: z.number().int().min(0),
  /** Backbone id, looked up in the worker's models folder. */
  backbone: z.string().min(1),
  items: z
    .array(
      z.object({
        sha256: z.string().regex(/^[0-9a-f]{64}$/),
        path: z.string().min(1),
        view: z.object({ key: z.string(), ops: z.array(z.any()) }).optional(),
      }),
    )
    .min(1),
});
export type EmbedChunk = z.infer<typeof EmbedChunkSchema>;

export const embedJobId = (run: string, chunk: number): string => `embed:${run}:${chunk}`;
export const embedResultsKey = (run: string): string => `embed:${run}:chunks`;
