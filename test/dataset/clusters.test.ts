// The near-duplicate index (multi-index hashing on dHash bits) gives exactly the clusters of comparing
// every pair, on seeded random hashes with planted near-twins, chains, identical bursts and every
// threshold from 0 to 8 bits; and hand-made cases where the answer is known.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dhashDistance, firstNearDuplicate, nearDuplicateClusters, nearDuplicateClustersPairwise } from '../../src/dataset/clusters.js';
import { mulberry32 } from '../../src/train/index.js';

const hex = (hi: number, lo: number): string => (hi >>> 0).toString(16).padStart(8, '0') + (lo >>> 0).toString(16).padStart(8, '0');

/** `n` hashes: a third random, a third near-twins of earlier ones (1-6 bits flipped), some exact copies. */
function plantedHashes(n: number, seed: number): string[] {
  const random = mulberry32(seed);
  const word = (): number => Math.floor(random() * 2 ** 32);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const kind = random();
    if (i === 0 || kind < 0.4) out.push(hex(word(), word()));
    else if (kind < 0.9) {
      const base = out[Math.floor(random() * out.length)]!;
      let hi = Number.parseInt(base.slice(0, 8), 16);
      let lo = Number.parseInt(base.slice(8), 16);
      const flips = 1 + Math.floor(random() * 6);
      for (let f = 0; f < flips; f++) {
        const bit = Math.floor(random() * 64);
        if (bit < 32) lo ^= 1 << bit;
        else hi ^= 1 << (bit - 32);
      }
      out.push(hex(hi, lo));
    } else out.push(out[Math.floor(random() * out.length)]!);
  }
  return out;
}

test('the index finds exactly the clusters that comparing every pair finds, at every threshold from 0 to 8 bits', () => {
  for (const seed of [1, 2, 3]) {
    const hashes = plantedHashes(1500, seed);
    for (let maxBits = 0; maxBits <= 8; maxBits++) {
      assert.deepEqual(nearDuplicateClusters(hashes, maxBits), nearDuplicateClustersPairwise(hashes, maxBits), `seed ${seed}, ${maxBits} bits`);
    }
  }
});

test('clusters join transitively and each is named by its smallest index', () => {
  // a ~ b (3 bits), b ~ c (3 bits), a and c 6 bits apart; d far from all; e identical to d.
  const a = hex(0, 0);
  const b = hex(0, 0b111);
  const c = hex(0, 0b111111);
  const d = hex(0xffffffff, 0xffff0000);
  assert.equal(dhashDistance(a, c), 6);
  assert.deepEqual([...nearDuplicateClusters([d, a, b, c, d], 4)], [0, 1, 1, 1, 0]);
  assert.deepEqual([...nearDuplicateClusters([d, a, b, c, d], 2)], [0, 1, 2, 3, 0]);
});

test('a pair differing only across a block boundary is found (bits 12 and 13, 25 and 26, 31 and 32)', () => {
  for (const [x, y] of [[12, 13], [25, 26], [31, 32], [50, 63]] as const) {
    const flip = (bit: number): [number, number] => (bit < 32 ? [0, 1 << bit] : [1 << (bit - 32), 0]);
    const [h1, l1] = flip(x);
    const [h2, l2] = flip(y);
    const twin = hex(0x12345678 ^ h1 ^ h2, 0x9abcdef0 ^ l1 ^ l2);
    assert.deepEqual([...nearDuplicateClusters([hex(0x12345678, 0x9abcdef0), twin], 2)], [0, 0], `bits ${x} and ${y}`);
    assert.deepEqual([...nearDuplicateClusters([hex(0x12345678, 0x9abcdef0), twin], 1)], [0, 1]);
  }
});

test('thousands of identical hashes (blank photos) form one cluster without comparing every pair', () => {
  const hashes = [...Array.from({ length: 20_000 }, () => '0000000000000000'), 'ffffffffffffffff'];
  const clusters = nearDuplicateClusters(hashes);
  assert.equal(clusters[19_999], 0);
  assert.equal(clusters[20_000], 20_000);
});

test('an empty list has no clusters', () => {
  assert.deepEqual([...nearDuplicateClusters([])], []);
});

test('firstNearDuplicate answers what findIndex over the corpus answers: the first hash within the bits, or -1', () => {
  const corpus = plantedHashes(1200, 9);
  const queries = [...plantedHashes(400, 10), ...corpus.slice(0, 50), hex(0, 1)];
  for (const maxBits of [0, 2, 4, 6]) {
    const expected = Int32Array.from(queries, (q) => corpus.findIndex((h) => dhashDistance(h, q) <= maxBits));
    assert.deepEqual(firstNearDuplicate(queries, corpus, maxBits), expected, `${maxBits} bits`);
  }
  // 0xff vs: far; 0x0f0f (8 bits); 0xf0 (4 bits, the first within 4); 0x0f (4 bits, later).
  assert.deepEqual([...firstNearDuplicate(['00000000000000ff'], [hex(0xffffffff, 0), '0000000000000f0f', '00000000000000f0', '000000000000000f'], 4)], [2]);
});
