import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decideLabels } from '../../src/evaluate/index.js';
import { fitHeadPipeline, type PipelineParams } from '../../src/jobs/index.js';
import { crossValidateConfig, groupedStratifiedFolds, headProbabilities, type TuningSet } from '../../src/train/index.js';
import { gaussianClusters } from '../train/fixtures.js';

function setOf(X: Float32Array[], y: Int32Array, numClasses: number): TuningSet {
  return { views: X.map((x) => [x]), y, groups: Int32Array.from(y, (_, i) => i), splits: X.map(() => 'train'), numClasses };
}

const PARAMS: PipelineParams = { seed: 2, C: 0.1, balance: 'none', tune: false, budgetSeconds: 60 };

test('thresholds fitted for a target precision meet it on the out-of-fold predictions they were fitted on', () => {
  // Overlapping clusters, so that best-F1 thresholds alone would not reach 0.95.
  const { X, y } = gaussianClusters(150, 5, 3, 1.0, 11);
  const set = setOf(X, y, 3);
  const fitted = fitHeadPipeline(set, { ...PARAMS, targetPrecision: 0.95 });
  const folds = groupedStratifiedFolds(set.y, set.groups, 3, PARAMS.seed);
  const { outOfFold } = crossValidateConfig(set, folds, fitted.tuning.winner, PARAMS.seed);
  for (let k = 0; k < 3; k++) {
    let tp = 0;
    let fp = 0;
    outOfFold.forEach((p, i) => {
      if (p[k]! >= Math.fround(fitted.thresholds[k]!)) (y[i] === k ? tp++ : fp++);
    });
    assert.ok(tp > 0, `label ${k} answers something`);
    assert.ok(tp / (tp + fp) >= 0.95, `label ${k}: precision ${tp / (tp + fp)}`);
  }
  assert.match(fitted.thresholdMethod, /precision >= 0.95/);
});

test('embeddings unlike any trained label come back as no label (unknown) at the fitted thresholds', () => {
  // Three clusters; train on two, then ask about the third.
  const { X, y } = gaussianClusters(180, 8, 3, 0.3, 5);
  const known = X.map((x, i) => ({ x, label: y[i]! })).filter((s) => s.label < 2);
  const unseen = X.filter((_, i) => y[i] === 2);
  const fitted = fitHeadPipeline(setOf(known.map((s) => s.x), Int32Array.from(known, (s) => s.label), 2), PARAMS);
  const answers = unseen.map((x) => decideLabels(['a', 'b'], headProbabilities(fitted.head, x), fitted.thresholds));
  const unknown = answers.filter((a) => a.length === 0).length / answers.length;
  const knownAnswered = known.filter((s) => decideLabels(['a', 'b'], headProbabilities(fitted.head, s.x), fitted.thresholds).length > 0).length / known.length;
  assert.ok(knownAnswered > 0.95, `known images answered: ${knownAnswered}`);
  assert.ok(unknown > 0.3, `unseen images answered unknown: ${unknown}`);
});

test('the pipeline records the balance choice and the tuning report of what it tried', () => {
  const { X, y } = gaussianClusters(60, 4, 2, 0.5, 9);
  const fitted = fitHeadPipeline(setOf(X, y, 2), { ...PARAMS, C: 'auto', balance: 'auto' });
  assert.equal(fitted.tuning.tried.length, 5);
  assert.match(fitted.balanceReason, /^auto: imbalance ratio 1\.00/);
  assert.equal(fitted.tuning.winner.balance, 'none');
});
