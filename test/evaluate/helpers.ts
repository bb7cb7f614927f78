// Small hand-worked fixtures and a tolerant deep comparison for the evaluation tests.
import { mulberry32 } from '../../src/random.js';
import assert from 'node:assert/strict';
import type { ScoredImage } from '../../src/evaluate/index.js';

export const LABELS = ['shirt', 'shoe', 'hat'];
export const THRESHOLDS = [0.5, 0.5, 0.5];

/** An image with the given truth and probabilities (all exact in float32). */
export function img(image: string, truth: number, probs: number[]): ScoredImage {
  return { image, truth, probs: Float32Array.from(probs) };
}

/**
 * Seven test images, worked by hand at thresholds 0.5 (see metrics.test.ts for the expected numbers).
 * Argmax predictions: 1 shirt, 2 shoe, 3 shirt, 4 shoe, 5 shoe, 6 shirt, 7 hat; image 5 passes no threshold.
 */
export const HAND_WORKED: ScoredImage[] = [
  img('1.jpg', 0, [0.75, 0.125, 0.125]),
  img('2.jpg', 0, [0.375, 0.5, 0.125]),
  img('3.jpg', 0, [0.5, 0.25, 0.25]),
  img('4.jpg', 1, [0.125, 0.875, 0]),
  img('5.jpg', 2, [0.25, 0.4375, 0.3125]),
  img('6.jpg', 2, [0.625, 0, 0.375]),
  img('7.jpg', 2, [0.0625, 0.0625, 0.875]),
];

/** Two-label images from label 0's probability p (label 1 gets 1 - p). */
export function binary(cases: [truth: number, p: number][]): ScoredImage[] {
  return cases.map(([truth, p], i) => img(`${i}.jpg`, truth, [p, 1 - p]));
}

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32). */
export const rng = mulberry32;

/** `n` images over `numLabels` labels, softmax of noise plus `signal` on the true label. */
export function randomScored(n: number, numLabels: number, signal: number, seed: number): ScoredImage[] {
  const next = rng(seed);
  return Array.from({ length: n }, (_, i) => {
    const truth = Math.floor(next() * numLabels);
    const logits = Array.from({ length: numLabels }, (_, k) => next() * 2 + (k === truth ? signal : 0));
    const max = Math.max(...logits);
    const exps = logits.map((l) => Math.exp(l - max));
    const sum = exps.reduce((a, b) => a + b, 0);
    return img(`r${i}.jpg`, truth, exps.map((e) => e / sum));
  });
}

/** Deep equality where numbers only need to agree within `tolerance`. */
export function assertClose(actual: unknown, expected: unknown, tolerance = 1e-9, path = '$'): void {
  if (typeof expected === 'number' && typeof actual === 'number') {
    assert.ok(Math.abs(actual - expected) <= tolerance, `${path}: ${actual} is not within ${tolerance} of ${expected}`);
  } else if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual), `${path}: expected an array`);
    assert.equal(actual.length, expected.length, `${path}: length`);
    expected.forEach((e, i) => assertClose(actual[i], e, tolerance, `${path}[${i}]`));
  } else if (expected !== null && typeof expected === 'object') {
    assert.ok(actual !== null && typeof actual === 'object', `${path}: expected an object`);
    assert.deepEqual(Object.keys(actual).sort(), Object.keys(expected).sort(), `${path}: keys`);
    for (const [key, e] of Object.entries(expected)) assertClose((actual as Record<string, unknown>)[key], e, tolerance, `${path}.${key}`);
  } else {
    assert.equal(actual, expected, path);
  }
}
