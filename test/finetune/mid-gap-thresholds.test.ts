// The fast path's and fine-tuning's thresholds (pooledF1Thresholds): each label's best-F1 threshold taken in the
// middle of the gap between the lowest score it accepts and the highest it rejects, then shrunk toward the
// pooled one. Hand-computed cases.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ScoredImage } from '../../src/evaluate/index.js';
import { pooledF1Thresholds } from '../../src/finetune/index.js';

const image = (truth: number, p0: number, p1: number, name: string): ScoredImage => ({ image: name, truth, probs: Float32Array.of(p0, p1) });

test('a best-F1 threshold sits in the middle of the gap it leaves, not on the lowest accepted score', () => {
  // Label 0 scores: positives 0.9 and 0.5, negatives 0.6 and 0.2. F1 from the top: 0.667 at 0.9, 0.5 at 0.6,
  // 0.8 at 0.5, 0.667 at 0.2: the best accepts down to 0.5 and rejects 0.2, so the threshold is 0.35.
  // Label 1 scores: positives 0.4 and 0.8, negatives 0.1 and 0.5: 0.667 at 0.8, 0.5 at 0.5, 0.8 at 0.4 -> (0.4 + 0.1) / 2.
  const scored = [image(0, 0.9, 0.1, 'a'), image(0, 0.5, 0.5, 'b'), image(1, 0.6, 0.4, 'c'), image(1, 0.2, 0.8, 'd')];
  const [t0, t1] = pooledF1Thresholds(2, scored, 0);
  assert.ok(Math.abs(t0! - 0.35) < 1e-6, `label 0: ${t0}`);
  assert.ok(Math.abs(t1! - 0.25) < 1e-6, `label 1: ${t1}`);
});

test('each label is shrunk toward the pooled mid-gap threshold by its number of validation photos', () => {
  // Separable: label 0 accepts 0.9 and 0.7 and rejects 0.4 (-> 0.55); label 1 accepts 0.8 and 0.6, rejects 0.3 (-> 0.45).
  // Pooled over the eight (image, label) pairs: positives 0.9 0.7 0.8 0.6, negatives 0.4 0.2 0.1 0.3 -> (0.6 + 0.4) / 2 = 0.5.
  const scored = [image(0, 0.9, 0.1, 'a'), image(0, 0.7, 0.3, 'b'), image(1, 0.4, 0.6, 'c'), image(1, 0.2, 0.8, 'd')];
  const [t0, t1] = pooledF1Thresholds(2, scored, 10);
  assert.ok(Math.abs(t0! - (2 * 0.55 + 10 * 0.5) / 12) < 1e-6, `label 0: ${t0}`);
  assert.ok(Math.abs(t1! - (2 * 0.45 + 10 * 0.5) / 12) < 1e-6, `label 1: ${t1}`);
});
