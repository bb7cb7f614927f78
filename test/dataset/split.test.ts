import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { DEFAULT_SPLIT_SEED, drawSplit, stratifiedSplit, type SplitItem } from '../../src/dataset/index.js';

let nextId = 1;
/** A distinct dHash per photo: 16 hex digits from its own hash, so no two are near-duplicates by accident (checked below). */
const dhashOf = (text: string): string => createHash('md5').update(text).digest('hex').slice(0, 16);
function items(label: string, count: number): SplitItem[] {
  return Array.from({ length: count }, () => {
    const id = nextId++;
    return { id, label, sha256: createHash('sha256').update(`${label}-${id}`).digest('hex'), dhash: dhashOf(`${label}-${id}`) };
  });
}

const testCount = (split: Map<number, string>, group: readonly SplitItem[]): number => group.filter((item) => split.get(item.id) === 'test').length;

test('each label sends round(20%) of its images to test, at least one when it has two or more', () => {
  const groups = { a: items('a', 10), b: items('b', 5), c: items('c', 2), d: items('d', 1), e: items('e', 13), f: items('f', 3) };
  const split = stratifiedSplit(Object.values(groups).flat());
  assert.deepEqual(
    Object.fromEntries(Object.entries(groups).map(([label, group]) => [label, testCount(split, group)])),
    { a: 2, b: 1, c: 1, d: 0, e: 3, f: 1 },
  );
});

test('every item gets a split', () => {
  const all = [...items('a', 7), ...items('b', 1)];
  const split = stratifiedSplit(all);
  assert.equal(split.size, all.length);
  assert.ok([...split.values()].every((s) => s === 'train' || s === 'test'));
});

test('the same seed gives the same split whatever the input order', () => {
  const all = [...items('a', 20), ...items('b', 20)];
  const forward = stratifiedSplit(all, 5);
  assert.deepEqual(stratifiedSplit([...all].reverse(), 5), forward);
});

test('the default seed is used when none is given', () => {
  const all = items('a', 20);
  assert.deepEqual(stratifiedSplit(all), stratifiedSplit(all, DEFAULT_SPLIT_SEED));
});

test('a different seed draws different test images', () => {
  const all = items('a', 30);
  assert.notDeepEqual(stratifiedSplit(all, 1), stratifiedSplit(all, 2));
});

test('adding images never moves an earlier one, and the label keeps its share of test images', () => {
  const before = items('a', 40);
  const first = stratifiedSplit(before);
  const added = items('a', 20);
  const fixed = before.map((item) => ({ ...item, split: first.get(item.id)!, given: false }));
  const second = drawSplit(added, fixed);
  assert.deepEqual([...second.keys()].sort((x, y) => x - y), added.map((item) => item.id), 'only the new photos are drawn');
  const tests = testCount(first, before) + testCount(second, added);
  assert.equal(tests, 12, 'round(20% of 60)');
});
test('a test fraction of one still leaves one training image per label', () => {
  const group = items('a', 4);
  assert.equal(testCount(stratifiedSplit(group, 1, 1), group), 3);
});

test('a near-duplicate cluster goes whole to one side', () => {
  // Five shots of one item (dHashes 1 bit apart) among 20 distinct photos of the label.
  const burst = Array.from({ length: 5 }, (_, i) => ({ id: nextId++, label: 'a', sha256: createHash('sha256').update(`burst-${i}`).digest('hex'), dhash: `00000000000000${(1 << i).toString(16).padStart(2, '0')}` }));
  const all = [...items('a', 20), ...burst];
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    const split = stratifiedSplit(all, seed);
    assert.equal(new Set(burst.map((item) => split.get(item.id))).size, 1, `seed ${seed}: the burst straddles the split`);
    assert.equal(testCount(split, all), 5, 'the label still holds round(20% of 25) test photos');
  }
});

test('a new photo near an earlier one joins its side', () => {
  const earlier = items('a', 10).map((item, i) => ({ ...item, split: (i < 2 ? 'test' : 'train') as 'test' | 'train', given: false }));
  const twin = { id: nextId++, label: 'a', sha256: createHash('sha256').update('twin').digest('hex'), dhash: earlier[0]!.dhash };
  assert.equal(drawSplit([twin], earlier).get(twin.id), 'test');
  assert.equal(drawSplit([twin], earlier.map((item) => ({ ...item, split: 'train' as const }))).get(twin.id), 'train');
});

test('a label made of one large cluster still gets one test cluster when that leaves it a training photo', () => {
  const big = Array.from({ length: 6 }, (_, i) => ({ id: nextId++, label: 'b', sha256: createHash('sha256').update(`big-${i}`).digest('hex'), dhash: 'ffffffffffffff00' }));
  const other = items('b', 1);
  const split = stratifiedSplit([...big, ...other]);
  // The 6-photo cluster is larger than round(20% of 7) = 1: the single photo goes to test instead.
  assert.equal(split.get(other[0]!.id), 'test');
  assert.ok(big.every((item) => split.get(item.id) === 'train'));
});
