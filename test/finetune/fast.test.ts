// The fast path on a small two-stage graph, on the ONNX Runtime engine (no Python): the cut found from the
// graph's structure, the activation cache keyed so that a retrain computes only new photos, a one-epoch run
// whose served graph gives what training computed, and thresholds that never read the evaluated images.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { getBackbone } from '../../src/backbone/index.js';
import { importFolder } from '../../src/dataset/index.js';
import { isSkulensError } from '../../src/errors.js';
import { readGraph } from '../../src/autodiff/index.js';
import { findCut } from '../../src/engine/index.js';
import { fastCut, FastParamsSchema, trainFast, type FastParams } from '../../src/finetune/index.js';
import type { HomeLayout } from '../../src/home/index.js';
import type { Registry } from '../../src/registry/index.js';
import { stagedOnnxModel, stagedProject, trainItems } from './fast-fixtures.js';
import { tempDir } from './fixtures.js';

// One member: the two-member runs are in fast-members.test.ts.
const PARAMS: Partial<FastParams> = { backbone: 'staged-cnn', cut: 4, epochs: 1, members: 1, batchSize: 8, workers: 1, threads: 1, valFraction: 0.25 };

async function run(home: HomeLayout, registry: Registry, evaluate?: { path: string; name: string }[], params: Partial<FastParams> = {}) {
  const { labels, train, test } = trainItems(registry, home);
  const work = tempDir('fast-work');
  const p = FastParamsSchema.parse({ ...PARAMS, ...params });
  return trainFast({ home, spec: getBackbone('staged-cnn', home.models), labels, train, evaluate: evaluate ?? test, params: p, work });
}

test('the cut is the last block output with the wanted channels, found from the structure, not the names', async () => {
  const dir = tempDir('fast-cut');
  const model = path.join(dir, 'model.onnx');
  fs.writeFileSync(model, stagedOnnxModel());
  const spec = { ...getBackbone('staged-cnn', (await stagedProject()).home.models) };
  assert.deepEqual(await fastCut(spec, model, 4), { tensor: 't9', shape: [4, 8, 8] });
  assert.deepEqual(await fastCut(spec, model, 6), { tensor: 't10', shape: [6, 8, 8] });
  assert.throws(() => findCut(readGraph(stagedOnnxModel()), 'embedding', 5), (error) => isSkulensError(error, 'ERR_FINETUNE_FAILED') && /no block output with 5 channels .*4, 6/.test(error.message));
});

test('a retrain after new photos computes the activations of the new photos only', async () => {
  const { home, registry, root } = await stagedProject();
  try {
    const first = await run(home, registry);
    assert.deepEqual({ computed: first.cache.computed, reused: first.cache.reused }, { computed: 24, reused: 0 });
    const dir = path.join(root, 'more', 'red');
    fs.mkdirSync(dir, { recursive: true });
    for (const k of [0, 1]) await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 220 - 30 * k, g: 30, b: 30 } } }).png().toFile(path.join(dir, `new-${k}.png`));
    const added = await importFolder(registry, home, 'p', path.join(root, 'more'), { split: 'train' });
    assert.equal(added.imported, 2);
    const second = await run(home, registry);
    assert.deepEqual({ computed: second.cache.computed, reused: second.cache.reused }, { computed: 2, reused: 24 });
  } finally {
    registry.close();
  }
});

test('a one-epoch fast run exports a graph that onnxruntime serves as training computed it', async () => {
  const { home, registry } = await stagedProject();
  try {
    {
      const result = await run(home, registry);
      assert.equal(result.engine.cut, 't9');
      assert.equal(result.engine.epochsRun, 1);
      assert.equal(result.check.images, 8);
      assert.ok(result.check.embeddingMaxDiff <= 1e-4 && result.check.logitMaxDiff <= 1e-4, JSON.stringify(result.check));
      // The engine serves its own graph with the trained weights: the logits of training and serving agree to 1e-5.
      assert.ok(result.check.logitMaxDiff <= 1e-5, JSON.stringify(result.check));
      assert.equal(result.served.length, 9);
      assert.equal(result.thresholds.length, 3);
      assert.match(result.spec.id, /^fast-[0-9a-f]{16}$/);
    }
  } finally {
    registry.close();
  }
});

test('thresholds come from the validation split: other evaluated images give identical thresholds', async () => {
  const { home, registry } = await stagedProject();
  try {
    const { test: images } = trainItems(registry, home);
    const a = await run(home, registry, images);
    const b = await run(home, registry, [...images].reverse().slice(0, 4));
    assert.deepEqual(a.thresholds, b.thresholds);
    assert.deepEqual(a.head, b.head);
    assert.equal(a.onnxSha256, b.onnxSha256);
  } finally {
    registry.close();
  }
});

test('a warm start continues from the earlier run: its trained blocks, and its head rows matched by label name', async () => {
  const { home, registry } = await stagedProject();
  try {
    const first = await run(home, registry);
    const { labels } = trainItems(registry, home);
    // The earlier run's labels in another order, one of them unknown to this run: rows are matched by name.
    const earlier = [...labels].reverse();
    const rows = labels.map((label) => earlier.indexOf(label));
    const K = labels.length;
    const dim = first.head.dim;
    const weights = new Float32Array(K * dim);
    const bias = new Float32Array(K);
    rows.forEach((row, k) => {
      weights.set(first.head.weights.subarray(k * dim, (k + 1) * dim), row * dim);
      bias[row] = first.head.bias[k]!;
    });
    const start = { upper: first.upperFile, head: { ...first.head, weights, bias }, labels: earlier };
    // A learning rate too small to move a float32 weight: what the run exports is what it started from.
    const still = { lr: Number.MIN_VALUE, headLr: Number.MIN_VALUE, weightDecay: 0 };
    const { train, test: images } = trainItems(registry, home);
    const work = tempDir('fast-work');
    const warm = await trainFast({ home, spec: getBackbone('staged-cnn', home.models), labels, train, evaluate: images, params: FastParamsSchema.parse({ ...PARAMS, epochs: undefined, ...still }), work, start });
    assert.equal(warm.epochs, 4, 'a warm start trains 4 epochs unless told');
    assert.deepEqual(fs.readFileSync(warm.upperFile), fs.readFileSync(first.upperFile));
    assert.deepEqual(warm.head.weights, first.head.weights);
    assert.deepEqual(warm.head.bias, first.head.bias);
    // A label the earlier version did not have starts at zero.
    const fresh = await trainFast({ home, spec: getBackbone('staged-cnn', home.models), labels, train, evaluate: images, params: FastParamsSchema.parse({ ...PARAMS, ...still, epochs: 1 }), work: tempDir('fast-work'), start: { ...start, labels: ['x', earlier[1]!, 'y'] } });
    const middle = labels.indexOf(earlier[1]!);
    for (let k = 0; k < K; k++) {
      const row = Array.from(fresh.head.weights.subarray(k * dim, (k + 1) * dim));
      if (k === middle) assert.deepEqual(row, Array.from(first.head.weights.subarray(k * dim, (k + 1) * dim)));
      else assert.ok(row.every((w) => w === 0) && fresh.head.bias[k] === 0, `label ${labels[k]} starts at zero`);
    }
  } finally {
    registry.close();
  }
});

test('a run at another input side, exporting the moving average of its weights, caches, trains and serves at that side', async () => {
  const { home, registry } = await stagedProject();
  try {
    const result = await run(home, registry, undefined, { size: 24, ema: 0.9 });
    assert.equal(result.spec.input.size, 24);
    assert.equal(result.spec.input.shorterSide, 30);
    assert.match(result.cache.dir, /c4-s24-ort$/);
    assert.deepEqual(result.engine.shape, [4, 12, 12]);
    assert.ok(result.check.embeddingMaxDiff <= 1e-4 && result.check.logitMaxDiff <= 1e-4, JSON.stringify(result.check));
  } finally {
    registry.close();
  }
});

test('with flip averaging, the served graph gives a photo and its mirror image the same embedding', async () => {
  const { home, registry } = await stagedProject();
  try {
    const { test: images } = trainItems(registry, home);
    const mirror = path.join(tempDir('fast-mirror'), 'mirror.png');
    await sharp(images[0]!.path).flop().png().toFile(mirror);
    const pair = [images[0]!, { path: mirror, name: 'mirror.png' }];
    const result = await run(home, registry, pair, { flipTest: true });
    assert.ok(result.check.embeddingMaxDiff <= 1e-4 && result.check.logitMaxDiff <= 1e-4, JSON.stringify(result.check));
    // One member with flip averaging: the training side averages the raw embeddings of the photo and its mirror,
    // as the served graph does (averaging their unit vectors instead was 3.9e-5 off here, 1.2e-3 on MobileNetV2).
    assert.ok(result.check.embeddingMaxDiff <= 1e-6, `training and serving embeddings differ by ${result.check.embeddingMaxDiff}`);
    const [a, b] = result.served;
    assert.ok(a!.every((v, k) => Math.abs(v - b![k]!) < 1e-5), 'mirror images embed alike');
    const plain = await run(home, registry, pair, { flipTest: false });
    assert.ok(plain.served[0]!.some((v, k) => Math.abs(v - plain.served[1]![k]!) > 1e-4), 'without it they differ');
  } finally {
    registry.close();
  }
});
