// Serving with capture: answers an image as Predictor.detect does and, when the version's project opted
// in, keeps the answer for review if it is uncertain. With capture on, the probabilities are computed
// once and the single-label decision (with the version's taxonomy, as Predictor.detect) made here, so
// capturing costs no second embedding; with it off, or for other label types, Predictor.detect answers.
import fs from 'node:fs/promises';
import type { EmbedInput } from '../backbone/index.js';
import { decideLabels, decideWithTaxonomy } from '../evaluate/index.js';
import type { HomeLayout } from '../home/index.js';
import type { DetectOptions, Prediction, Predictor } from '../predict/index.js';
import type { Registry } from '../registry/index.js';
import { captureIfUncertain, type CaptureOutcome } from './capture.js';
import { captureSettings } from './settings.js';

/** What a served answer did besides answering. */
export interface ServedPrediction extends Prediction {
  capture: CaptureOutcome;
}

/**
 * DetectCustomLabels with capture. `source` says where the image came from (the operation, or a batch's path).
 *
 * @example
 * const { CustomLabels } = await detectWithCapture(registry, home, predictor, { bytes }, {}, 'DetectCustomLabels');
 */
export async function detectWithCapture(
  registry: Registry,
  home: HomeLayout,
  predictor: Predictor,
  input: EmbedInput,
  options: DetectOptions,
  source: string,
): Promise<ServedPrediction> {
  const { version, manifest } = predictor;
  if (!captureSettings(registry, version.projectId).enabled || predictor.labelType !== 'single') return { ...(await predictor.detect(input, options)), capture: 'off' };
  const probs = await predictor.probabilities(input);
  const taxonomy = predictor.taxonomy;
  const CustomLabels = taxonomy ? decideWithTaxonomy(manifest.labels, probs, manifest.thresholds, taxonomy, options) : decideLabels(manifest.labels, probs, manifest.thresholds, options);
  const bytes = input.bytes ?? (input.path ? new Uint8Array(await fs.readFile(input.path)) : undefined);
  const capture = bytes ? await captureIfUncertain(registry, home, version, { bytes, source, labels: manifest.labels, probs, answer: CustomLabels }) : 'off';
  return { CustomLabels, capture };
}
