// Embedding fanned out over queue workers: a training run hands the images it needs embedded to the
// queue in chunks; each worker writes the vectors into its embedding cache (the shared home's cache,
// or its own that the run's home shares). The run then reads them from the cache as if it had embedded
// them itself. Re-adding the same images is harmless: cached vectors are not embedded again.
import { randomUUID } from 'node:crypto';
import { SkulensError } from '../errors.js';
import { EMBED_CHUNK_JOB, embedJobId, embedResultsKey, type EmbedChunk } from './embed-chunks.js';
import { DEFAULT_RETRY, type JobQueue, type RetryPolicy } from './job-queue.js';

export interface EmbedOnWorkersOptions {
  /** Backbone id, as in the workers' models folder. */
  backbone: string;
  items: EmbedChunk['items'];
  /** Images per chunk (default 32). */
  chunkSize?: number;
  retry?: RetryPolicy;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
  pollMs?: number;
}

export interface EmbedOnWorkersResult {
  /** Vectors now in the cache (embedded or found there). */
  embedded: number;
  /** Images the workers could not read (left out, as embedWithCache's onError does). */
  unreadable: string[];
  chunks: number;
  retries: number;
}

/**
 * Embeds `items` on the queue's workers into their embedding cache and resolves when every chunk is in.
 *
 * @example
 * const queue = await JobQueue.open(redisUrl);
 * await embedOnWorkers(queue, { backbone: spec.id, items }); // then embedWithCache(...) finds them all cached
 * @throws SkulensError ERR_BATCH_CHUNK_FAILED when a chunk failed every attempt; the signal's reason when aborted.
 */
export async function embedOnWorkers(queue: JobQueue, options: EmbedOnWorkersOptions): Promise<EmbedOnWorkersResult> {
  const run = randomUUID();
  const size = options.chunkSize ?? 32;
  const pending = new Set<number>();
  for (let start = 0, chunk = 0; start < options.items.length; start += size, chunk++) {
    const data: EmbedChunk = { run, chunk, backbone: options.backbone, items: options.items.slice(start, start + size) };
    await queue.add(EMBED_CHUNK_JOB, embedJobId(run, chunk), data, options.retry ?? DEFAULT_RETRY);
    pending.add(chunk);
  }
  const chunks = pending.size;
  const result: EmbedOnWorkersResult = { embedded: 0, unreadable: [], chunks, retries: 0 };
  const store = queue.store;
  try {
    while (pending.size > 0) {
      options.signal?.throwIfAborted();
      const ids = [...pending];
      const raws = await store.hashGetMany(embedResultsKey(run), ids.map(String));
      for (let k = 0; k < ids.length; k++) {
        const raw = raws[k];
        if (raw === null || raw === undefined) continue;
        const chunk = JSON.parse(raw) as { embedded: number; unreadable: string[]; attempt: number };
        result.embedded += chunk.embedded;
        result.unreadable.push(...chunk.unreadable);
        result.retries += chunk.attempt - 1;
        pending.delete(ids[k]!);
      }
      options.onProgress?.(chunks - pending.size, chunks);
      if (pending.size === 0) break;
      const first = Math.min(...pending);
      if ((await queue.state(embedJobId(run, first))) === 'failed') {
        const failure = await queue.failure(embedJobId(run, first));
        throw new SkulensError('ERR_BATCH_CHUNK_FAILED', { batch: `embedding ${run}`, chunk: first, attempts: failure?.attempts ?? '?', detail: failure?.reason ?? 'unknown' });
      }
      await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 200));
    }
  } finally {
    if (pending.size > 0) for (const chunk of pending) await queue.remove(embedJobId(run, chunk)).catch(() => undefined);
    await store.delete(embedResultsKey(run)).catch(() => undefined);
  }
  return result;
}
