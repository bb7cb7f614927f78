// Two things a full fine-tune does before its members train: the plan (epochs shrunk before training so
// that the measured step time fits the budget; the cosine schedule then follows that plan), and the
// linear probe that starts the head of a warm start (LP-FT: the head fitted on the starting weights'
// embeddings, so the first steps do not tear tuned features apart to fit a random head).
import { trainHead } from '../train/index.js';
import type { BatchSource } from './batches.js';
import type { EngineEvent } from './events.js';
import { feedsOf, type MemberRun } from './member.js';
import { HEAD, trainedWeights, type Network } from './network.js';
import type { TrainJob } from './run.js';
import { embeddings, type Scorer } from './scoring.js';

/** Seconds the plan expects after training (held-out scoring, export, test split); the deadline already keeps them. */
const END_SECONDS = 20;

/** Steps timed for the plan (after one warm-up step); the fastest counts. */
const MEASURED_STEPS = 3;

/**
 * The epochs that fit before the deadline at the measured step time (1 to the requested epochs; all of them
 * when `exact` or without a deadline), announced as a plan with its expected seconds.
 */
export async function plannedEpochs(job: TrainJob, net: Network, step: MemberRun['step'], source: BatchSource, exact: boolean, onEvent?: (event: EngineEvent) => void): Promise<number> {
  const s = job.settings;
  const B = s.batchSize;
  const [C, H, W] = source.shape;
  const x = new Float32Array(B * C * H * W);
  const index = job.splits[0]!.train.slice(0, B);
  source.training(x, B, index, Math.random);
  const feeds = {
    ...feedsOf(trainedWeights(net).map((name) => ({ name, dims: net.graph.floats.get(name)!.dims, values: net.graph.floats.get(name)!.data }))),
    [job.cut.tensor]: { data: x, dims: [1, C * B, H, W] },
    [HEAD.mask]: { data: new Float32Array(B * job.dim).fill(1), dims: [B, job.dim] },
    ...Object.fromEntries(step.lossInputs.map((name) => [name, { data: new Float32Array(B * job.classes), dims: [B, job.classes] }])),
  };
  const times: number[] = [];
  for (let k = 0; k <= MEASURED_STEPS; k++) {
    const t0 = performance.now();
    await step.session.run(feeds, [step.loss]);
    if (k > 0) times.push((performance.now() - t0) / 1000);
  }
  const stepSeconds = Math.min(...times);
  const steps = Math.max(1, Math.ceil(job.splits[0]!.train.length / B));
  const epochSeconds = stepSeconds * steps * s.members;
  const left = job.deadline === null ? Infinity : (job.deadline - Date.now()) / 1000;
  const epochs = exact ? s.epochs : Math.max(1, Math.min(s.epochs, Math.floor(left / epochSeconds)));
  onEvent?.({ type: 'plan', requestedEpochs: s.epochs, epochs, stepSeconds, expectedSeconds: epochs * epochSeconds + END_SECONDS, fits: epochs * epochSeconds <= left });
  return epochs;
}

/**
 * Fits member weights' head (in place) by a linear probe on the unit embeddings of the training photos
 * (centre crops); returns the probe's accuracy on the held-out photos.
 */
export async function linearProbe(scorer: Scorer, source: BatchSource, trainIdx: readonly number[], valIdx: readonly number[], labels: readonly number[], classes: number, weights: MemberRun['weights']): Promise<number | null> {
  const dim = scorer.dim;
  const units = async (index: readonly number[]): Promise<Float32Array[]> => {
    const e = await embeddings(scorer, source, index, feedsOf(weights));
    return index.map((_, i) => {
      const row = e.slice(i * dim, (i + 1) * dim);
      let norm = 0;
      for (const v of row) norm += v * v;
      return row.map((v) => v / Math.max(1e-12, Math.sqrt(norm)));
    });
  };
  const fitted = trainHead(await units(trainIdx), trainIdx.map((i) => labels[i]!), classes);
  if (fitted.kind !== 'logistic') return null;
  // The step's linear layer reads sqrt(dim) * unit embedding: its weights are the probe's over sqrt(dim).
  const w = weights[weights.length - 2]!.values;
  const scale = 1 / Math.sqrt(dim);
  for (let k = 0; k < w.length; k++) w[k] = fitted.weights[k]! * scale;
  weights[weights.length - 1]!.values.set(fitted.bias);
  if (valIdx.length === 0) return null;
  const held = await units(valIdx);
  let right = 0;
  held.forEach((row, i) => {
    let best = 0;
    let bestZ = -Infinity;
    for (let k = 0; k < classes; k++) {
      let z = fitted.bias[k]!;
      for (let j = 0; j < dim; j++) z += fitted.weights[k * dim + j]! * row[j]!;
      if (z > bestZ) [best, bestZ] = [k, z];
    }
    if (best === labels[valIdx[i]!]) right += 1;
  });
  return right / valIdx.length;
}
