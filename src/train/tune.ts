// Automatic tuning of the head on the training images only: head type, regularisation, MLP learning
// rate and epochs, balance strategy and whether augmented views help, each scored by grouped,
// stratified k-fold CV. The search is a fixed plan tried in order (optionally cut at a number of
// trials), so the same data, seed and plan give the same report and head on any machine; seconds are
// only an outer cap, and when that cap bites the report says so. The winner's out-of-fold
// probabilities are kept for threshold fitting.
import { SkulensError } from '../errors.js';
import { planBalance, type BalanceStrategy } from './balance.js';
import { groupedStratifiedFolds } from './cross-validate.js';
import { outOfFoldOfAll, probabilitiesOf, scalePlan, subsetOf, type Solver } from './scale.js';
import { trainHead } from './train-head.js';
import type { Head } from './types.js';


/** The training images as the tuner sees them. Never holds a test image (see {@link assertTrainOnly}). */
export interface TuningSet {
  /** Per image: the original embedding, then its augmented views (possibly none). */
  views: Float32Array[][];
  y: Int32Array;
  /** Near-duplicate cluster of each image: a cluster never spans two folds. */
  groups: Int32Array;
  /** The split of each image; the tuner refuses anything but 'train'. */
  splits: readonly string[];
  numClasses: number;
}

/** One configuration of the head. */
export interface HeadConfig {
  kind: 'logistic' | 'mlp';
  C: number;
  balance: BalanceStrategy;
  /** Fit on the augmented views too (when the set has them). */
  augment: boolean;
  hidden?: number;
  epochs?: number;
  learningRate?: number;
}

export interface TriedConfig {
  config: HeadConfig;
  accuracy: number;
  macroF1: number;
  seconds: number;
}

export interface TuningReport {
  method: 'grouped-cv';
  folds: number;
  /** What kept near-duplicates together (or why nothing could). */
  grouping: string;
  groups: number;
  seed: number;
  budgetSeconds: number;
  /** The trial cap in force (null: the whole plan). */
  maxTrials: number | null;
  /**
   * Why the search ended: 'plan' (every proposal tried), 'max-trials' (the deterministic cap), or
   * 'seconds' (the outer time cap bit: the result then depends on the machine's speed).
   */
  stoppedBy: 'plan' | 'max-trials' | 'seconds';
  tried: TriedConfig[];
  /** Configurations not tried because a cap was reached. */
  skipped: HeadConfig[];
  winner: HeadConfig;
  /** The solver of every fit of this search, and of the final fit (see MINIBATCH_WORK in subsample.ts). */
  solver: Solver;
  /**
   * Null when the search saw every training image; above SUBSAMPLE_IMAGES (subsample.ts) images, the grouped
   * stratified subsample it ran on instead.
   */
  subsample: { images: number; of: number; method: string } | null;
  /**
   * Out-of-fold probabilities of the winner, one per image (original view). With a subsample, an image
   * outside it is scored by the winner's fold model number (index mod folds): none of those saw its
   * near-duplicate cluster.
   */
  outOfFold: Float32Array[];
}

/** Throws unless every image handed to tuning is a training image: test images must never steer a choice. */
export function assertTrainOnly(splits: readonly string[]): void {
  const index = splits.findIndex((split) => split !== 'train');
  if (index >= 0) throw new SkulensError('ERR_TRAINING_INVALID', { detail: `tuning was handed a ${splits[index]} image (#${index}); it may only see training images` });
}

/** Fits one configuration on the given images (all their views when `config.augment`). */
export function fitConfig(
  set: TuningSet,
  images: ArrayLike<number>,
  config: HeadConfig,
  seed: number,
  signal?: AbortSignal,
  onProgress?: (step: number, total: number, loss: number) => void,
  solver: Solver = 'exact',
  onRowsSeen?: (epoch: number, rows: number) => void,
): Head {
  const subset = Int32Array.from(images);
  const ySub = Int32Array.from(subset, (i) => set.y[i]!);
  const plan = planBalance(config.balance, ySub, set.numClasses, seed, config.kind);
  const X: Float32Array[] = [];
  const y: number[] = [];
  for (const k of plan.indices) {
    const i = subset[k]!;
    const rows = config.augment ? set.views[i]! : set.views[i]!.slice(0, 1);
    for (const row of rows) (X.push(row), y.push(set.y[i]!));
  }
  // An oversampled epoch of the mini-batch solver draws as many rows as there are distinct ones
  // (a class-balanced sample), not the oversampled count: at 250 Zipf-sized labels that is 20x more.
  let distinct = 0;
  for (const i of subset) distinct += config.augment ? set.views[i]!.length : 1;
  return trainHead(X, y, set.numClasses, {
    solver,
    ...(solver === 'minibatch' ? { epochSize: Math.min(X.length, distinct), onRowsSeen } : {}),
    kind: config.kind,
    C: config.C,
    standardize: true,
    classWeights: plan.classWeights,
    hidden: config.hidden,
    epochs: config.epochs,
    learningRate: config.learningRate,
    seed,
    signal,
    onProgress,
  });
}

function argmax(p: Float32Array): number {
  let best = 0;
  for (let c = 1; c < p.length; c++) if (p[c]! > p[best]!) best = c;
  return best;
}


/** Out-of-fold accuracy, macro-F1 (argmax) and probabilities of one configuration, and the fold models. */
export function crossValidateConfig(
  set: TuningSet,
  folds: Int32Array,
  config: HeadConfig,
  seed: number,
  signal?: AbortSignal,
  solver: Solver = 'exact',
): TriedConfig & { outOfFold: Float32Array[]; heads: Head[] } {
  const start = performance.now();
  const k = Math.max(...folds) + 1;
  const outOfFold: Float32Array[] = new Array(set.y.length);
  const heads: Head[] = [];
  for (let f = 0; f < k; f++) {
    const inFold: number[] = [];
    const outFold: number[] = [];
    for (let i = 0; i < folds.length; i++) (folds[i] === f ? outFold : inFold).push(i);
    const head = fitConfig(set, inFold, config, seed, signal, undefined, solver);
    heads.push(head);
    probabilitiesOf(head, set, outFold, solver).forEach((p, j) => (outOfFold[outFold[j]!] = p));
  }
  const tp = new Float64Array(set.numClasses);
  const predicted = new Float64Array(set.numClasses);
  const actual = new Float64Array(set.numClasses);
  let correct = 0;
  outOfFold.forEach((p, i) => {
    const guess = argmax(p);
    predicted[guess]! += 1;
    actual[set.y[i]!]! += 1;
    if (guess === set.y[i]) (correct++, (tp[guess]! += 1));
  });
  let f1Sum = 0;
  for (let c = 0; c < set.numClasses; c++) f1Sum += actual[c]! + predicted[c]! === 0 ? 0 : (2 * tp[c]!) / (actual[c]! + predicted[c]!);
  return { config, accuracy: correct / set.y.length, macroF1: f1Sum / set.numClasses, seconds: (performance.now() - start) / 1000, outOfFold, heads };
}

/** True when every fold is non-empty and the rest of the data holds at least 2 labels. */
function foldsUsable(folds: Int32Array, y: Int32Array, k: number): boolean {
  for (let f = 0; f < k; f++) {
    const rest = new Set<number>();
    let size = 0;
    for (let i = 0; i < folds.length; i++) (folds[i] === f ? size++ : rest.add(y[i]!));
    if (size === 0 || rest.size < 2) return false;
  }
  return true;
}

/** A stage proposes configurations from the best one so far. */
export type TuningStage = (best: HeadConfig) => HeadConfig[];

export interface TuneOptions {
  seed: number;
  folds?: number;
  /**
   * Outer time cap: no new configuration starts after this many seconds (the first always runs).
   * Meant to bite only on a machine far slower than expected; {@link TuningReport.stoppedBy} says when it did.
   */
  budgetSeconds: number;
  /** At most this many configurations, in plan order (deterministic). Default: the whole plan. */
  maxTrials?: number;
  signal?: AbortSignal;
  onTried?: (tried: TriedConfig, done: number, planned: number) => void;
  /** Tune on a grouped stratified subsample above this many images. Default SUBSAMPLE_IMAGES (subsample.ts). */
  subsampleImages?: number;
  /** Use the mini-batch solver above this much work (images x classes x dim). Default MINIBATCH_WORK in subsample.ts. */
  minibatchWork?: number;
}


const same = (a: HeadConfig, b: HeadConfig): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * Runs the stages in order: each proposes configurations around the best so far (by out-of-fold
 * accuracy, then macro-F1; ties keep the earlier one), skipping ones already tried.
 */
export function tuneHead(full: TuningSet, first: HeadConfig, stages: readonly TuningStage[], options: TuneOptions): TuningReport {
  assertTrainOnly(full.splits);
  const plan = scalePlan(full, options);
  const sampled = plan.images.length < full.y.length;
  const set = sampled ? subsetOf(full, plan.images) : full;
  const k = options.folds ?? 3;
  let grouping = 'near-duplicate clusters';
  let folds = groupedStratifiedFolds(set.y, set.groups, k, options.seed);
  if (!foldsUsable(folds, set.y, k)) {
    // One cluster holds so much of the data that some fold would train without a label: grouped CV is
    // impossible, so fall back to per-image folds and say so in the report.
    grouping = 'none: near-duplicate clusters are too large to split into folds';
    folds = groupedStratifiedFolds(set.y, Int32Array.from(set.y, (_, i) => i), k, options.seed);
  }
  const started = performance.now();
  type Trial = TriedConfig & { outOfFold: Float32Array[]; heads: Head[] };
  const tried: Trial[] = [];
  const skipped: HeadConfig[] = [];
  let best: Trial | undefined;
  let planned = 1;
  let stoppedBy: TuningReport['stoppedBy'] = 'plan';
  const maxTrials = options.maxTrials ?? Number.POSITIVE_INFINITY;
  const run = (config: HeadConfig): void => {
    if (tried.some((t) => same(t.config, config)) || skipped.some((s) => same(s, config))) return;
    if (best && stoppedBy === 'plan' && tried.length >= maxTrials) stoppedBy = 'max-trials';
    if (best && stoppedBy === 'plan' && (performance.now() - started) / 1000 >= options.budgetSeconds) stoppedBy = 'seconds';
    if (stoppedBy !== 'plan') return void skipped.push(config);
    if (options.signal?.aborted) throw new SkulensError('ERR_TRAINING_CANCELLED', { version: 'head' });
    const result = crossValidateConfig(set, folds, config, options.seed, options.signal, plan.solver);
    tried.push(result);
    if (!best || result.accuracy > best.accuracy + 1e-12 || (Math.abs(result.accuracy - best.accuracy) <= 1e-12 && result.macroF1 > best.macroF1 + 1e-12)) best = result;
    options.onTried?.({ config, accuracy: result.accuracy, macroF1: result.macroF1, seconds: result.seconds }, tried.length, planned);
  };
  run(first);
  for (const stage of stages) {
    const proposals = stage(best!.config);
    planned += proposals.length;
    for (const config of proposals) run(config);
  }
  return {
    method: 'grouped-cv',
    folds: k,
    grouping,
    groups: new Set(full.groups).size,
    seed: options.seed,
    budgetSeconds: options.budgetSeconds,
    maxTrials: Number.isFinite(maxTrials) ? maxTrials : null,
    stoppedBy,
    tried: tried.map(({ config, accuracy, macroF1, seconds }) => ({ config, accuracy, macroF1, seconds })),
    skipped,
    winner: best!.config,
    solver: plan.solver,
    subsample: sampled ? { images: set.y.length, of: full.y.length, method: `whole near-duplicate clusters, each label in proportion (at least 1), seed ${options.seed}` } : null,
    outOfFold: sampled ? outOfFoldOfAll(full, plan.images, best!, plan.solver) : best!.outOfFold,
  };
}
