// Predicts every image of a file or folder (recursively), streaming one JSON object per image:
// {"Image", "CustomLabels"} or, for a file that cannot be read, {"Image", "Error": {"Code", "Message"}}.
import { walkSource } from '../batch/index.js';
import { SkulensError, reasonOf } from '../errors.js';
import type { DecidedLabel } from '../evaluate/index.js';
import type { DetectOptions, Predictor } from './predictor.js';

export type PredictionLine =
  | { Image: string; CustomLabels: DecidedLabel[] }
  | { Image: string; Error: { Code: string; Message: string } };

/** Lists the files under `target` (itself when it is a file), sorted, skipping hidden ones. */
export const walkImages = walkSource;

/**
 * Predicts each image with bounded concurrency and yields results in input order. Memory stays
 * bounded: at most `concurrency` images are in flight.
 */
export async function* predictFiles(predictor: Predictor, target: string, options: DetectOptions & { concurrency?: number } = {}): AsyncGenerator<PredictionLine> {
  const concurrency = options.concurrency ?? 4;
  const inFlight: Promise<PredictionLine>[] = [];
  const one = async (file: string): Promise<PredictionLine> => {
    try {
      const { CustomLabels } = await predictor.detect({ path: file }, options);
      return { Image: file, CustomLabels };
    } catch (error) {
      return { Image: file, Error: { Code: error instanceof SkulensError ? error.code : 'ERR_IMAGE_UNREADABLE', Message: reasonOf(error) } };
    }
  };
  for await (const file of walkImages(target)) {
    inFlight.push(one(file));
    if (inFlight.length >= concurrency) yield await inFlight.shift()!;
  }
  while (inFlight.length > 0) yield await inFlight.shift()!;
}
