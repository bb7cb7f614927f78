// Near-duplicate clusters: images whose dHashes differ in at most NEAR_DUPLICATE_BITS bits, joined
// transitively (union-find). Used as cross-validation groups and reported by the health check.
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

/** Cluster id of each hash (the smallest index in its cluster). O(n^2) comparisons of two words each. */
export function nearDuplicateClusters(dhashes: readonly string[], maxBits = NEAR_DUPLICATE_BITS): Int32Array {
  const n = dhashes.length;
  const hi = Uint32Array.from(dhashes, (h) => Number.parseInt(h.slice(0, 8), 16));
  const lo = Uint32Array.from(dhashes, (h) => Number.parseInt(h.slice(8, 16), 16));
  const parent = Int32Array.from({ length: n }, (_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]!]!;
      i = parent[i]!;
    }
    return i;
  };
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      if (popcount(hi[i]! ^ hi[j]!) + popcount(lo[i]! ^ lo[j]!) <= maxBits) {
        const a = find(i);
        const b = find(j);
        if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
      }
    }
  }
  return Int32Array.from({ length: n }, (_, i) => find(i));
}
