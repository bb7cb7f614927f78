// The automatic train/test split: stratified by label, whole near-duplicate clusters to one side, and
// stable: photos that already have a side keep it, so adding photos never moves one. Each photo's draw
// key is a keyed hash of its content (sha256) and the project's split seed, so the same photos and seed
// give the same split on any machine, in any order. Also the validation folds inside the training photos
// (stableFolds), a pure function of each photo's sha256 and the seed, the same in every version.
import { createHash } from 'node:crypto';
import type { Split } from '../registry/index.js';
import { nearDuplicateClusters } from './clusters.js';

export const DEFAULT_SPLIT_SEED = 42;
export const DEFAULT_TEST_FRACTION = 0.2;

/** One photo to split: `label` is the label it is stratified on (a multi-label photo's first label). */
export interface SplitItem {
  id: number;
  label: string;
  sha256: string;
  dhash: string;
}

/** A photo whose side is already settled: drawn earlier (`given` false) or given by the source. */
export interface FixedItem extends SplitItem {
  split: Split;
  given: boolean;
}

/** The draw key of a photo: a keyed hash of its content, the same on every machine and in every order. */
export function drawKey(seed: number, sha256: string): string {
  return createHash('sha256').update(`${seed}:${sha256}`).digest('hex');
}

/**
 * Sides for `fresh` photos; `fixed` photos keep theirs. Near-duplicate clusters (dHash, as the health check
 * and cross-validation find them) go whole to one side: a fresh photo near a fixed one takes that photo's
 * side (the fixed member with the smallest draw key, when there are several). The other clusters are dealt in
 * draw-key order, per label, until the label's automatically split photos (earlier and fresh) hold
 * round(testFraction * n) test photos: at least one for a label of two or more, never all of them.
 *
 * @example
 * // First import: nothing fixed. A later import: the earlier photos as fixed, only the new ones drawn.
 * const sides = drawSplit(newPhotos, earlierPhotos, 42);
 */
export function drawSplit(fresh: readonly SplitItem[], fixed: readonly FixedItem[], seed = DEFAULT_SPLIT_SEED, testFraction = DEFAULT_TEST_FRACTION): Map<number, Split> {
  const all: (SplitItem & { fixed?: FixedItem })[] = [...fixed.map((f) => ({ ...f, fixed: f })), ...fresh];
  const keys = all.map((item) => drawKey(seed, item.sha256));
  const clusterOf = nearDuplicateClusters(all.map((item) => item.dhash));
  const clusters = new Map<number, number[]>();
  all.forEach((_, i) => {
    const members = clusters.get(clusterOf[i]!);
    if (members) members.push(i);
    else clusters.set(clusterOf[i]!, [i]);
  });
  const byKey = (a: number, b: number): number => (keys[a]! < keys[b]! ? -1 : keys[a]! > keys[b]! ? 1 : a - b);

  // Per label: automatically split photos, and those on the test side so far.
  const autos = new Map<string, number>();
  const tests = new Map<string, number>();
  const bump = (map: Map<string, number>, label: string, by = 1): void => void map.set(label, (map.get(label) ?? 0) + by);
  for (const item of all) {
    if (item.fixed?.given) continue;
    bump(autos, item.label);
    if (item.fixed?.split === 'test') bump(tests, item.label);
  }
  const result = new Map<number, Split>();
  const assign = (members: readonly number[], side: Split): void => {
    for (const i of members) {
      if (all[i]!.fixed) continue;
      result.set(all[i]!.id, side);
      if (side === 'test') bump(tests, all[i]!.label);
    }
  };

  const open: number[][] = [];
  for (const members of clusters.values()) {
    const settled = members.filter((i) => all[i]!.fixed).sort(byKey);
    if (settled.length > 0) assign(members, all[settled[0]!]!.fixed!.split);
    else open.push([...members].sort(byKey));
  }
  open.sort((a, b) => byKey(a[0]!, b[0]!));

  const wanted = (label: string): number => {
    const n = autos.get(label) ?? 0;
    return n >= 2 ? Math.min(n - 1, Math.max(1, Math.round(testFraction * n))) : 0;
  };
  const counts = (members: readonly number[]): Map<string, number> => {
    const c = new Map<string, number>();
    for (const i of members) bump(c, all[i]!.label);
    return c;
  };
  const fits = (members: readonly number[]): boolean => [...counts(members)].every(([label, c]) => (tests.get(label) ?? 0) + c <= wanted(label));
  const dealt = new Set<number[]>();
  for (const members of open) {
    if (!fits(members)) continue;
    assign(members, 'test');
    dealt.add(members);
  }
  // A label whose clusters are all larger than its share still gets one test cluster (its smallest) when
  // that leaves it a training photo: otherwise it could never be evaluated.
  for (const label of [...autos.keys()].sort()) {
    if ((tests.get(label) ?? 0) > 0 || wanted(label) === 0) continue;
    const candidates = open.filter((m) => !dealt.has(m) && counts(m).has(label) && (autos.get(label) ?? 0) - counts(m).get(label)! >= 1);
    candidates.sort((a, b) => a.length - b.length || byKey(a[0]!, b[0]!));
    if (candidates[0]) {
      assign(candidates[0], 'test');
      dealt.add(candidates[0]);
    }
  }
  for (const members of open) if (!dealt.has(members)) assign(members, 'train');
  return result;
}

/** The split of photos with nothing settled before: {@link drawSplit} with no fixed photos (what `datasets distribute` draws). */
export function stratifiedSplit(items: readonly SplitItem[], seed = DEFAULT_SPLIT_SEED, testFraction = DEFAULT_TEST_FRACTION): Map<number, Split> {
  return drawSplit(items, [], seed, testFraction);
}

/**
 * Cross-validation folds that stay put: photo i's fold in [0, k), a function of its sha256 and `seed` alone
 * (a keyed hash cut into k equal ranges), so the same photo is in the same fold in every version of a project,
 * whatever was added or removed. A near-duplicate cluster takes the fold of its member with the smallest key,
 * so a burst never straddles two folds; only a photo that joins a cluster with a smaller key moves it.
 *
 * @example
 * // Member m of the fast path holds out fold m; a warm start's member m then holds out what its parent's never saw.
 * const folds = stableFolds(train, 20, projectSplitSeed);
 */
export function stableFolds(items: readonly { sha256: string; dhash: string }[], k: number, seed = DEFAULT_SPLIT_SEED): Int32Array {
  const keys = items.map((item) => foldKey(seed, item.sha256));
  const clusters = nearDuplicateClusters(items.map((item) => item.dhash));
  const anchor = new Map<number, number>();
  keys.forEach((key, i) => anchor.set(clusters[i]!, Math.min(anchor.get(clusters[i]!) ?? 1, key)));
  return Int32Array.from(items, (_, i) => Math.min(k - 1, Math.floor(anchor.get(clusters[i]!)! * k)));
}

/**
 * The fold that stands for fold `m` of stableFolds(items, k, seed): `m` itself, or on a set so small that it is empty, the
 * fold of the photo whose key comes first at or after fold m's start, going round (the same rule in every version).
 */
export function heldFold(folds: Int32Array, m: number, k: number, items: readonly { sha256: string }[], seed = DEFAULT_SPLIT_SEED): number {
  if (folds.includes(m)) return m;
  let best = 0;
  let bestGap = Infinity;
  items.forEach((item, i) => {
    const gap = (foldKey(seed, item.sha256) - m / k + 1) % 1;
    if (gap < bestGap) (bestGap = gap), (best = i);
  });
  return folds[best]!;
}

/** A photo's place in [0, 1) for the folds: 52 bits of a keyed hash (independent of its draw key for the test split). */
export function foldKey(seed: number, sha256: string): number {
  return Number.parseInt(createHash('sha256').update(`fold:${seed}:${sha256}`).digest('hex').slice(0, 13), 16) / 2 ** 52;
}
