// Heads of multi-label and attribute-group projects, from training embeddings to a finished head and
// thresholds fitted out of fold (grouped CV over near-duplicate clusters, never the test images). No I/O.
// - groups: the head search (head-pipeline.ts) runs on the group with the most values; its winner is
//   fitted on every group, and the group heads are stacked into one head (a softmax per group).
// - multi: one sigmoid per label; C picked by out-of-fold micro-F1; a threshold per label.
import { multiLabelThresholds, type MultiScoredImage } from '../evaluate/index.js';
import { SkulensError } from '../errors.js';
import type { LabelGroup } from '../labels/index.js';
import {
  crossValidateConfig,
  fitConfig,
  groupedStratifiedFolds,
  sigmoidProbabilities,
  stackGroupHeads,
  trainMultiLabelHead,
  type Head,
  type HeadConfig,
  type TuningSet,
} from '../train/index.js';
import { bestF1Thresholds, targetPrecisionThresholds, type ScoredImage } from '../evaluate/index.js';
import { fitHeadPipeline, describeConfig, type PipelineParams } from './head-pipeline.js';

export interface LabelSetResult {
  head: Head;
  thresholds: number[];
  thresholdMethod: string;
  /** What was tried and chosen, for tuning.json. */
  tuning: Record<string, unknown>;
}

type Hooks = { signal?: AbortSignal; onTried?: (line: string, done: number, planned: number) => void; onFit?: (step: number, total: number, loss: number) => void };

/**
 * One head per group over the same images (`sets[g].y` is each image's value index in `groups[g]`),
 * stacked; thresholds in the stacked label order.
 */
export function fitGroupsPipeline(groups: readonly LabelGroup[], sets: readonly TuningSet[], params: PipelineParams, hooks: Hooks = {}): LabelSetResult {
  groups.forEach((g) => {
    if (g.values.length < 2) throw new SkulensError('ERR_LABEL_GROUP_INVALID', { label: `${g.name}:${g.values[0]}`, detail: `group "${g.name}" has one value on every photo; a group needs at least two values to learn` });
  });
  // The group with the most values is the hardest: its search decides the head for every group.
  const lead = sets.reduce((best, set, g) => (set.numClasses > sets[best]!.numClasses ? g : best), 0);
  const leadResult = fitHeadPipeline(sets[lead]!, params, hooks);
  const winner: HeadConfig = leadResult.tuning.winner;
  const heads: Head[] = [];
  const thresholds: number[] = [];
  const perGroup: Record<string, unknown>[] = [];
  sets.forEach((set, g) => {
    if (g === lead) {
      heads.push(leadResult.head);
      thresholds.push(...leadResult.thresholds);
      perGroup.push({ group: groups[g]!.name, values: set.numClasses, searched: true });
      return;
    }
    const folds = groupedStratifiedFolds(set.y, set.groups, 3, params.seed);
    const cv = crossValidateConfig(set, folds, winner, params.seed, hooks.signal);
    const scored: ScoredImage[] = cv.outOfFold.map((probs, i) => ({ image: String(i), truth: set.y[i]!, probs }));
    thresholds.push(...(params.targetPrecision === undefined ? bestF1Thresholds(set.numClasses, scored) : targetPrecisionThresholds(set.numClasses, scored, params.targetPrecision)));
    heads.push(fitConfig(set, Int32Array.from({ length: set.y.length }, (_, i) => i), winner, params.seed, hooks.signal, hooks.onFit));
    perGroup.push({ group: groups[g]!.name, values: set.numClasses, cvAccuracy: cv.accuracy, cvMacroF1: cv.macroF1 });
    hooks.onTried?.(`${groups[g]!.name}: ${describeConfig(winner)}: CV accuracy ${cv.accuracy.toFixed(3)}`, g + 1, sets.length);
  });
  return {
    head: stackGroupHeads(heads),
    thresholds,
    thresholdMethod: leadResult.thresholdMethod,
    tuning: { ...leadResult.tuning, searchedOn: groups[lead]!.name, groups: perGroup },
  };
}

/** Candidate L2 strengths of the multi-label head (on standardised features). */
export const MULTI_C_GRID = Object.freeze([0.1, 0.03, 0.3]);

/**
 * One sigmoid per label. `Y[i]` lists image i's label indexes; `clusters` are its near-duplicate
 * clusters (a cluster never spans two folds).
 */
export function fitMultiPipeline(X: readonly Float32Array[], Y: readonly (readonly number[])[], numLabels: number, clusters: Int32Array, params: PipelineParams, hooks: Hooks = {}): LabelSetResult {
  // Folds are stratified on each image's rarest label, so a rare label lands in every fold it can.
  const frequency = new Array<number>(numLabels).fill(0);
  for (const labels of Y) for (const k of labels) frequency[k]!++;
  const strata = Int32Array.from(Y, (labels) => labels.reduce((rarest, k) => (frequency[k]! < frequency[rarest]! ? k : rarest), labels[0] ?? 0));
  const folds = groupedStratifiedFolds(strata, clusters, 3, params.seed);
  const grid = params.C === 'auto' ? MULTI_C_GRID : [params.C];
  const tried: { C: number; microF1: number }[] = [];
  let best: { C: number; microF1: number; outOfFold: MultiScoredImage[] } | undefined;
  grid.forEach((C, t) => {
    const outOfFold: MultiScoredImage[] = new Array(X.length);
    for (let f = 0; f <= Math.max(...folds); f++) {
      const inFold = X.map((_, i) => i).filter((i) => folds[i] !== f);
      const head = trainMultiLabelHead(inFold.map((i) => X[i]!), inFold.map((i) => Y[i]!), numLabels, { C, signal: hooks.signal });
      folds.forEach((fold, i) => {
        if (fold === f) outOfFold[i] = { image: String(i), truths: Y[i]!, probs: sigmoidProbabilities(head, X[i]!) };
      });
    }
    const microF1 = microF1At(outOfFold, multiLabelThresholds(numLabels, outOfFold, params.targetPrecision));
    tried.push({ C, microF1 });
    if (!best || microF1 > best.microF1 + 1e-12) best = { C, microF1, outOfFold };
    hooks.onTried?.(`sigmoid C=${C}: CV micro-F1 ${microF1.toFixed(3)}`, t + 1, grid.length);
  });
  const head = trainMultiLabelHead(X, Y, numLabels, { C: best!.C, signal: hooks.signal, onProgress: hooks.onFit });
  return {
    head,
    thresholds: multiLabelThresholds(numLabels, best!.outOfFold, params.targetPrecision),
    thresholdMethod: params.targetPrecision === undefined ? 'best F1 per label on out-of-fold training predictions' : `lowest threshold with precision >= ${params.targetPrecision} on out-of-fold training predictions`,
    tuning: { method: 'grouped-cv', folds: 3, head: 'sigmoid per label', tried, winner: { C: best!.C } },
  };
}

function microF1At(scored: readonly MultiScoredImage[], thresholds: readonly number[]): number {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (const { truths, probs } of scored) {
    for (let k = 0; k < thresholds.length; k++) {
      const predicted = probs[k]! >= Math.fround(thresholds[k]!);
      const truth = truths.includes(k);
      if (predicted && truth) tp++;
      else if (predicted) fp++;
      else if (truth) fn++;
    }
  }
  return tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
}
