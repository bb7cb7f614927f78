import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideLabels } from '../../src/evaluate/index.js';
import { isSkulensError } from '../../src/errors.js';

const LABELS = ['boot', 'sandal', 'sneaker', 'slipper'];
const PROBS = Float32Array.of(0.125, 0.5, 0.25, 0.125);
const THRESHOLDS = [0.1, 0.6, 0.2, 0.2];

test('labels at or over their own threshold are returned, most confident first', () => {
  assert.deepEqual(decideLabels(LABELS, PROBS, THRESHOLDS), [
    { Name: 'sneaker', Confidence: 25 },
    { Name: 'boot', Confidence: 12.5 },
  ]);
});

test('a probability equal to its threshold passes', () => {
  assert.deepEqual(decideLabels(LABELS, PROBS, [0.9, 0.5, 0.9, 0.9]), [{ Name: 'sandal', Confidence: 50 }]);
});

test('minConfidence replaces every label threshold', () => {
  assert.deepEqual(decideLabels(LABELS, PROBS, THRESHOLDS, { minConfidence: 20 }), [
    { Name: 'sandal', Confidence: 50 },
    { Name: 'sneaker', Confidence: 25 },
  ]);
});

test('minConfidence 70 accepts a probability stored as float32 0.7', () => {
  const result = decideLabels(['a', 'b'], Float32Array.of(0.7, 0.3), [0.9, 0.9], { minConfidence: 70 });
  assert.equal(result.length, 1);
  assert.equal(result[0]!.Name, 'a');
  assert.ok(Math.abs(result[0]!.Confidence - 70) < 1e-4);
});

test('maxResults keeps only the most confident labels', () => {
  assert.deepEqual(decideLabels(LABELS, PROBS, [0, 0, 0, 0], { maxResults: 2 }), [
    { Name: 'sandal', Confidence: 50 },
    { Name: 'sneaker', Confidence: 25 },
  ]);
});

test('equal confidences keep the catalogue order', () => {
  assert.deepEqual(
    decideLabels(LABELS, PROBS, [0, 0.9, 0.9, 0]).map((l) => l.Name),
    ['boot', 'slipper'],
  );
});

test('no label over its threshold gives an empty answer, meaning not in the catalogue', () => {
  assert.deepEqual(decideLabels(LABELS, PROBS, [0.5, 0.75, 0.5, 0.5]), []);
});

test('a minConfidence over 100 is rejected', () => {
  assert.throws(
    () => decideLabels(LABELS, PROBS, THRESHOLDS, { minConfidence: 101 }),
    (e) => isSkulensError(e, 'ERR_ARGUMENT_INVALID') && e.details.field === 'MinConfidence',
  );
});

test('a negative maxResults is rejected', () => {
  assert.throws(
    () => decideLabels(LABELS, PROBS, THRESHOLDS, { maxResults: -1 }),
    (e) => isSkulensError(e, 'ERR_ARGUMENT_INVALID') && e.details.field === 'MaxResults',
  );
});

test('probabilities of the wrong length are rejected', () => {
  assert.throws(
    () => decideLabels(LABELS, Float32Array.of(0.5, 0.5), THRESHOLDS),
    (e) => isSkulensError(e, 'ERR_ARGUMENT_INVALID') && e.details.field === 'probs',
  );
});
