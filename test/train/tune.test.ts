import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertTrainOnly, encodeHead, fitConfig, tuneHead, type HeadConfig, type TuningSet } from '../../src/train/index.js';
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

test('a spent seconds cap lists the configurations it did not try and says the cap bit', () => {
  const report = tuneHead(tuningSet(), FIRST, STAGES, { seed: 1, budgetSeconds: 1e-9 });
  assert.equal(report.tried.length, 1);
  assert.equal(report.skipped.length, 3);
  assert.equal(report.stoppedBy, 'seconds');
  assert.deepEqual(report.winner, FIRST);
});

test('a trial cap stops after that many configurations in plan order, whatever the time allows', () => {
  const report = tuneHead(tuningSet(), FIRST, STAGES, { seed: 1, budgetSeconds: 600, maxTrials: 2 });
  assert.deepEqual(report.tried.map((t) => t.config.C), [0.1, 0.01]);
  assert.equal(report.skipped.length, 2);
  assert.equal(report.stoppedBy, 'max-trials');
  assert.equal(report.maxTrials, 2);
  const whole = tuneHead(tuningSet(), FIRST, STAGES, { seed: 1, budgetSeconds: 600 });
  assert.equal(whole.stoppedBy, 'plan');
  assert.equal(whole.maxTrials, null);
  assert.equal(whole.skipped.length, 0);
});

test('the same data and seed give a byte-identical winning head however slow the machine', () => {
  const set = tuningSet();
  const fast = tuneHead(set, FIRST, STAGES, { seed: 3, budgetSeconds: 600, maxTrials: 3 });
  // A machine so slow that most of a generous cap is spent cannot change a trial-capped search either.
  const slow = tuneHead(set, FIRST, STAGES, { seed: 3, budgetSeconds: 1e6, maxTrials: 3 });
  assert.deepEqual(slow.winner, fast.winner);
  const bytes = (r: typeof fast) => Buffer.from(encodeHead(fitConfig(set, Int32Array.from(set.y, (_, i) => i), r.winner, 3)));
  assert.deepEqual(bytes(slow), bytes(fast));
});

test('when one near-duplicate cluster holds most images, folds fall back to single images and the report says so', () => {
  const set = tuningSet();
  const oneCluster = { ...set, groups: new Int32Array(set.y.length) };
  const report = tuneHead(oneCluster, FIRST, [], { seed: 1, budgetSeconds: 600 });
  assert.match(report.grouping, /^none: near-duplicate clusters are too large/);
  assert.equal(tuneHead(set, FIRST, [], { seed: 1, budgetSeconds: 600 }).grouping, 'near-duplicate clusters');
});
