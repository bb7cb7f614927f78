// The fast path's thresholds under each head layout, from hand-made held-out logits: a softmax per group with
// each group's own pooled best-F1 thresholds (photos without a value in a group left out of it), and a sigmoid
// per label with the frozen multi path's best-F1 thresholds.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { multiLabelThresholds } from '../../src/evaluate/index.js';
import { heldOutFit, pooledF1Thresholds, type FastItem } from '../../src/finetune/index.js';

const item = (name: string, targets: number[]): FastItem => ({ sha256: name, path: name, name, label: 0, dhash: '0', targets });

/** A softmax of a few numbers (in float64: the fit's float32 one agrees within 1e-6). */
function softmax(z: number[]): Float32Array {
  const e = z.map((v) => Math.exp(v - Math.max(...z)));
  const sum = e.reduce((a, b) => a + b, 0);
  return Float32Array.from(e, (v) => v / sum);
}

test('groups: a softmax per segment, each group fitted on its own photos, a photo without a value left out of that group', () => {
  // Groups of 2 and 3 values; rows of held-out logits for items 2, 0, 1 (the order members wrote them).
  const items = [item('a', [0, 2]), item('b', [1, -1]), item('c', [1, 0])];
  const heldOut = [2, 0, 1];
  const rows = [
    [0.2, 1.5, 2.0, 0.1, -1.0],
    [3.0, -1.0, 0.0, 0.5, 1.0],
    [-0.5, 0.7, 0.3, 0.3, 0.3],
  ];
  const fit = heldOutFit(Float32Array.from(rows.flat()), items, heldOut, 5, { kind: 'groups', sizes: [2, 3] });
  const group0 = [0, 1, 2].map((k) => ({ image: items[heldOut[k]!]!.name, truth: items[heldOut[k]!]!.targets![0]!, probs: softmax(rows[k]!.slice(0, 2)) }));
  const group1 = [0, 1].map((k) => ({ image: items[heldOut[k]!]!.name, truth: items[heldOut[k]!]!.targets![1]!, probs: softmax(rows[k]!.slice(2, 5)) }));
  const expected = [...pooledF1Thresholds(2, group0), ...pooledF1Thresholds(3, group1)];
  assert.equal(fit.thresholds.length, 5);
  fit.thresholds.forEach((t, k) => assert.ok(Math.abs(t - expected[k]!) < 1e-6, `threshold ${k}: ${t} vs ${expected[k]}`));
  // Every group right: item c (both right), item a (group 0 right, group 1 argmax 2 right), item b (group 0 argmax 1 right; no group 1).
  assert.equal(fit.accuracy, 1);
  const wrong = heldOutFit(Float32Array.from([...rows[0]!, 3.0, -1.0, 2.0, 0.5, 1.0, ...rows[2]!]), items, heldOut, 5, { kind: 'groups', sizes: [2, 3] });
  assert.equal(wrong.accuracy, 2 / 3, 'item a now misses group 1');
});

test('multi: a sigmoid per label, best-F1 thresholds per label, exact match at them', () => {
  const items = [item('a', [0, 2]), item('b', []), item('c', [1])];
  const rows = [
    [2.0, -1.0, 0.5],
    [-1.0, -2.0, -0.5],
    [0.0, 1.0, -3.0],
  ];
  const fit = heldOutFit(Float32Array.from(rows.flat()), items, [0, 1, 2], 3, { kind: 'multi' });
  const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));
  const scored = items.map((it, k) => ({ image: it.name, truths: it.targets!, probs: Float32Array.from(rows[k]!, sigmoid) }));
  assert.deepEqual(fit.thresholds, multiLabelThresholds(3, scored));
  assert.equal(fit.accuracy, 1, 'each photo has exactly its labels at their best-F1 thresholds');
});
