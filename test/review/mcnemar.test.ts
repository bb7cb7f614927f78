// McNemar against hand-computed tables.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EXACT_BELOW, mcnemar } from '../../src/review/index.js';

const close = (a: number, b: number, tol = 1e-6) => assert.ok(Math.abs(a - b) < tol, `${a} vs ${b}`);

test('few discordant photos use the exact two-sided binomial: b=1, c=6 gives 2 * (1 + 7) / 2^7 = 0.125', () => {
  const r = mcnemar(1, 6);
  assert.equal(r.method, 'exact-binomial');
  assert.equal(r.statistic, null);
  close(r.pValue, 0.125, 1e-12);
  close(mcnemar(0, 5).pValue, 2 / 32, 1e-12);
  close(mcnemar(3, 3).pValue, 1, 1e-12); // capped at 1
});

test('from 25 discordant photos on, the chi-square with continuity correction: b=10, c=25 gives (15-1)^2/35 = 5.6, p = 0.017960', () => {
  assert.equal(EXACT_BELOW, 25);
  const r = mcnemar(10, 25);
  assert.equal(r.method, 'chi-square-continuity');
  close(r.statistic!, 5.6, 1e-12);
  close(r.pValue, 0.0179605, 1e-6);
  // b=12, c=13 (exactly 25): (|12-13|-1)^2/25 = 0, p = 1.
  const even = mcnemar(12, 13);
  assert.equal(even.method, 'chi-square-continuity');
  close(even.pValue, 1, 1e-6);
});

test('no discordant photo: nothing to test, p = 1', () => {
  assert.deepEqual(mcnemar(0, 0), { b: 0, c: 0, method: 'none', statistic: null, pValue: 1 });
});
