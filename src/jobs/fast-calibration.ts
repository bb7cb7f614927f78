// The fast path's served calibration: the temperature fitted on the held-out photos' logits divides the
// head, and every label answers at ANSWER_PROBABILITY of the calibrated softmax (src/train/temperature.ts
// says why). The held-out logits are those the engine scored for thresholds (each photo by the member that never
// saw it); the PyTorch engine leaves them in its work folder (`out/<files.valLogits>`, rows in memberSplits'
// order), which is where this reads them until the run result carries them itself.
import fs from 'node:fs/promises';
import path from 'node:path';
import { memberSplits, type FastParams, type FastRunResult } from '../finetune/index.js';
import { calibrateSoftmax, temperatureScaled, type Calibration, type LogisticHead } from '../train/index.js';
import type { FastPlan } from './fast-plan.js';

/** A run whose head and thresholds are the calibrated ones (or as trained, with `calibration` null). */
export type CalibratedRun = FastRunResult & { calibration: Calibration | null };

/**
 * The run with its head divided by the held-out temperature and ANSWER_PROBABILITY thresholds, for a
 * one-softmax head; groups and multi-label heads, and a run without held-out logits, come back as trained.
 */
export async function calibrateRun(run: FastRunResult, work: string, plan: FastPlan, params: FastParams): Promise<CalibratedRun> {
  if (plan.heads !== undefined) return { ...run, calibration: null };
  const K = plan.labels.length;
  const heldOut = memberSplits(plan.train, params)
    .slice(0, run.engine.members)
    .flatMap((split) => split.val);
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(path.join(work, 'out', run.engine.files.valLogits));
  } catch {
    return { ...run, calibration: null };
  }
  const valLogits = new Float32Array(bytes.buffer, bytes.byteOffset, Math.floor(bytes.byteLength / 4));
  if (valLogits.length !== heldOut.length * K) return { ...run, calibration: null };
  const rows = heldOut.map((_, k) => Float64Array.from(valLogits.subarray(k * K, (k + 1) * K)));
  const calibration = calibrateSoftmax(rows, heldOut.map((i) => plan.train[i]!.label), K);
  return { ...run, head: temperatureScaled(run.head, calibration.temperature) as LogisticHead, thresholds: calibration.thresholds, calibration };
}

/** An earlier calibrated version's head as trained (its temperature multiplied back): a warm start's starting point. */
export function uncalibratedHead(head: LogisticHead, temperature: unknown): LogisticHead {
  return typeof temperature === 'number' && temperature > 0 ? (temperatureScaled(head, 1 / temperature) as LogisticHead) : head;
}
