// The one prediction loop: images from a source go through a detector with a bounded number in flight,
// and come out in input order as one line each. `skulens predict` and batch runs both use it.
import type { EmbedInput } from '../backbone/index.js';
import { SkulensError, reasonOf } from '../errors.js';
import type { DecidedLabel } from '../evaluate/index.js';
import type { DetectOptions, Prediction } from './predictor.js';
import type { SourceItem } from './source.js';

/** One image's answer: its labels, or for an image that cannot be read, the error. */
export type PredictionLine =
  | { Image: string; CustomLabels: DecidedLabel[]; ComposedLabel?: DecidedLabel }
  | { Image: string; Error: { Code: string; Message: string } };

/** What answers each image: a loaded Predictor, or anything with its `detect`. */
export interface Detector {
  detect(input: EmbedInput, options?: DetectOptions): Promise<Prediction>;
}

export interface PredictStreamOptions {
  detect?: DetectOptions;
  /** Images in flight at once (1-256); default 4. */
  concurrency?: number;
}

/** Default and bounds of the images in flight. */
export const CONCURRENCY = Object.freeze({ default: 4, min: 1, max: 256 });

/** The images in flight a caller asked for, or the default. @throws SkulensError ERR_ARGUMENT_INVALID outside 1-256. */
export function checkConcurrency(concurrency: number = CONCURRENCY.default): number {
  if (!Number.isInteger(concurrency) || concurrency < CONCURRENCY.min || concurrency > CONCURRENCY.max) {
    throw new SkulensError('ERR_ARGUMENT_INVALID', { field: 'concurrency', detail: `${concurrency}; use ${CONCURRENCY.min}-${CONCURRENCY.max}` });
  }
  return concurrency;
}

/**
 * Predicts each item and yields its line in input order. Memory stays bounded: at most `concurrency`
 * images are in flight. When `items` ends (or stops early), the images in flight are still yielded.
 *
 * @example
 * for await (const line of predictStream(predictor, sourceItems('photos'))) console.log(JSON.stringify(line));
 */
export async function* predictStream(detector: Detector, items: AsyncIterable<SourceItem>, options: PredictStreamOptions = {}): AsyncGenerator<PredictionLine> {
  const concurrency = checkConcurrency(options.concurrency);
  const one = async (item: SourceItem): Promise<PredictionLine> => {
    try {
      const { CustomLabels, ComposedLabel } = await detector.detect(await item.load(), options.detect);
      return { Image: item.image, CustomLabels, ...(ComposedLabel ? { ComposedLabel } : {}) };
    } catch (error) {
      return { Image: item.image, Error: { Code: error instanceof SkulensError ? error.code : 'ERR_IMAGE_UNREADABLE', Message: reasonOf(error) } };
    }
  };
  const inFlight: Promise<PredictionLine>[] = [];
  try {
    for await (const item of items) {
      inFlight.push(one(item));
      if (inFlight.length >= concurrency) yield await inFlight.shift()!;
    }
    while (inFlight.length > 0) yield await inFlight.shift()!;
  } finally {
    // A consumer that stops early (its output failed, a full disk) must not close the detector under
    // predictions still running on its worker threads: they settle first.
    await Promise.allSettled(inFlight);
  }
}
