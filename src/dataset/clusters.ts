// Near-duplicate clusters: images whose dHashes differ in at most NEAR_DUPLICATE_BITS bits, joined
// transitively (union-find). Used as cross-validation groups and reported by the health check.
// Found by multi-index hashing: cut the 64 bits into maxBits + 1 blocks; two hashes within maxBits
// bits agree exactly on at least one block (pigeonhole), so only hashes sharing a block value are
// compared. Identical hashes are joined first and indexed once. Near-linear on real photo sets
// (250,000 hashes in about a second) where comparing every pair took hours.
export const NEAR_DUPLICATE_BITS = 4;

function popcount(x: number): number {
  let v = x >>> 0;
  v -= (v >>> 1) & 0x55555555;
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** Bits that differ between two 64-bit dHashes given as 16 hex digits. */
export function dhashDistance(a: string, b: string): number {
  return (
    popcount(Number.parseInt(a.slice(0, 8), 16) ^ Number.parseInt(b.slice(0, 8), 16)) +
    popcount(Number.parseInt(a.slice(8, 16), 16) ^ Number.parseInt(b.slice(8, 16), 16))
  );
}

/** Union-find whose root is always the smallest index of its set. */
function unionFind(n: number): { find(i: number): number; union(a: number, b: number): void; roots(): Int32Array } {
  const parent = Int32Array.from({ length: n }, (_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]!]!;
      i = parent[i]!;
    }
    return i;
  };
  return {
    find,
    union(a: number, b: number): void {
      const x = find(a);
      const y = find(b);
      if (x !== y) parent[Math.max(x, y)] = Math.min(x, y);
    },
    roots: () => Int32Array.from({ length: n }, (_, i) => find(i)),
  };
}

function words(dhashes: readonly string[]): { hi: Uint32Array; lo: Uint32Array } {
  return { hi: Uint32Array.from(dhashes, (h) => Number.parseInt(h.slice(0, 8), 16)), lo: Uint32Array.from(dhashes, (h) => Number.parseInt(h.slice(8, 16), 16)) };
}

/** Bits [start, start + length) of the 64-bit value hi:lo (bit 0 = lowest bit of lo), length <= 32. */
function bitsOf(hi: number, lo: number, start: number, length: number): number {
  let value: number;
  if (start >= 32) value = hi >>> (start - 32);
  else if (start + length <= 32) value = lo >>> start;
  else value = (lo >>> start) | (hi << (32 - start));
  return length === 32 ? value >>> 0 : (value & ((1 << length) - 1)) >>> 0;
}

/**
 * Cluster id of each hash (the smallest index in its cluster), by multi-index hashing (see the header).
 * Same answer as {@link nearDuplicateClustersPairwise}.
 */
export function nearDuplicateClusters(dhashes: readonly string[], maxBits = NEAR_DUPLICATE_BITS): Int32Array {
  const n = dhashes.length;
  const sets = unionFind(n);
  // Identical hashes (a burst of one shot, blank images) join at once and are indexed once.
  const firstOf = new Map<string, number>();
  const unique: number[] = [];
  for (let i = 0; i < n; i++) {
    const key = dhashes[i]!.toLowerCase();
    const first = firstOf.get(key);
    if (first === undefined) (firstOf.set(key, i), unique.push(i));
    else sets.union(first, i);
  }
  if (maxBits <= 0) return sets.roots();
  const { hi, lo } = words(unique.map((i) => dhashes[i]!));
  const blocks = Math.min(64, maxBits + 1);
  const tables = Array.from({ length: blocks }, () => new Map<number, number[]>());
  for (let u = 0; u < unique.length; u++) {
    for (let b = 0; b < blocks; b++) {
      const start = Math.floor((b * 64) / blocks);
      const value = bitsOf(hi[u]!, lo[u]!, start, Math.floor(((b + 1) * 64) / blocks) - start);
      const bucket = tables[b]!.get(value);
      if (bucket) {
        // Earlier hashes sharing this block: compare in full (a pair met in two blocks is compared twice, harmlessly).
        for (const v of bucket) if (popcount(hi[u]! ^ hi[v]!) + popcount(lo[u]! ^ lo[v]!) <= maxBits) sets.union(unique[u]!, unique[v]!);
        bucket.push(u);
      } else {
        tables[b]!.set(value, [u]);
      }
    }
  }
  return sets.roots();
}

/**
 * For each query hash, the smallest index of a corpus hash within `maxBits` bits of it, or -1: what
 * `corpus.findIndex((h) => dhashDistance(h, q) <= maxBits)` answers, by the same multi-index hashing
 * (the health check's train/test leakage test, near-linear instead of test x train comparisons).
 */
export function firstNearDuplicate(queries: readonly string[], corpus: readonly string[], maxBits = NEAR_DUPLICATE_BITS): Int32Array {
  const c = words(corpus);
  const q = words(queries);
  const blocks = Math.min(64, maxBits + 1);
  const bounds = Array.from({ length: blocks + 1 }, (_, b) => Math.floor((b * 64) / blocks));
  const tables = Array.from({ length: blocks }, () => new Map<number, number[]>());
  // Buckets hold corpus indices in increasing order, so the first match met in a bucket is its smallest.
  for (let i = 0; i < corpus.length; i++) {
    for (let b = 0; b < blocks; b++) {
      const value = bitsOf(c.hi[i]!, c.lo[i]!, bounds[b]!, bounds[b + 1]! - bounds[b]!);
      const bucket = tables[b]!.get(value);
      if (bucket) bucket.push(i);
      else tables[b]!.set(value, [i]);
    }
  }
  return Int32Array.from({ length: queries.length }, (_, k) => {
    let best = -1;
    for (let b = 0; b < blocks; b++) {
      const bucket = tables[b]!.get(bitsOf(q.hi[k]!, q.lo[k]!, bounds[b]!, bounds[b + 1]! - bounds[b]!));
      if (!bucket) continue;
      for (const i of bucket) {
        if (best >= 0 && i >= best) break;
        if (popcount(q.hi[k]! ^ c.hi[i]!) + popcount(q.lo[k]! ^ c.lo[i]!) <= maxBits) {
          best = i;
          break;
        }
      }
    }
    return best;
  });
}

/** The former O(n^2) method, every pair compared: the reference for tests and the growth benchmark. */
export function nearDuplicateClustersPairwise(dhashes: readonly string[], maxBits = NEAR_DUPLICATE_BITS): Int32Array {
  const n = dhashes.length;
  const { hi, lo } = words(dhashes);
  const sets = unionFind(n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) if (popcount(hi[i]! ^ hi[j]!) + popcount(lo[i]! ^ lo[j]!) <= maxBits) sets.union(i, j);
  }
  return sets.roots();
}
