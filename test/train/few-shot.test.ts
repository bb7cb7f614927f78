import assert from 'node:assert/strict';
import { test } from 'node:test';
import { appendPrototypes, calibratePrototypes, classMean, decodeHead, encodeHead, headProbabilities, trainHead, type Head } from '../../src/train/index.js';
import { argmax, gaussianClusters } from './fixtures.js';

const { X, y } = gaussianClusters(120, 6, 3, 0.3, 21);
const knownRows = X.filter((_, i) => y[i]! < 2);
const knownLabels = Int32Array.from(y.filter((label) => label < 2));
const newRows = X.filter((_, i) => y[i] === 2);

for (const kind of ['logistic', 'mlp'] as const) {
  test(`a prototype appended to a ${kind} head has logit scale * (prototype . x) + bias, relative to the old classes`, () => {
    const head = trainHead(knownRows, knownLabels, 2, { kind, C: 1, hidden: 8, epochs: 5, seed: 1 });
    const prototype = classMean(newRows.slice(0, 3));
    const extended = appendPrototypes(head, [prototype], { scale: 20, bias: -10 });
    assert.equal(extended.kind, kind);
    assert.equal(extended.numClasses, 3);
    const x = newRows[5]!;
    const before = headProbabilities(head, x);
    const after = headProbabilities(extended, x);
    // Old classes keep their odds against each other; the new class's logit is 20 * p.x - 10.
    assert.ok(Math.abs(after[0]! / after[1]! - before[0]! / before[1]!) < 1e-3 * (before[0]! / before[1]!));
    const cos = prototype.reduce((s, v, d) => s + v * x[d]!, 0);
    const logOdds = Math.log(after[2]! / after[0]!);
    const baseLogit0 = (h: Head): number => Math.log(headProbabilities(h, x)[0]!);
    assert.ok(Number.isFinite(baseLogit0(extended)));
    // log(p2/p0) = (20 cos - 10) - logit0; logit0 - log Z_old = log before[0], and log Z_new cancels.
    const logit0MinusLogZold = Math.log(before[0]!);
    const expected = 20 * cos - 10 - logit0MinusLogZold - logZold(head, x);
    assert.ok(Math.abs(logOdds - expected) < 1e-3, `${logOdds} vs ${expected}`);
    // Still encodable as the same kind.
    assert.equal(decodeHead(encodeHead(extended)).kind, kind);
  });
}

/** log of the old head's softmax normaliser at x (computed from its first logit). */
function logZold(head: Head, x: Float32Array): number {
  if (head.kind === 'logistic') {
    let z0 = head.bias[0]!;
    for (let d = 0; d < head.dim; d++) z0 += head.weights[d]! * x[d]!;
    return z0 - Math.log(headProbabilities(head, x)[0]!);
  }
  let z0 = head.b2[0]!;
  for (let j = 0; j < head.hidden; j++) {
    let h = head.b1[j]!;
    for (let d = 0; d < head.dim; d++) h += head.w1[j * head.dim + d]! * x[d]!;
    z0 += head.w2[j]! * Math.max(0, h);
  }
  return z0 - Math.log(headProbabilities(head, x)[0]!);
}

test('a label added from five photos by class mean recognises its other photos and keeps the old labels', () => {
  const head = trainHead(knownRows, knownLabels, 2, { C: 1 });
  const shots = newRows.slice(0, 5);
  const calibration = calibratePrototypes(head, knownRows.map((x, i) => ({ x, label: knownLabels[i]! })), [shots]);
  const extended = appendPrototypes(head, [classMean(shots)], calibration);
  const newRecall = newRows.slice(5).filter((x) => argmax(headProbabilities(extended, x)) === 2).length / (newRows.length - 5);
  const oldAccuracy = knownRows.filter((x, i) => argmax(headProbabilities(extended, x)) === knownLabels[i]).length / knownRows.length;
  assert.ok(newRecall > 0.9, `new label recall ${newRecall}`);
  assert.ok(oldAccuracy > 0.9, `old labels accuracy ${oldAccuracy}`);
});
