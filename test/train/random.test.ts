import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mulberry32, shuffleInPlace } from '../../src/train/index.js';

test('mulberry32 repeats its sequence for the same seed and differs for another', () => {
  const a = mulberry32(42);
  const b = mulberry32(42);
  const c = mulberry32(43);
  const first = Array.from({ length: 5 }, () => a());
  assert.deepEqual(Array.from({ length: 5 }, () => b()), first);
  assert.notDeepEqual(Array.from({ length: 5 }, () => c()), first);
});

test('mulberry32 draws lie in [0, 1) with a mean near one half', () => {
  const random = mulberry32(7);
  let sum = 0;
  for (let k = 0; k < 20000; k++) {
    const u = random();
    assert.ok(u >= 0 && u < 1);
    sum += u;
  }
  assert.ok(Math.abs(sum / 20000 - 0.5) < 0.01);
});

test('shuffleInPlace permutes the items and gives the same order for the same seed', () => {
  const one = shuffleInPlace(Array.from({ length: 20 }, (_, i) => i), 5);
  const two = shuffleInPlace(Int32Array.from({ length: 20 }, (_, i) => i), mulberry32(5));
  assert.deepEqual(Array.from(two), one);
  assert.deepEqual([...one].sort((p, q) => p - q), Array.from({ length: 20 }, (_, i) => i));
  assert.notDeepEqual(one, Array.from({ length: 20 }, (_, i) => i));
});
