// The fast path's served calibration: the temperature fitted on the held-out photos' logits (the driver's
// heldOutFit) divides the head, and every label answers at ANSWER_PROBABILITY of the calibrated softmax
// (src/train/temperature.ts says why).
import type { FastRunResult } from '../finetune/index.js';
import { temperatureScaled, type LogisticHead } from '../train/index.js';

/**
 * The run with its head divided by the held-out temperature and ANSWER_PROBABILITY thresholds, for a
 * one-softmax head; groups and multi-label heads come back as trained.
 */
export function calibrateRun(run: FastRunResult): FastRunResult {
  const calibration = run.calibration;
  if (!calibration) return run;
  return { ...run, head: temperatureScaled(run.head, calibration.temperature) as LogisticHead, thresholds: calibration.thresholds, calibration };
}

/** An earlier calibrated version's head as trained (its temperature multiplied back): a warm start's starting point. */
export function uncalibratedHead(head: LogisticHead, temperature: unknown): LogisticHead {
  return typeof temperature === 'number' && temperature > 0 ? (temperatureScaled(head, 1 / temperature) as LogisticHead) : head;
}
