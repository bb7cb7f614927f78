// The large-set path of head training: the grouped stratified tuning subsample, the onnxruntime
// kernels (checked against the exact JS objective), the mini-batch solver seeing every row, and the
// tuner's report and out-of-fold probabilities when it tunes on a subsample.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { logisticObjective } from '../../src/train/logistic.js';
import { logisticGradientKernel } from '../../src/train/onnx-kernels.js';
import {
  batchProbabilities,
  encodeHead,
  fitConfig,
  groupedStratifiedSubsample,
  headProbabilities,
  trainHead,
  tuneHead,
  type HeadConfig,
  type TuningSet,
} from '../../src/train/index.js';
import { argmax, gaussianClusters } from './fixtures.js';

/** 1,000 labels-skewed images: label l holds about twice as many as label l+1; groups of 1-4 images of one label. */
function skewed(): { y: Int32Array; groups: Int32Array } {
  const y: number[] = [];
  const groups: number[] = [];
  let group = 0;
  for (let label = 0; label < 5; label++) {
    const count = Math.round(1000 / 2 ** (label + 1));
    for (let i = 0; i < count; group++) for (let k = 0; k <= group % 4 && i < count; k++, i++) (y.push(label), groups.push(group));
  }
  return { y: Int32Array.from(y), groups: Int32Array.from(groups) };
}

test('the tuning subsample takes whole near-duplicate groups, keeps each label in proportion and repeats for a seed', () => {
  const { y, groups } = skewed();
  const sample = groupedStratifiedSubsample(y, groups, 200, 3);
  assert.deepEqual(sample, groupedStratifiedSubsample(y, groups, 200, 3));
  assert.notDeepEqual(sample, groupedStratifiedSubsample(y, groups, 200, 4));
  assert.ok(sample.length >= 200 && sample.length <= 215, `${sample.length} images`);
  const inSample = new Set(sample);
  for (let i = 0; i < y.length; i++) {
    // A group is wholly in or wholly out.
    for (let j = i + 1; j < y.length && groups[j] === groups[i]; j++) assert.equal(inSample.has(i), inSample.has(j));
  }
  for (let label = 0; label < 5; label++) {
    const share = sample.filter((i) => y[i] === label).length / sample.length;
    const whole = y.filter((l) => l === label).length / y.length;
    assert.ok(Math.abs(share - whole) < 0.03, `label ${label}: ${share} in the sample, ${whole} in all`);
  }
  assert.equal(groupedStratifiedSubsample(y, groups, 5000, 3).length, y.length);
});

test('the onnxruntime gradient kernel gives the exact objective and gradient of the JS logistic head', () => {
  const { X, y } = gaussianClusters(40, 6, 3, 0.7, 2);
  const [K, D] = [3, 6];
  const params = Float64Array.from({ length: K * D + K }, (_, j) => Math.sin(j + 1) * 0.5);
  const weights = Float64Array.from({ length: 40 }, (_, i) => 0.5 + (i % 3));
  const gradient = new Float64Array(params.length);
  const C = 1e12; // no penalty: the kernel returns the data term only
  const loss = logisticObjective({ X: Float32Array.from(X.flatMap((row) => [...row])), n: 40, dim: D, numClasses: K, labels: y, weights, C }, params, gradient);
  const yw = new Float32Array(40 * K);
  y.forEach((label, i) => (yw[i * K + label] = weights[i]!));
  const out = logisticGradientKernel(D, K).run({
    x: [Float32Array.from(X.flatMap((row) => [...row])), [40, D]],
    mean: new Float32Array(D),
    inv: new Float32Array(D).fill(1),
    yw: [yw, [40, K]],
    sw: [Float32Array.from(weights), [40, 1]],
    W: Float32Array.from(params.subarray(0, K * D)),
    b: Float32Array.from(params.subarray(K * D)),
  });
  assert.ok(Math.abs(out.loss![0]! - loss) < 1e-4 * Math.abs(loss), `${out.loss![0]} vs ${loss}`);
  for (let j = 0; j < K * D; j++) assert.ok(Math.abs(out.gW![j]! - gradient[j]!) < 1e-4, `gW[${j}]`);
  for (let c = 0; c < K; c++) assert.ok(Math.abs(out.gb![c]! - gradient[K * D + c]!) < 1e-4, `gb[${c}]`);
});

test('batch probabilities on onnxruntime match headProbabilities for both head kinds', () => {
  const { X, y } = gaussianClusters(60, 5, 3, 0.6, 5);
  for (const kind of ['logistic', 'mlp'] as const) {
    const head = trainHead(X, y, 3, { kind, hidden: 4, epochs: 3, standardize: true });
    const batch = batchProbabilities(head, X);
    X.forEach((row, i) => headProbabilities(head, row).forEach((p, c) => assert.ok(Math.abs(p - batch[i]![c]!) < 1e-5, `${kind} ${i}/${c}`)));
  }
});

test('the mini-batch solver sees every row each epoch, and an oversampled epoch draws the image count', () => {
  const { X, y } = gaussianClusters(90, 6, 3, 0.8, 3);
  const skew = Int32Array.from(y, (label, i) => (i < 60 ? label : 0));
  const set: TuningSet = { views: X.map((x) => [x]), y: skew, groups: Int32Array.from(y, (_, i) => i), splits: X.map(() => 'train'), numClasses: 3 };
  const all = Int32Array.from({ length: 90 }, (_, i) => i);
  for (const [balance, rows] of [['none', 90], ['oversample', 90], ['weights', 90]] as const) {
    const seen: number[] = [];
    fitConfig(set, all, { kind: 'logistic', C: 1, balance, augment: false }, 1, undefined, undefined, 'minibatch', (_, r) => seen.push(r));
    assert.deepEqual(seen, Array(10).fill(rows), balance);
  }
});

test('the mini-batch logistic head classifies as well as the exact one on separable clusters', () => {
  const { X, y } = gaussianClusters(300, 16, 4, 0.6, 9);
  const test = gaussianClusters(200, 16, 4, 0.6, 9);
  const accuracy = (head: ReturnType<typeof trainHead>) => test.X.filter((row, i) => argmax(headProbabilities(head, row)) === test.y[i]).length / 200;
  const exact = accuracy(trainHead(X, y, 4, { C: 1, standardize: true }));
  const minibatch = accuracy(trainHead(X, y, 4, { C: 1, standardize: true, solver: 'minibatch', epochs: 30, batchSize: 32 }));
  assert.ok(minibatch >= exact - 0.02, `mini-batch ${minibatch}, exact ${exact}`);
});

test('above the subsample size the tuner searches a grouped subsample and still scores every image out of fold', () => {
  const { X, y } = gaussianClusters(600, 8, 3, 0.8, 4);
  const groups = Int32Array.from({ length: 600 }, (_, i) => Math.floor(i / 6) * 6 + (i % 3));
  const set: TuningSet = { views: X.map((x) => [x]), y, groups, splits: X.map(() => 'train'), numClasses: 3 };
  const first: HeadConfig = { kind: 'logistic', C: 1, balance: 'none', augment: false };
  const options = { seed: 2, budgetSeconds: 600, subsampleImages: 150, minibatchWork: 0 };
  const report = tuneHead(set, first, [], options);
  assert.equal(report.solver, 'minibatch');
  assert.equal(report.subsample?.of, 600);
  assert.ok(report.subsample!.images >= 150 && report.subsample!.images < 170, `${report.subsample!.images}`);
  assert.equal(report.outOfFold.length, 600);
  assert.ok(report.outOfFold.every((p) => p instanceof Float32Array && p.length === 3));
  const right = report.outOfFold.filter((p, i) => argmax(p) === y[i]).length / 600;
  assert.ok(right > 0.75, `out-of-fold accuracy ${right}`); // chance is 1/3; ten one-batch epochs per fold at this size
  // Same data and seed: the same subsample and winner.
  const again = tuneHead(set, first, [], options);
  assert.deepEqual([again.subsample, again.winner], [report.subsample, report.winner]);
  // Below the sizes nothing changes: exact solver, no subsample.
  const small = tuneHead(set, first, [], { seed: 2, budgetSeconds: 600 });
  assert.deepEqual([small.solver, small.subsample], ['exact', null]);
});

test('the mini-batch solver gives the same head bytes for the same data and seed', () => {
  const { X, y } = gaussianClusters(400, 16, 4, 0.8, 3);
  const fit = (seed: number) => Buffer.from(encodeHead(trainHead(X, y, 4, { solver: 'minibatch', kind: 'mlp', hidden: 8, epochs: 3, standardize: true, C: 1, seed })));
  assert.deepEqual(fit(1), fit(1));
  assert.notDeepEqual(fit(1), fit(2));
});
