// One member's training: its blocks above the cut and its head, on its own split of the cached activations,
// seeded by the job's seed plus the member's index. AdamW with the body and the head at their own learning
// rates, warm-up then cosine; each photo in a random cached view, its feature map flipped with probability
// `flip`; dropout before the head. Epochs are reported counted over all members; the budget ends training
// after the epoch that would overrun it.
import type { Feed, GraphSession } from '../backbone/index.js';
import { SkulensError } from '../errors.js';
import { mulberry32 } from '../train/index.js';
import type { BatchSource } from './batches.js';
import type { HeadLoss } from './heads.js';
import { HEAD } from './network.js';
import { AdamW, schedule, warmupSteps } from './optimizer.js';
import { logitsOf, type Scorer } from './scoring.js';
import type { EngineEvent, EpochRecord } from './events.js';

export interface MemberSettings {
  epochs: number;
  batchSize: number;
  weightDecay: number;
  dropout: number;
  seed: number;
  /** Decay of the moving average of the weights that is kept at the end (0: the last weights). */
  ema: number;
}

export interface MemberRun {
  step: { session: GraphSession; loss: string; gradients: readonly string[]; lossInputs: readonly string[] };
  scorer: Scorer;
  source: BatchSource;
  head: HeadLoss;
  /** The trained weights, in the step's order (body then head), updated in place, and each one's learning rate. */
  weights: { name: string; dims: readonly number[]; values: Float32Array }[];
  lrs: readonly number[];
  trainIdx: readonly number[];
  valIdx: readonly number[];
  settings: MemberSettings;
  member: number;
  members: number;
  /** Intra-op threads of the sessions (reported with progress). */
  threads: number;
  /** Unix time in ms by which training must stop; null = none. */
  deadline: number | null;
  signal?: AbortSignal;
  onEvent?: (event: EngineEvent) => void;
}

export interface MemberSummary {
  /** Seconds spent building batches, in the step graph, in the optimiser and scoring held-out photos. */
  time: { batches: number; steps: number; optimiser: number; scoring: number };
  epochsRun: number;
  stoppedBy: 'epochs' | 'budget';
  history: EpochRecord[];
  valAccuracy: number;
  valLoss: number;
  trainSeconds: number;
}

/** The weights as session feeds. */
export function feedsOf(weights: MemberRun['weights']): Record<string, Feed> {
  return Object.fromEntries(weights.map((w) => [w.name, { data: w.values, dims: w.dims }]));
}

function shuffled(items: readonly number[], random: () => number): number[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/**
 * Trains one member.
 *
 * @throws SkulensError ERR_TRAINING_CANCELLED (version 'engine') when the signal aborts.
 */
export async function trainMember(run: MemberRun): Promise<MemberSummary> {
  const { settings: s, source, head, scorer } = run;
  const random = mulberry32(s.seed + run.member);
  const B = s.batchSize;
  const K = scorer.classes;
  const D = scorer.dim;
  const optimizer = new AdamW(run.weights.map((w, k) => ({ values: w.values, lr: run.lrs[k]! })), { weightDecay: s.weightDecay });
  const steps = Math.max(1, Math.ceil(run.trainIdx.length / B));
  const total = s.epochs * steps;
  const warmup = warmupSteps(total);
  const [C, H, W] = source.shape;
  const x = new Float32Array(B * C * H * W);
  const mask = new Float32Array(B * D);
  const lossInputs = Object.fromEntries(run.step.lossInputs.map((name) => [name, new Float32Array(B * K)]));
  const cutDims = [1, C * B, H, W];
  const keep = 1 - s.dropout;
  const started = performance.now();
  const history: EpochRecord[] = [];
  let step = 0;
  let stoppedBy: MemberSummary['stoppedBy'] = 'epochs';
  let lastEmit = 0;
  const time = { batches: 0, steps: 0, optimiser: 0, scoring: 0 };
  const clock = (part: keyof typeof time, since: number): number => {
    const now = performance.now();
    time[part] += (now - since) / 1000;
    return now;
  };
  // The moving average warms up as (1 + n) / (10 + n), so it does not hold on to the starting weights.
  const average = s.ema > 0 ? run.weights.map((w) => Float32Array.from(w.values)) : undefined;
  for (let epoch = 1; epoch <= s.epochs; epoch++) {
    const epochStart = performance.now();
    const order = shuffled(run.trainIdx, random);
    let running = 0;
    let seen = 0;
    for (let b = 0; b < steps; b++) {
      if (run.signal?.aborted) throw new SkulensError('ERR_TRAINING_CANCELLED', { version: 'engine' });
      const t0 = performance.now();
      let t = t0;
      const index = order.slice(b * B, (b + 1) * B);
      source.training(x, B, index, random);
      for (let k = 0; k < mask.length; k++) mask[k] = keep === 1 ? 1 : random() < keep ? 1 / keep : 0;
      head.fill(index, lossInputs);
      const feeds = feedsOf(run.weights);
      feeds[scorer.cutName] = { data: x, dims: cutDims };
      feeds[HEAD.mask] = { data: mask, dims: [B, D] };
      for (const [name, data] of Object.entries(lossInputs)) feeds[name] = { data, dims: [B, K] };
      t = clock('batches', t);
      const out = await run.step.session.run(feeds, [run.step.loss, ...run.step.gradients]);
      t = clock('steps', t);
      optimizer.step(run.step.gradients.map((g) => out[g]!), schedule(step, total, warmup));
      if (average) {
        const d = Math.min(s.ema, (2 + step) / (11 + step));
        run.weights.forEach((w, k) => {
          const a = average[k]!;
          for (let i = 0; i < a.length; i++) a[i] = d * a[i]! + (1 - d) * w.values[i]!;
        });
      }
      clock('optimiser', t);
      running += out[run.step.loss]![0]! * index.length;
      seen += index.length;
      step += 1;
      const now = performance.now();
      if (now - lastEmit >= 1000 || b === steps - 1) {
        lastEmit = now;
        run.onEvent?.({
          type: 'progress', epoch: run.member * s.epochs + epoch, epochs: run.members * s.epochs, step: b + 1, steps, loss: running / seen,
          lr: Math.max(...run.lrs) * schedule(step - 1, total, warmup), imagesPerSecond: index.length / Math.max(1e-6, (now - t0) / 1000), threads: run.threads, elapsed: (now - started) / 1000,
        });
      }
    }
    const scored = performance.now();
    const logits = await logitsOf(scorer, source, run.valIdx, feedsOf(run.weights));
    const score = head.score(logits, run.valIdx);
    clock('scoring', scored);
    const seconds = (performance.now() - epochStart) / 1000;
    const record: EpochRecord = { epoch: run.member * s.epochs + epoch, trainLoss: running / Math.max(1, seen), valAccuracy: score.accuracy, valLoss: score.loss, seconds, best: epoch === s.epochs };
    history.push(record);
    run.onEvent?.({ type: 'epoch', epochs: run.members * s.epochs, ...record });
    if (run.deadline !== null && epoch < s.epochs && Date.now() + seconds * 1000 > run.deadline) {
      stoppedBy = 'budget';
      history[history.length - 1]!.best = true;
      break;
    }
  }
  const last = history[history.length - 1]!;
  if (average) {
    run.weights.forEach((w, k) => w.values.set(average[k]!));
    const score = head.score(await logitsOf(scorer, source, run.valIdx, feedsOf(run.weights)), run.valIdx);
    last.valAccuracy = score.accuracy;
    last.valLoss = score.loss;
  }
  return { time, epochsRun: history.length, stoppedBy, history, valAccuracy: last.valAccuracy, valLoss: last.valLoss, trainSeconds: (performance.now() - started) / 1000 };
}
