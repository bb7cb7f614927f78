import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { DEFAULT_SPLIT_SEED, stratifiedSplit, type SplitItem } from '../../src/dataset/index.js';

let nextId = 1;
function items(label: string, count: number): SplitItem[] {
  return Array.from({ length: count }, (_, i) => ({ id: nextId++, label, sha256: createHash('sha256').update(`${label}-${i}`).digest('hex') }));
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

test('adding images to a label keeps most earlier test choices', () => {
  const before = items('a', 40);
  const after = [...before, ...items('a', 10).map((item, i) => ({ ...item, sha256: createHash('sha256').update(`extra-${i}`).digest('hex') }))];
  const first = stratifiedSplit(before);
  const second = stratifiedSplit(after);
  const kept = before.filter((item) => first.get(item.id) === 'test' && second.get(item.id) === 'test').length;
  // The ranking is by a keyed hash of content: new images can only push earlier ones out of the top 20%.
  assert.ok(kept >= 6, `kept ${kept} of 8`);
});

test('a test fraction of one still leaves one training image per label', () => {
  const group = items('a', 4);
  assert.equal(testCount(stratifiedSplit(group, 1, 1), group), 3);
});
