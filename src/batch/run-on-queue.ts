// A batch spread over queue workers: this process walks the source, adds the remaining images to the
// queue in chunks (a bounded window of them at a time), and collects finished chunks in order into the
// output file, one whole line per image. The output, resume and cancel work as in runBatch; a chunk
// retried after a failure or a dead worker stores its lines under the same index, so it is written once.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { checkConcurrency, checkSource, sourceItems, type PredictionLine } from '../predict/index.js';
import { DEFAULT_RETRY, type JobQueue, type RetryPolicy } from '../queue/index.js';
import { SkulensError } from '../errors.js';
import { BATCH_CHUNK_JOB, DEFAULT_CHUNK_SIZE, batchCancelKey, batchResultsKey, chunkJobId, type BatchChunk } from './chunks.js';
import type { ChunkResult } from './chunk-worker.js';
import { LineAppender, formatLine, readDoneImages, resolveFormat } from './output.js';
import { countImages, presentLine, type BatchProgress, type RunBatchOptions } from './run-batch.js';

export interface QueueBatchOptions extends RunBatchOptions {
  /** ARN of the version; each worker resolves it in its own home. */
  version: string;
  /** Images per chunk (default 32). */
  chunkSize?: number;
  /** Chunks on the queue at once, bounding Redis memory whatever the source holds (default 64). */
  window?: number;
  retry?: RetryPolicy;
  /** Id of the batch on the queue (default: a new UUID). */
  batchId?: string;
  /** How often the collector looks for finished chunks (default 100 ms). */
  pollMs?: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs a batch on the queue and resolves with the final counts (with `queue` filled in).
 *
 * @example
 * const queue = await JobQueue.open('redis://127.0.0.1:6379');
 * await runBatchOnQueue(queue, { version: arn, source: '/shared/photos', output: 'results.jsonl' });
 * @throws SkulensError ERR_BATCH_CHUNK_FAILED when a chunk failed every attempt; the signal's reason when aborted.
 */
export async function runBatchOnQueue(queue: JobQueue, options: QueueBatchOptions): Promise<BatchProgress> {
  const source = checkSource(options.source);
  const output = path.resolve(options.output);
  const format = resolveFormat(output, options.format);
  const concurrency = checkConcurrency(options.concurrency);
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  const window = options.window ?? 64;
  const batch = options.batchId ?? randomUUID();
  const { signal, onProgress } = options;
  const store = queue.store;
  const progress: BatchProgress = { total: null, processed: 0, skipped: 0, failed: 0, queue: { chunks: { total: null, queued: 0, done: 0 }, retries: 0, cached: 0 } };
  const report = (): void => onProgress?.({ ...progress, queue: { ...progress.queue!, chunks: { ...progress.queue!.chunks } } });

  const done = await readDoneImages(output, format);
  progress.total = await countImages(source, options.s3, signal, options.checked);
  const name = options.imageName ?? ((image: string) => image);
  progress.queue!.chunks.total = Math.ceil(Math.max(0, progress.total - done.size) / chunkSize);
  report();

  const images = sourceItems(source, options.s3, { checked: options.checked });
  // The next chunk of images not yet in the output (with the real path of each local one), or null at the end.
  const nextChunk = async (): Promise<{ images: string[]; files: (string | null)[] } | null> => {
    const chunk: { images: string[]; files: (string | null)[] } = { images: [], files: [] };
    while (chunk.images.length < chunkSize) {
      const item = await images.next();
      if (item.done) break;
      if (done.delete(name(item.value.image))) {
        progress.skipped += 1;
        continue;
      }
      chunk.images.push(item.value.image);
      chunk.files.push(item.value.file ?? null);
    }
    return chunk.images.length > 0 ? chunk : null;
  };

  const outstanding: { index: number; size: number }[] = [];
  let added = 0;
  let exhausted = false;
  const appender = new LineAppender(output, format);
  const write = (lines: readonly PredictionLine[]): void => {
    appender.append(lines.map((line) => formatLine(presentLine(line, options.imageName), format)).join(''));
    progress.processed += lines.length;
    progress.failed += lines.filter((line) => 'Error' in line).length;
  };
  let polls = 0;
  try {
    for (;;) {
      if (signal?.aborted) break;
      while (!exhausted && outstanding.length < window) {
        const next = await nextChunk();
        if (!next) {
          exhausted = true;
          break;
        }
        const data: BatchChunk = { batch, chunk: added, version: options.version, images: next.images, files: next.files, detect: options.detect ?? {}, concurrency };
        await queue.add(BATCH_CHUNK_JOB, chunkJobId(batch, added), data, options.retry ?? DEFAULT_RETRY);
        outstanding.push({ index: added, size: next.images.length });
        added += 1;
        progress.queue!.chunks.queued = added;
        report();
      }
      const head = outstanding[0];
      if (!head) break;
      const raw = await store.hashGet(batchResultsKey(batch), String(head.index));
      if (raw !== null) {
        const result = JSON.parse(raw) as ChunkResult;
        write(result.lines);
        await store.hashDelete(batchResultsKey(batch), String(head.index));
        progress.queue!.chunks.done += 1;
        progress.queue!.retries += result.attempt - 1;
        progress.queue!.cached += result.cached;
        outstanding.shift();
        report();
        continue;
      }
      // No result yet: a chunk that failed every attempt fails the batch (checked every few polls).
      if (polls++ % 5 === 0 && (await queue.state(chunkJobId(batch, head.index))) === 'failed') {
        const failure = await queue.failure(chunkJobId(batch, head.index));
        throw new SkulensError('ERR_BATCH_CHUNK_FAILED', { batch, chunk: head.index, attempts: failure?.attempts ?? '?', detail: failure?.reason ?? 'unknown' });
      }
      await sleep(options.pollMs ?? 100);
    }
  } finally {
    appender.close();
    await images.return(undefined);
    try {
      if (signal?.aborted || outstanding.length > 0) {
        // Stopped (or failed): workers drop the batch's chunks they still hold, and nothing more is queued.
        await store.set(batchCancelKey(batch), '1');
        for (const { index } of outstanding) await queue.remove(chunkJobId(batch, index));
      }
      await store.delete(batchResultsKey(batch));
    } catch {
      // Redis gone: the original outcome matters more than the tidy-up (keys are per batch id).
    }
  }
  signal?.throwIfAborted();
  report();
  return progress;
}
