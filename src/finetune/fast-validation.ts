// The fast path's validation split and thresholds: whole near-duplicate groups of the training photos held
// out in folds that are the same in every version of a project (the evaluated images never enter), and best-F1 thresholds from them (mid-gap), shrunk toward a pooled one;
// for a groups head, a softmax per segment and the same rule within each group; for a multi-label head, a
// sigmoid per label and its best-F1 threshold, as the frozen multi path fits its out-of-fold ones.
import { DEFAULT_SPLIT_SEED, heldFold, stableFolds } from '../dataset/index.js';
import { SkulensError } from '../errors.js';
import { bestF1Index, DEFAULT_THRESHOLD, labelOperatingPoints, multiLabelThresholds, type MultiScoredImage, type OperatingPoints, type ScoredImage } from '../evaluate/index.js';
import { calibrateSoftmax, sigmoid, softmax, type Calibration } from '../train/index.js';
import type { FastItem, FastParams } from './fast.js';
import type { FastHeads } from './fast-protocol.js';

/** What the folds read of a training photo: its content hash (the fold key) and its near-duplicate hash. */
export type FoldPhoto = Pick<FastItem, 'sha256' | 'dhash'>;

/** Which photos train a member and which it holds out. */
export interface MemberSplit {
  train: number[];
  val: number[];
}

/** What memberSplits needs to know of a warm start's parent, to hold out only photos its members never saw. */
export interface ParentFolds {
  /** The photos the parent version trained on (its training split, validation folds included). */
  items: readonly { sha256: string; dhash: string }[];
  members: number;
  valFraction: number;
}

export interface MemberSplitOptions {
  /** The project's split seed (DEFAULT_SPLIT_SEED unless `datasets distribute --seed` set another): the folds' key. */
  splitSeed?: number;
  /** A warm start's parent: a photo that member m's starting blocks trained on is never scored by member m. */
  parent?: ParentFolds;
}

/**
 * Holds out whole near-duplicate groups for thresholds; the caller's test images never enter. Folds are
 * stableFolds (about 1 / valFraction of them, a pure function of each photo's sha256 and the project's
 * split seed, never of the training seed), so they are the same in every version of a project: member m
 * holds out fold m, with two members every photo trains at least one of them, and a warm start's member m
 * holds out what its parent's member m held out, plus photos added since. With `parent`, a photo the
 * parent's member (m mod its members) trained on moves to member m's training side: the held-out photos
 * are exactly photos that member never saw.
 */
export function memberSplits(train: readonly FoldPhoto[], params: Pick<FastParams, 'valFraction' | 'seed' | 'members'>, options: MemberSplitOptions = {}): MemberSplit[] {
  const k = foldCount(train.length, params.valFraction);
  const folds = stableFolds(train, k, options.splitSeed ?? DEFAULT_SPLIT_SEED);
  const seen = options.parent ? seenByParentMember(options.parent, options.splitSeed ?? DEFAULT_SPLIT_SEED) : undefined;
  return Array.from({ length: params.members }, (_, m) => {
    const fold = heldFold(folds, m % k, k, train, options.splitSeed ?? DEFAULT_SPLIT_SEED);
    const sawIt = seen?.[m % options.parent!.members];
    const split: MemberSplit = { train: [], val: [] };
    folds.forEach((f, i) => (f === fold && !sawIt?.has(train[i]!.sha256) ? split.val : split.train).push(i));
    if (split.val.length === 0 || split.train.length === 0) throw new SkulensError('ERR_TRAINING_INVALID', { detail: `${train.length} training images are too few to hold out a validation split` });
    return split;
  });
}

function foldCount(n: number, valFraction: number): number {
  return Math.max(2, Math.min(n, Math.round(1 / valFraction)));
}

/** For each of the parent's members, the sha256 of the photos it trained on. */
function seenByParentMember(parent: ParentFolds, seed: number): Set<string>[] {
  const k = foldCount(parent.items.length, parent.valFraction);
  const folds = stableFolds(parent.items, k, seed);
  return Array.from({ length: parent.members }, (_, s) => {
    const fold = heldFold(folds, s % k, k, parent.items, seed);
    return new Set(parent.items.filter((_, i) => folds[i] !== fold).map((item) => item.sha256));
  });
}

/** The one-member split (fold 0 held out): the fast path's and the fine-tune's validation split. */
export function groupedValidation(train: readonly FoldPhoto[], params: Pick<FastParams, 'valFraction' | 'seed'>, options: MemberSplitOptions = {}): { trainIdx: number[]; valIdx: number[] } {
  const [split] = memberSplits(train, { ...params, members: 1 }, options);
  return { trainIdx: split!.train, valIdx: split!.val };
}

/**
 * The best-F1 threshold in the middle of the gap it leaves: halfway between the lowest score it accepts and
 * the highest it rejects (no threshold in that gap changes the answers on these photos). The tie rule of
 * evaluate's bestF1Thresholds (the highest threshold) sits on the lowest accepted score, which on an easy
 * validation split (grocery's, 0.99 right) is far above where new photos of the label score.
 */
export function midGapF1Threshold(points: OperatingPoints): number {
  const best = bestF1Index(points);
  if (best < 0) return DEFAULT_THRESHOLD;
  const below = best + 1 < points.thresholds.length ? points.thresholds[best + 1]! : 0;
  return (points.thresholds[best]! + below) / 2;
}

function midGapF1Thresholds(numLabels: number, scored: readonly ScoredImage[]): number[] {
  return Array.from({ length: numLabels }, (_, k) => midGapF1Threshold(labelOperatingPoints(k, scored)));
}

/** Validation positives at which a label's own best-F1 threshold and the pooled one weigh the same. */
const THRESHOLD_PRIOR = 10;

/**
 * Best-F1 thresholds from a validation split, each shrunk toward the pooled (micro) best-F1 threshold
 * of all labels: t = (n t_label + m t_pooled) / (n + m) for a label with n validation positives. A
 * validation split holds a few photos per label (about 3 on an 81-label set), and a best-F1 threshold
 * from 3 well-separated scores is simply the lowest of them: often 0.9 and more, which would turn most
 * test photos of that label into "unknown".
 */
export function pooledF1Thresholds(numLabels: number, scored: readonly ScoredImage[], prior = THRESHOLD_PRIOR): number[] {
  const own = midGapF1Thresholds(numLabels, scored);
  // All (image, label) pairs as one two-class problem: "is this image of this label", scored by its probability.
  const pairs: ScoredImage[] = scored.flatMap((s) =>
    Array.from({ length: numLabels }, (_, k) => ({ image: s.image, truth: s.truth === k ? 0 : 1, probs: Float32Array.of(s.probs[k]!, 1 - s.probs[k]!) })),
  );
  const pooled = pairs.length ? midGapF1Thresholds(2, pairs)[0]! : own[0]!;
  const positives = new Array<number>(numLabels).fill(0);
  for (const s of scored) positives[s.truth]! += 1;
  return own.map((t, k) => (positives[k]! * t + prior * pooled) / (positives[k]! + prior));
}

/**
 * Calibration from the held-out logits of a one-softmax head (`heldOut[k]` is the training item of row k
 * of `valLogits`, scored by the member that never saw it: the stand-in for the served score, which is the
 * members' mean logits): a temperature to divide the served head by and ANSWER_PROBABILITY for every
 * label (src/train/temperature.ts). Groups and multi-label heads keep their per-label thresholds: null.
 */
export function heldOutCalibration(valLogits: Float32Array, items: readonly FastItem[], heldOut: readonly number[], numLabels: number, heads?: FastHeads): Calibration | null {
  if (heads !== undefined) return null;
  const rows = heldOut.map((_, k) => Float64Array.from(valLogits.subarray(k * numLabels, (k + 1) * numLabels)));
  return calibrateSoftmax(rows, heldOut.map((i) => items[i]!.label), numLabels);
}

/**
 * Thresholds and accuracy from the held-out photos' logits (`heldOut[k]` is the training item of row k of
 * `valLogits`), for the head as trained (uncalibrated). One softmax: pooled best-F1 thresholds
 * (pooledF1Thresholds), and `calibration` (heldOutCalibration), which a caller that serves the head divided
 * by its temperature uses instead. Groups: a softmax per segment,
 * each group's pooled best-F1 thresholds over the photos with a value in it, and the accuracy of every group
 * right at once. (The frozen groups path's rule, bestF1Thresholds, left 49% of grocery val photos without a
 * product and 36% without a type: the held-out photos are 0.98 right, so their lowest accepted scores sit far
 * above where new photos score; the single-label fast path met the same and moved to this rule.) Multi: a sigmoid per label,
 * best-F1 thresholds per label (multiLabelThresholds, as the frozen multi path), and the exact-match share at them.
 */
export function heldOutFit(valLogits: Float32Array, items: readonly FastItem[], heldOut: readonly number[], numLabels: number, heads?: FastHeads): { thresholds: number[]; accuracy: number; calibration: Calibration | null } {
  const row = (k: number): Float32Array => valLogits.subarray(k * numLabels, (k + 1) * numLabels);
  const calibration = heldOutCalibration(valLogits, items, heldOut, numLabels, heads);
  if (heads === undefined) {
    const scored: ScoredImage[] = heldOut.map((i, k) => ({ image: items[i]!.name, truth: items[i]!.label, probs: softmax(Float64Array.from(row(k))) }));
    const correct = scored.filter((s) => argmax(s.probs) === s.truth).length;
    return { thresholds: pooledF1Thresholds(numLabels, scored), accuracy: scored.length ? correct / scored.length : 0, calibration };
  }
  if (heads.kind === 'multi') {
    const scored: MultiScoredImage[] = heldOut.map((i, k) => ({ image: items[i]!.name, truths: items[i]!.targets!, probs: row(k).map(sigmoid) }));
    const thresholds = multiLabelThresholds(numLabels, scored);
    const exact = scored.filter((s) => s.probs.every((p, k) => p >= Math.fround(thresholds[k]!) === s.truths.includes(k))).length;
    return { thresholds, accuracy: scored.length ? exact / scored.length : 0, calibration };
  }
  const thresholds: number[] = [];
  const right = heldOut.map(() => true);
  let offset = 0;
  heads.sizes.forEach((size, g) => {
    const scored: ScoredImage[] = [];
    heldOut.forEach((i, k) => {
      const truth = items[i]!.targets![g]!;
      if (truth < 0) return;
      const probs = softmax(Float64Array.from(row(k).subarray(offset, offset + size)));
      if (argmax(probs) !== truth) right[k] = false;
      scored.push({ image: items[i]!.name, truth, probs });
    });
    thresholds.push(...pooledF1Thresholds(size, scored));
    offset += size;
  });
  return { thresholds, accuracy: heldOut.length ? right.filter(Boolean).length / heldOut.length : 0, calibration };
}

export function argmax(p: Float32Array): number {
  let best = 0;
  for (let k = 1; k < p.length; k++) if (p[k]! > p[best]!) best = k;
  return best;
}
