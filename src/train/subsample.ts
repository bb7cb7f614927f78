// How the tuner scales to Rekognition's 250,000 images: above a size it tunes on a grouped, stratified
// subsample (whole near-duplicate clusters, each label in proportion, seeded), and above an amount of
// work it fits every head with the mini-batch solver. Small sets take neither path, so their results
// stay bit-identical to the exact search.
import { mulberry32, shuffleInPlace } from './random.js';

/** Above this many training images, tuning runs on a subsample of about this size. */
export const SUBSAMPLE_IMAGES = 20_000;
/**
 * Above this much work (rows x classes x embedding length: 2^29, e.g. 4,200 images x 100 labels x
 * 1,280), heads are fitted by mini-batch Adam on onnxruntime instead of full-batch L-BFGS in JS,
 * which needs hours there (one L-BFGS iteration at 10,000 x 250 x 1,280 took 183 s).
 */
export const MINIBATCH_WORK = 2 ** 29;

/**
 * About `limit` image indices (sorted) made of whole groups: groups are visited in seeded order and a
 * group is taken while its majority label is under its quota (limit x the label's share, at least 1;
 * a label may overshoot by less than one group),
 * so every label is present, near-duplicates never straddle the cut, and the same seed gives the same
 * subsample. Returns every index when the set holds at most `limit` images.
 *
 * @example
 * groupedStratifiedSubsample(y, groups, 20_000, 1); // Int32Array of ~20,000 indices, each label in proportion
 */
export function groupedStratifiedSubsample(y: ArrayLike<number>, groups: ArrayLike<number>, limit: number, seed: number): Int32Array {
  const n = y.length;
  if (n <= limit) return Int32Array.from({ length: n }, (_, i) => i);
  const members = new Map<number, number[]>();
  const counts = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const list = members.get(groups[i]!) ?? [];
    list.push(i);
    members.set(groups[i]!, list);
    counts.set(y[i]!, (counts.get(y[i]!) ?? 0) + 1);
  }
  const quota = new Map([...counts].map(([label, count]) => [label, Math.max(1, Math.round((limit * count) / n))]));
  const order = shuffleInPlace([...members.keys()].sort((a, b) => a - b), mulberry32(seed));
  const taken: number[] = [];
  for (const group of order) {
    const list = members.get(group)!;
    const label = majority(list, y);
    const left = quota.get(label)!;
    // Taken while the label is under quota: its first group always (every label present), and a
    // label overshoots by less than one group.
    if (left <= 0) continue;
    quota.set(label, left - list.length);
    taken.push(...list);
  }
  return Int32Array.from(taken).sort();
}

function majority(list: readonly number[], y: ArrayLike<number>): number {
  const tally = new Map<number, number>();
  for (const i of list) tally.set(y[i]!, (tally.get(y[i]!) ?? 0) + 1);
  return [...tally.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]![0];
}
