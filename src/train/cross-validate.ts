// Grouped, stratified k-fold cross-validation on the training set only, used to pick the head's
// regularisation. Whole groups (near-duplicate clusters: bursts of shots of one item) stay inside one
// fold, because random folds put near-twins on both sides and flatter every setting.
import { SkulensError } from '../errors.js';
import { headProbabilities } from './probabilities.js';
import { mulberry32, shuffleInPlace } from './random.js';
import { trainHead } from './train-head.js';
import type { HeadTrainingOptions } from './types.js';

/**
 * Assigns each sample a fold in [0, k): groups are dealt out in seeded order, each to the fold that
 * holds the fewest samples of the group's most common label (stratification), ties to the smaller fold.
 */
export function groupedStratifiedFolds(y: ArrayLike<number>, groups: ArrayLike<number>, k: number, seed: number): Int32Array {
  const members = new Map<number, number[]>();
  for (let i = 0; i < y.length; i++) {
    const list = members.get(groups[i]!) ?? [];
    list.push(i);
    members.set(groups[i]!, list);
  }
  const order = [...members.keys()].sort((a, b) => a - b);
  shuffleInPlace(order, mulberry32(seed));
  // Big groups first, so they are spread before the small ones fill the gaps.
  order.sort((a, b) => members.get(b)!.length - members.get(a)!.length);
  const numLabels = Math.max(...Array.from(y)) + 1;
  const perLabel = Array.from({ length: k }, () => new Float64Array(numLabels));
  const sizes = new Float64Array(k);
  const folds = new Int32Array(y.length);
  for (const group of order) {
    const list = members.get(group)!;
    const counts = new Map<number, number>();
    for (const i of list) counts.set(y[i]!, (counts.get(y[i]!) ?? 0) + 1);
    const label = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]![0];
    let best = 0;
    for (let f = 1; f < k; f++) {
      const a = perLabel[f]![label]!;
      const b = perLabel[best]![label]!;
      if (a < b || (a === b && sizes[f]! < sizes[best]!)) best = f;
    }
    for (const i of list) {
      folds[i] = best;
      perLabel[best]![y[i]!]! += 1;
      sizes[best]! += 1;
    }
  }
  return folds;
}

export interface CvScore {
  C: number;
  accuracy: number;
  seconds: number;
}

/** Out-of-fold accuracy of each C in `grid`; returns every score and the best C (ties: the smaller C). */
export function selectC(
  X: Float32Array[],
  y: ArrayLike<number>,
  numClasses: number,
  folds: Int32Array,
  grid: readonly number[],
  options: HeadTrainingOptions = {},
  onScore?: (score: CvScore, index: number) => void,
): { best: number; scores: CvScore[] } {
  const k = Math.max(...folds) + 1;
  if (k < 2) throw new SkulensError('ERR_TRAINING_INVALID', { detail: 'cross-validation needs at least 2 folds' });
  const scores: CvScore[] = [];
  for (const C of grid) {
    const start = performance.now();
    let correct = 0;
    for (let f = 0; f < k; f++) {
      const trainIdx: number[] = [];
      const testIdx: number[] = [];
      for (let i = 0; i < X.length; i++) (folds[i] === f ? testIdx : trainIdx).push(i);
      const head = trainHead(trainIdx.map((i) => X[i]!), trainIdx.map((i) => y[i]!), numClasses, { ...options, C, onProgress: undefined });
      for (const i of testIdx) {
        const p = headProbabilities(head, X[i]!);
        let arg = 0;
        for (let c = 1; c < p.length; c++) if (p[c]! > p[arg]!) arg = c;
        if (arg === y[i]) correct += 1;
      }
    }
    const score = { C, accuracy: correct / X.length, seconds: (performance.now() - start) / 1000 };
    scores.push(score);
    onScore?.(score, scores.length - 1);
  }
  const best = scores.reduce((a, b) => (b.accuracy > a.accuracy + 1e-12 ? b : a));
  return { best: best.C, scores };
}
