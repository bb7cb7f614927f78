// The fast path's served calibration: the temperature fitted on the held-out photos' logits divides the
// head, and every label answers at ANSWER_PROBABILITY of the calibrated softmax (src/train/temperature.ts
// says why). The driver computes it from the held-out logits (heldOutFit's `calibration`); a run result
// that carries it is used as it is. Until the driver passes it on, the held-out logits are read where the
// PyTorch engine leaves them (`out/<files.valLogits>` in the work folder, rows in memberSplits' order); the
// ONNX Runtime engine keeps them in memory, so its runs keep the head as trained and the pooled thresholds.
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
  const calibration = 'calibration' in run ? ((run as CalibratedRun).calibration ?? null) : await fromEngineFiles(run, work, plan, params);
  if (!calibration) return { ...run, calibration: null };
  return { ...run, head: temperatureScaled(run.head, calibration.temperature) as LogisticHead, thresholds: calibration.thresholds, calibration };
}

/** The calibration from the held-out logits the PyTorch engine wrote, or null when there are none. */
async function fromEngineFiles(run: FastRunResult, work: string, plan: FastPlan, params: FastParams): Promise<Calibration | null> {
  const K = plan.labels.length;
  const heldOut = memberSplits(plan.train, params)
    .slice(0, run.engine.members)
    .flatMap((split) => split.val);
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(path.join(work, 'out', run.engine.files.valLogits));
  } catch {
    return null;
  }
  if (bytes.byteLength !== heldOut.length * K * 4) return null;
  const valLogits = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const rows = heldOut.map((_, k) => Float64Array.from(valLogits.subarray(k * K, (k + 1) * K)));
  return calibrateSoftmax(rows, heldOut.map((i) => plan.train[i]!.label), K);
}

/** An earlier calibrated version's head as trained (its temperature multiplied back): a warm start's starting point. */
export function uncalibratedHead(head: LogisticHead, temperature: unknown): LogisticHead {
  return typeof temperature === 'number' && temperature > 0 ? (temperatureScaled(head, 1 / temperature) as LogisticHead) : head;
}
