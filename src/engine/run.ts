// Training on ONNX Runtime, for the fast path (the blocks above an inner cut, on cached activations) and for
// fine-tuning (the cut at the input, on augmented pixels): the members one after another, each on its own
// split, then the served graph (the backbone's own graph with the trained weights), the stacked head, every
// member's trained weights (upper.f32, a later warm start's input) and the held-out photos' logits for
// thresholds. No Python: the step graph comes from the gradient builder (src/autodiff) and runs in
// onnxruntime-node, on the CPU or CUDA.
import os from 'node:os';
import { openGraphSession, type GraphDevice, type GraphSession } from '../backbone/index.js';
import { lossInputs, readGraph, type Graph } from '../autodiff/index.js';
import { servedGraph, type ServedGraph } from './export.js';
import type { EngineEvent } from './events.js';
import type { BatchSource } from './batches.js';
import { blockDepths } from './depths.js';
import { linearProbe, plannedEpochs } from './plan.js';
import { headLoss, type HeadLayout } from './heads.js';
import { feedsOf, trainMember, type MemberRun, type MemberSettings, type MemberSummary } from './member.js';
import { network, scoringGraph, trainedWeights, trainingStep, type Network } from './network.js';
import { embeddingsOfMaps, logitsOf, type Scorer } from './scoring.js';
import { LOWER_OUTPUT, lowerModel } from './cut.js';
import { warmMember, type WarmStart } from './warm-start.js';
import { mulberry32 } from '../train/index.js';

export interface TrainJob {
  /** The backbone's ONNX graph (NCHW image input). */
  model: Uint8Array;
  input: string;
  size: number;
  tap: string;
  pool: 'none' | 'mean-hw';
  dim: number;
  cut: { tensor: string; shape: readonly number[] };
  /** Where training batches come from (cached activations, or augmented pixels with the cut at the input). */
  source: BatchSource;
  classes: number;
  layout: HeadLayout;
  labels: readonly number[];
  targets?: readonly (readonly number[])[];
  splits: readonly { train: readonly number[]; val: readonly number[] }[];
  settings: MemberSettings & {
    members: number;
    lr: number;
    headLr: number;
    /** Layer-wise decay: a block's learning rate is lr * lrDecay^(blocks from the top); 1 = one rate for the body. */
    lrDecay: number;
    labelSmoothing: number;
    balance: 'balanced' | 'sqrt' | 'none';
    flipTest: boolean;
    freezeDepthwise: boolean;
    /** Train only the last blocks (fine-tuning's --unfreeze N); default every weight above the cut. */
    blocks?: number;
    /** Start each member's head from a linear probe on the starting weights' embeddings (LP-FT). */
    linearProbe?: boolean;
    /** Measure a step and plan the epochs: fitted to the deadline, or exactly `epochs` when `exactEpochs`. */
    planEpochs?: boolean;
    exactEpochs?: boolean;
  };
  start?: WarmStart;
  threads?: number;
  device?: GraphDevice;
  /** Unix time in ms by which training must stop; null = none. */
  deadline: number | null;
  /** Preprocessed images ([3, size, size] each) whose served embedding the caller checks against {@link FastRunOutput.check}. */
  check?: readonly Float32Array[];
}

export interface TrainOutput {
  members: number;
  epochsRun: number;
  stoppedBy: 'epochs' | 'budget';
  history: MemberSummary['history'];
  valAccuracy: number;
  valLoss: number;
  trainSeconds: number;
  threads: number;
  served: ServedGraph;
  /** The stacked head on the served (L2-normalised) embedding: weights [K, dim * M], bias [K]. */
  head: { weights: Float32Array; bias: Float32Array };
  /** Every member's trained body weights, in order. */
  upper: Float32Array;
  /** Held-out photos' logits, each member's fold in member order. */
  valLogits: Float32Array;
  /** The check images' embeddings as training computes them (float32 activations, unit length, members and mirror combined as served). */
  check: Float32Array[];
  /** The linear probe's accuracy on member 0's held-out photos (LP-FT), or null without one. */
  probeValAccuracy: number | null;
  timings: Record<string, number>;
}

const SCORE_BATCH = 64;

/** Initial weights of member m: the backbone's (or the warm start's) body, a head drawn N(0, 0.01) (or the warm start's). */
function initialWeights(net: Network, job: TrainJob, m: number): MemberRun['weights'] {
  const names = trainedWeights(net);
  const values = names.map((name) => Float32Array.from(net.graph.floats.get(name)!.data));
  const random = mulberry32(job.settings.seed + 1000 + m);
  const w = values[values.length - 2]!;
  for (let k = 0; k < w.length; k += 2) {
    // Box-Muller: two normal draws per two uniforms.
    const r = Math.sqrt(-2 * Math.log(Math.max(1e-12, random())));
    const t = 2 * Math.PI * random();
    w[k] = 0.01 * r * Math.cos(t);
    if (k + 1 < w.length) w[k + 1] = 0.01 * r * Math.sin(t);
  }
  if (job.start) {
    const warm = warmMember(job.start, net.body.map((name) => net.graph.floats.get(name)!.data.length), job.dim, m);
    warm.body.forEach((v, k) => values[k]!.set(v));
    values[values.length - 2]!.set(warm.w);
    values[values.length - 1]!.set(warm.b);
  }
  return names.map((name, k) => ({ name, dims: net.graph.floats.get(name)!.dims, values: values[k]! }));
}

/**
 * Trains the members and builds what is served.
 *
 * @throws SkulensError ERR_AUTODIFF_OP_UNSUPPORTED (an op above the cut without a gradient rule),
 *   ERR_TRAINING_CANCELLED (version 'engine'), ERR_FINETUNE_FAILED.
 */
export async function runTraining(job: TrainJob, options: { signal?: AbortSignal; onEvent?: (event: EngineEvent) => void } = {}): Promise<TrainOutput> {
  const timings: Record<string, number> = {};
  let t = performance.now();
  const lap = (name: string): void => {
    timings[name] = Number(((performance.now() - t) / 1000).toFixed(2));
    t = performance.now();
  };
  const threads = job.threads ?? os.availableParallelism();
  const graph: Graph = readGraph(job.model);
  const { settings: s } = job;
  const net = network({ graph, cut: job.cut.tensor, cutShape: job.cut.shape, tap: job.tap, pool: job.pool, dim: job.dim, classes: job.classes, freezeDepthwise: s.freezeDepthwise, blocks: s.blocks });
  const probe = headLoss(job.layout, job.classes, job.labels, job.targets, [], s.labelSmoothing, s.balance);
  const open = (model: Uint8Array): Promise<GraphSession> => openGraphSession(model, { threads, device: job.device });
  const built = trainingStep(net, s.batchSize, probe.loss);
  const stepSession = await open(built.model);
  const scorer: Scorer = { session: await open(scoringGraph(net, SCORE_BATCH)), batch: SCORE_BATCH, cutName: job.cut.tensor, dim: job.dim, classes: job.classes };
  lap('build');
  try {
    const { source } = job;
    const lrs = learningRates(net, s);
    const trainable = trainedWeights(net).reduce((sum, name) => sum + net.graph.floats.get(name)!.data.length, 0);
    options.onEvent?.({ type: 'ready', runtime: 'onnxruntime', parameters: [...graph.floats.values()].reduce((a, f) => a + f.data.length, 0), trainable, train: job.splits[0]!.train.length, val: job.splits[0]!.val.length, device: job.device ?? 'cpu' });
    options.onEvent?.({ type: 'cut', tensor: job.cut.tensor, shape: [...job.cut.shape] });
    const summaries: MemberSummary[] = [];
    const trained: MemberRun['weights'][] = [];
    let probeValAccuracy: number | null | undefined;
    const stepRun = { session: stepSession, loss: built.loss, gradients: built.gradients, lossInputs: lossInputs(probe.loss) };
    const epochs = s.planEpochs ? await plannedEpochs(job, net, stepRun, source, s.exactEpochs ?? false, options.onEvent) : s.epochs;
    const started = performance.now();
    for (let m = 0; m < s.members; m++) {
      const split = job.splits[m % job.splits.length]!;
      const last = summaries[summaries.length - 1];
      if (last && (last.stoppedBy === 'budget' || (job.deadline !== null && Date.now() + last.trainSeconds * 1000 > job.deadline))) {
        last.stoppedBy = 'budget';
        break;
      }
      const weights = initialWeights(net, job, m);
      const head = headLoss(job.layout, job.classes, job.labels, job.targets, split.train, s.labelSmoothing, s.balance);
      if (s.linearProbe && job.layout.kind === 'softmax') probeValAccuracy ??= await linearProbe(scorer, source, split.train, split.val, job.labels, job.classes, weights);
      summaries.push(
        await trainMember({
          step: stepRun,
          scorer, source, head, weights, lrs, trainIdx: split.train, valIdx: split.val,
          settings: { ...s, epochs }, member: m, members: s.members, threads, deadline: job.deadline, signal: options.signal, onEvent: options.onEvent,
        }),
      );
      trained.push(weights);
    }
    lap('train');
    // Where the training time went, summed over the members (batches, the step graph, the optimiser, held-out scoring).
    for (const part of ['batches', 'steps', 'optimiser', 'scoring'] as const) timings[`train.${part}`] = Number(summaries.reduce((a, x) => a + x.time[part], 0).toFixed(2));
    options.onEvent?.({ type: 'phase', phase: 'export' });
    // Each held-out photo's logits from the member that never saw it (members in order).
    const valParts: Float32Array[] = [];
    for (const [m, weights] of trained.entries()) valParts.push(await logitsOf(scorer, source, job.splits[m % job.splits.length]!.val, feedsOf(weights), s.flipTest));
    const valLogits = concat(valParts);
    const memberWeights = trained.map((weights) => new Map(weights.slice(0, net.body.length).map((w) => [w.name, w.values])));
    const served = servedGraph({ model: job.model, graph, input: job.input, size: job.size, cut: job.cut.tensor, tap: job.tap, pool: job.pool, dim: job.dim, members: memberWeights, flipTest: s.flipTest });
    const head = stackedHead(trained.map((w) => ({ w: w[w.length - 2]!.values, b: w[w.length - 1]!.values })), job.dim, job.classes);
    const check = await trainingSideEmbeddings(job, graph, scorer, trained, open);
    lap('export');
    const lastSummary = summaries[summaries.length - 1]!;
    return {
      members: trained.length,
      epochsRun: lastSummary.epochsRun,
      stoppedBy: lastSummary.stoppedBy,
      history: summaries.flatMap((x) => x.history),
      valAccuracy: lastSummary.valAccuracy,
      valLoss: lastSummary.valLoss,
      trainSeconds: (performance.now() - started) / 1000,
      threads,
      served,
      head,
      upper: concat(memberWeights.flatMap((w) => [...w.values()])),
      valLogits,
      check,
      probeValAccuracy: probeValAccuracy ?? null,
      timings,
    };
  } finally {
    await stepSession.release();
    await scorer.session.release();
  }
}

/** The served embedding of each check image as training computes it: float32 cut activations (the lower graph), each member's unit embedding side by side over sqrt(M), averaged with the mirror image's when flip-tested. */
async function trainingSideEmbeddings(job: TrainJob, graph: Graph, scorer: Scorer, members: readonly MemberRun['weights'][], open: (model: Uint8Array) => Promise<GraphSession>): Promise<Float32Array[]> {
  const images = job.check ?? [];
  if (images.length === 0) return [];
  const size = job.cut.shape.reduce((a, b) => a * b, 1);
  const lower = await open(lowerModel(graph, job.input, job.cut.tensor, job.size, size));
  const S = job.size;
  const mirror = (x: Float32Array): Float32Array => {
    const out = new Float32Array(x.length);
    for (let r = 0; r < x.length / S; r++) for (let c = 0; c < S; c++) out[r * S + c] = x[r * S + S - 1 - c]!;
    return out;
  };
  try {
    const maps = async (list: readonly Float32Array[]): Promise<Float32Array[]> => {
      const out: Float32Array[] = [];
      for (const x of list) out.push((await lower.run({ [job.input]: { data: x, dims: [1, 3, S, S] } }, [LOWER_OUTPUT]))[LOWER_OUTPUT]!.slice(0, size));
      return out;
    };
    const views = [await maps(images), ...(job.settings.flipTest ? [await maps(images.map(mirror))] : [])];
    const M = members.length;
    const dim = job.dim * M;
    const result = images.map(() => new Float32Array(dim));
    for (const view of views) {
      for (const [m, weights] of members.entries()) {
        const e = await embeddingsOfMaps(scorer, view, job.cut.shape, feedsOf(weights));
        images.forEach((_, i) => {
          const row = e.subarray(i * job.dim, (i + 1) * job.dim);
          // As the served graph: members' embeddings are each made unit before they are joined; one member's
          // views are averaged as they come (flip TTA averages the raw embeddings of the photo and its mirror).
          const norm = M === 1 ? 1 : Math.max(1e-12, Math.hypot(...row));
          const target = result[i]!;
          for (let j = 0; j < job.dim; j++) target[m * job.dim + j] = target[m * job.dim + j]! + row[j]! / norm / Math.sqrt(M) / views.length;
        });
      }
    }
    return result.map((v) => {
      const norm = Math.max(1e-12, Math.hypot(...v));
      return v.map((x) => x / norm);
    });
  } finally {
    await lower.release();
  }
}

/** Each trained weight's learning rate: the body's at lr (times lrDecay per block from the top), the head's at headLr. */
function learningRates(net: Network, s: TrainJob['settings']): number[] {
  const depths = s.lrDecay < 1 ? blockDepths(net.graph, net.upper) : new Map<string, number>();
  return trainedWeights(net).map((name, k) => (k >= net.body.length ? s.headLr : s.lr * s.lrDecay ** (depths.get(name) ?? 0)));
}

function concat(parts: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** The head serving applies to the served embedding: each member's rows times sqrt(dim), over sqrt(M); the mean bias. */
function stackedHead(members: readonly { w: Float32Array; b: Float32Array }[], dim: number, classes: number): { weights: Float32Array; bias: Float32Array } {
  const M = members.length;
  const scale = Math.sqrt(dim) / Math.sqrt(M);
  const weights = new Float32Array(classes * dim * M);
  const bias = new Float32Array(classes);
  members.forEach(({ w, b }, m) => {
    for (let k = 0; k < classes; k++) {
      for (let j = 0; j < dim; j++) weights[k * dim * M + m * dim + j] = w[k * dim + j]! * scale;
      bias[k] = bias[k]! + b[k]! / M;
    }
  });
  return { weights, bias };
}

