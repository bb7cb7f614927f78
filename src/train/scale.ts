// The large-set side of the tuner: which images the search runs on and with which solver (thresholds
// in subsample.ts), the subset view of a tuning set, and the winner's out-of-fold probabilities for
// the images the search did not see.
import { batchProbabilities } from './onnx-kernels.js';
import { headProbabilities } from './probabilities.js';
import { MINIBATCH_WORK, SUBSAMPLE_IMAGES, groupedStratifiedSubsample } from './subsample.js';
import type { TuningSet } from './tune.js';
import type { Head } from './types.js';

/** How heads are fitted: 'exact' (L-BFGS / JS Adam, bit-reproducible) or 'minibatch' (onnxruntime, large sets). */
export type Solver = 'exact' | 'minibatch';

/** Probabilities of the original view of `images`: in JS (exact) or in batches on onnxruntime. */
export function probabilitiesOf(head: Head, set: TuningSet, images: readonly number[], solver: Solver): Float32Array[] {
  const rows = images.map((i) => set.views[i]![0]!);
  return solver === 'minibatch' ? batchProbabilities(head, rows) : rows.map((row) => headProbabilities(head, row));
}

/** The images and solver a search runs with (see subsample.ts). */
export function scalePlan(set: TuningSet, options: { seed: number; subsampleImages?: number; minibatchWork?: number }): { images: Int32Array; solver: Solver } {
  const n = set.y.length;
  const dim = set.views[0]?.[0]?.length ?? 0;
  const solver: Solver = n * set.numClasses * dim > (options.minibatchWork ?? MINIBATCH_WORK) ? 'minibatch' : 'exact';
  return { images: groupedStratifiedSubsample(set.y, set.groups, options.subsampleImages ?? SUBSAMPLE_IMAGES, options.seed), solver };
}

/** The tuning set restricted to `images` (rows shared, not copied). */
export function subsetOf(set: TuningSet, images: Int32Array): TuningSet {
  return {
    views: Array.from(images, (i) => set.views[i]!),
    y: Int32Array.from(images, (i) => set.y[i]!),
    groups: Int32Array.from(images, (i) => set.groups[i]!),
    splits: Array.from(images, (i) => set.splits[i]!),
    numClasses: set.numClasses,
  };
}

/** The winner's out-of-fold probabilities for every image: the subsample's from CV, the rest from the fold models. */
export function outOfFoldOfAll(full: TuningSet, images: Int32Array, winner: { outOfFold: Float32Array[]; heads: Head[] }, solver: Solver): Float32Array[] {
  const out: Float32Array[] = new Array(full.y.length);
  images.forEach((i, j) => (out[i] = winner.outOfFold[j]!));
  const k = winner.heads.length;
  for (let f = 0; f < k; f++) {
    const rest: number[] = [];
    for (let i = f; i < full.y.length; i += k) if (out[i] === undefined) rest.push(i);
    probabilitiesOf(winner.heads[f]!, full, rest, solver).forEach((p, j) => (out[rest[j]!] = p));
  }
  return out;
}
