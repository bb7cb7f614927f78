import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertTrainOnly, tuneHead, type HeadConfig, type TuningSet } from '../../src/train/index.js';
import { gaussianClusters } from './fixtures.js';

function tuningSet(splits?: string[]): TuningSet {
  const { X, y } = gaussianClusters(90, 6, 3, 0.8, 3);
  return {
    views: X.map((x) => [x]),
    y,
    // Pairs of images form near-duplicate groups.
    groups: Int32Array.from({ length: X.length }, (_, i) => Math.floor(i / 2)),
    splits: splits ?? X.map(() => 'train'),
    numClasses: 3,
  };
}

const FIRST: HeadConfig = { kind: 'logistic', C: 0.1, balance: 'none', augment: false };
const STAGES = [
  (best: HeadConfig) => [0.01, 1].map((C) => ({ ...best, C })),
  () => [{ kind: 'mlp' as const, C: 1, hidden: 8, epochs: 5, learningRate: 1e-2, balance: 'oversample' as const, augment: false }],
];

test('tuning with the same seed gives the same configurations, scores and winner', () => {
  const strip = (r: ReturnType<typeof tuneHead>) => ({ ...r, tried: r.tried.map(({ seconds: _, ...rest }) => rest) });
  const a = tuneHead(tuningSet(), FIRST, STAGES, { seed: 4, budgetSeconds: 600 });
  const b = tuneHead(tuningSet(), FIRST, STAGES, { seed: 4, budgetSeconds: 600 });
  assert.equal(a.tried.length, 4);
  assert.deepEqual(strip(a), strip(b));
  assert.equal(a.outOfFold.length, 90);
});

test('tuning refuses a set that holds a test image', () => {
  const splits = Array.from({ length: 90 }, (_, i) => (i === 17 ? 'test' : 'train'));
  assert.throws(() => tuneHead(tuningSet(splits), FIRST, STAGES, { seed: 1, budgetSeconds: 600 }), { code: 'ERR_TRAINING_INVALID', message: /test image \(#17\)/ });
  assert.throws(() => assertTrainOnly(['train', 'test']), { code: 'ERR_TRAINING_INVALID' });
});

test('a spent budget lists the configurations it did not try', () => {
  const report = tuneHead(tuningSet(), FIRST, STAGES, { seed: 1, budgetSeconds: 1e-9 });
  assert.equal(report.tried.length, 1);
  assert.equal(report.skipped.length, 3);
  assert.deepEqual(report.winner, FIRST);
});

test('when one near-duplicate cluster holds most images, folds fall back to single images and the report says so', () => {
  const set = tuningSet();
  const oneCluster = { ...set, groups: new Int32Array(set.y.length) };
  const report = tuneHead(oneCluster, FIRST, [], { seed: 1, budgetSeconds: 600 });
  assert.match(report.grouping, /^none: near-duplicate clusters are too large/);
  assert.equal(tuneHead(set, FIRST, [], { seed: 1, budgetSeconds: 600 }).grouping, 'near-duplicate clusters');
});
