// One batch run: every image under a folder through a model version, streamed into a JSON Lines or CSV
// file. Bounded memory (a fixed number of images in flight, results written as they come), resumable
// (images already in the output are skipped) and cancellable (an AbortSignal stops it between images).
import path from 'node:path';
import { checkConcurrency, checkSource, predictStream, sourceItems, type DetectOptions, type Detector, type PredictionLine, type SourceItem } from '../predict/index.js';
import type { FileIdentity } from '../dataset/index.js';
import type { S3Store } from '../storage/index.js';
import { LineAppender, formatLine, readDoneImages, resolveFormat, type BatchFormat } from './output.js';

/** What answers each image (src/predict's Detector: a loaded Predictor, or anything with its `detect`). */
export type BatchDetector = Detector;

/** Counts of a batch so far. `total` is null until the source has been counted. */
export interface BatchProgress {
  total: number | null;
  /** Images answered in this run (labels or an error line). */
  processed: number;
  /** Images found already answered in the output and skipped. */
  skipped: number;
  /** Of `processed`, images that could not be read (an error line). */
  failed: number;
  /** Only for a batch on a queue (see runBatchOnQueue): its chunks, retries and cache hits. */
  queue?: QueueProgress;
}

/** Progress of a batch spread over queue workers. */
export interface QueueProgress {
  /** Chunks the remaining images make (null until the source is counted), added to the queue, and collected. */
  chunks: { total: number | null; queued: number; done: number };
  /** Chunk attempts beyond the first (a failure retried with backoff, or a dead worker's chunk taken over). */
  retries: number;
  /** Images answered from the result cache (same content, same version and options) instead of predicted. */
  cached: number;
}

export interface RunBatchOptions {
  /** A folder (walked recursively, hidden files skipped, sorted), one image file, or an s3:// prefix. */
  source: string;
  /** How to reach S3 for an s3:// source (e.g. `() => S3Store.fromEnv(home)`); without it such sources are refused. */
  s3?: () => S3Store;
  /** Result file; appended to when it exists. */
  output: string;
  /** Default: from the output's extension (.csv, else jsonl). */
  format?: BatchFormat;
  detect?: DetectOptions;
  /** Images in flight at once; default 4. */
  concurrency?: number;
  onProgress?: (progress: Readonly<BatchProgress>) => void;
  /** Aborting stops the run after the images in flight are written; runBatch then rejects with the signal's reason. */
  signal?: AbortSignal;
  /** A local source's identity when the server checked it under its import roots (it must be unchanged). */
  checked?: FileIdentity;
  /** How the results name an image (the server: relative to its import root); default: its path. */
  imageName?: (image: string) => string;
}

/** A line as the results show it: the image (and any mention of it in an error) under its shown name. */
export function presentLine(line: PredictionLine, imageName: ((image: string) => string) | undefined): PredictionLine {
  const shown = imageName ? imageName(line.Image) : line.Image;
  if (shown === line.Image) return line;
  if ('Error' in line) return { ...line, Image: shown, Error: { ...line.Error, Message: line.Error.Message.split(line.Image).join(shown) } };
  return { ...line, Image: shown };
}

export async function countImages(source: string, s3: (() => S3Store) | undefined, signal?: AbortSignal, checked?: FileIdentity): Promise<number> {
  let count = 0;
  for await (const _item of sourceItems(source, s3, { checked })) {
    count += 1;
    if (count % 1024 === 0) signal?.throwIfAborted();
  }
  return count;
}

/**
 * Runs a batch and resolves with the final counts. Each image's line is `{"Image", "CustomLabels"}` or
 * `{"Image", "Error": {"Code", "Message"}}` (CSV: see CSV_HEADER), `Image` being its absolute path.
 *
 * @example
 * const predictor = await Predictor.load(registry, home, parseVersionRef('shoes/v1'));
 * try { await runBatch(predictor, { source: 'photos', output: 'results.jsonl', onProgress: console.log }); } finally { await predictor.close(); }
 */
export async function runBatch(detector: Detector, options: RunBatchOptions): Promise<BatchProgress> {
  const source = checkSource(options.source);
  const output = path.resolve(options.output);
  const format = resolveFormat(output, options.format);
  const concurrency = checkConcurrency(options.concurrency);
  const { signal, onProgress } = options;
  const progress: BatchProgress = { total: null, processed: 0, skipped: 0, failed: 0 };
  const report = (): void => onProgress?.({ ...progress });

  const done = await readDoneImages(output, format);
  progress.total = await countImages(source, options.s3, signal, options.checked);
  report();
  const name = options.imageName ?? ((image: string) => image);

  // The images still to answer; an abort ends the list, and the loop still writes the images in flight.
  async function* pending(): AsyncGenerator<SourceItem> {
    for await (const item of sourceItems(source, options.s3, { checked: options.checked })) {
      if (done.delete(name(item.image))) {
        // Deleting as we go keeps the set shrinking; skipped images are reported in batches of lines.
        progress.skipped += 1;
        if (progress.skipped % 256 === 0) report();
        continue;
      }
      if (signal?.aborted) return;
      yield item;
    }
  }
  const appender = new LineAppender(output, format);
  const write = (line: PredictionLine): void => {
    appender.append(formatLine(presentLine(line, options.imageName), format));
    progress.processed += 1;
    if ('Error' in line) progress.failed += 1;
    report();
  };
  try {
    for await (const line of predictStream(detector, pending(), { detect: options.detect, concurrency })) write(line);
  } finally {
    appender.close();
  }
  signal?.throwIfAborted();
  report();
  return progress;
}
