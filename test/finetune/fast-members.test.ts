// The fast path's members (src/engine/member.ts): the first member of a two-member run is the one-member run
// with the same seed, the second another; the exported graph serves both, with the stacked head giving their
// mean logits; a warm start from a two-member version continues each member.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { getBackbone } from '../../src/backbone/index.js';
import { defaultFastEpochs, FastParamsSchema, groupedValidation, memberSplits, trainFast, type FastParams } from '../../src/finetune/index.js';
import type { HomeLayout } from '../../src/home/index.js';
import type { Registry } from '../../src/registry/index.js';
import { stagedProject, trainItems } from './fast-fixtures.js';
import { tempDir } from './fixtures.js';

const PARAMS: Partial<FastParams> = { backbone: 'staged-cnn', cut: 4, epochs: 2, batchSize: 8, workers: 1, threads: 1, valFraction: 0.25, lr: 3e-2, headLr: 3e-2 };

async function run(home: HomeLayout, registry: Registry, params: Partial<FastParams>, start?: Parameters<typeof trainFast>[0]['start']) {
  const { labels, train, test } = trainItems(registry, home);
  const p = FastParamsSchema.parse({ ...PARAMS, ...params });
  return trainFast({ home, spec: getBackbone('staged-cnn', home.models), labels, train, evaluate: test, params: p, work: tempDir('fast-members'), start });
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let k = 0; k < a.length; k++) worst = Math.max(worst, Math.abs(a[k]! - b[k]!));
  return worst;
}

test('two members: the first is the one-member run of the same seed, the second differs, and the served graph gives their mean logits', async () => {
  const { home, registry } = await stagedProject();
  try {
    const one = await run(home, registry, { members: 1, flipTest: false });
    const two = await run(home, registry, { members: 2 });
    assert.equal(two.engine.members, 2);
    assert.equal(two.engine.history.length, 4, 'two epochs for each member, counted over both');
    const dim = one.head.dim;
    assert.equal(two.head.dim, 2 * dim);
    assert.equal(two.spec.dim, 2 * dim);
    // Serving (the stacked head) reproduces the mean of the members' logits as training computed them.
    assert.ok(two.check.embeddingMaxDiff <= 1e-4 && two.check.logitMaxDiff <= 1e-4, JSON.stringify(two.check));

    const single = fs.readFileSync(one.upperFile);
    const both = fs.readFileSync(two.upperFile);
    assert.equal(both.length, 2 * single.length);
    assert.deepEqual(both.subarray(0, single.length), single, 'member 0 trained exactly as the one-member run');
    assert.notDeepEqual(both.subarray(single.length), single, 'member 1 trained with another seed');

    // Block 0 of the stacked head is member 0's head over sqrt(2); the bias is the members' mean.
    const K = one.head.numClasses;
    const block0 = Array.from({ length: K }, (_, k) => Array.from(two.head.weights.subarray(k * 2 * dim, k * 2 * dim + dim), (w) => w * Math.SQRT2)).flat();
    assert.ok(maxDiff(block0, one.head.weights) < 1e-5, `block 0 is member 0's head (diff ${maxDiff(block0, one.head.weights)})`);

    // Thresholds and validation accuracy come from both held-out folds, each scored by the member that did not train on it.
    const { train } = trainItems(registry, home);
    const splits = memberSplits(train, FastParamsSchema.parse({ ...PARAMS, members: 2 }));
    assert.equal(one.validation.val, splits[0]!.val.length);
    assert.equal(two.validation.val, splits[0]!.val.length + splits[1]!.val.length);
    assert.equal(two.validation.train, splits[0]!.train.length);
  } finally {
    registry.close();
  }
});

test('a warm start from a two-member run continues each member from its own blocks and head block', async () => {
  const { home, registry } = await stagedProject();
  try {
    const first = await run(home, registry, { members: 2 });
    const { labels } = trainItems(registry, home);
    const start = { upper: first.upperFile, head: first.head, labels };
    // A learning rate too small to move a float32 weight: what the run exports is what it started from.
    const warm = await run(home, registry, { members: 2, epochs: 1, lr: Number.MIN_VALUE, headLr: Number.MIN_VALUE, weightDecay: 0 }, start);
    assert.deepEqual(fs.readFileSync(warm.upperFile), fs.readFileSync(first.upperFile));
    assert.ok(maxDiff(warm.head.weights, first.head.weights) < 1e-6, `head weights (diff ${maxDiff(warm.head.weights, first.head.weights)})`);
    assert.ok(maxDiff(warm.head.bias, first.head.bias) < 1e-6, 'the mean bias');
  } finally {
    registry.close();
  }
});

test('member m holds out fold m: member 0 holds out what one member does, two members see every photo between them, no photo is held out twice', async () => {
  const { home, registry } = await stagedProject();
  try {
    const { train } = trainItems(registry, home);
    const params = FastParamsSchema.parse({ ...PARAMS, members: 3 });
    const splits = memberSplits(train, params);
    assert.equal(splits.length, 3);
    const single = groupedValidation(train, params);
    assert.deepEqual(splits[0], { train: single.trainIdx, val: single.valIdx });
    for (const split of splits) assert.deepEqual([...split.train, ...split.val].sort((a, b) => a - b), train.map((_, i) => i));
    const held = splits.flatMap((s) => s.val);
    assert.equal(new Set(held).size, held.length, 'the folds are disjoint');
    const trainedByOne = new Set([...splits[0]!.train, ...splits[1]!.train]);
    assert.equal(trainedByOne.size, train.length, 'members 0 and 1 together train on every photo');
    // The folds keep near-duplicate groups whole: no dHash is both held out by member 1 and trained on by it.
    const heldHashes = new Set(splits[1]!.val.map((i) => train[i]!.dhash));
    assert.ok(splits[1]!.train.every((i) => !heldHashes.has(train[i]!.dhash)));
  } finally {
    registry.close();
  }
});

test('each member sees about 26,000 training photos by default: 4 to 12 epochs, 4 for a warm start', () => {
  assert.equal(defaultFastEpochs(1896, false), 12, "grocery-store-dev's training photos less a member's held-out 5%");
  assert.equal(defaultFastEpochs(2914, false), 9, "clothing-dataset-small's");
  assert.equal(defaultFastEpochs(40, false), 12);
  assert.equal(defaultFastEpochs(250_000, false), 4);
  assert.equal(defaultFastEpochs(1896, true), 4);
});
