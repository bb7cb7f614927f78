import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { backboneSpecSchema, cacheKeyOf, EmbeddingCache, embedWithCache, getBackbone, openEmbedder, type Embedder, type EmbedInput } from '../../src/backbone/index.js';
import { solidPng, tempDir, tinyBackboneRow, tinyOnnxModel } from './fixtures.js';

const SHA_A = 'a'.repeat(64);
const SHA_B = 'b'.repeat(64);
const SHA_C = 'c'.repeat(64);

/** A thin wrapper over a real embedder (the tiny ONNX model) that records which paths it was asked for. */
function counting(inner: Embedder): Embedder & { calls: string[] } {
  const calls: string[] = [];
  return {
    spec: inner.spec,
    workers: inner.workers,
    calls,
    embed(input: EmbedInput) {
      calls.push(input.path ?? '<bytes>');
      return inner.embed(input);
    },
    close: () => inner.close(),
    stats: () => inner.stats(),
  };
}

async function tinyEmbedder(): Promise<Embedder> {
  const modelsDir = tempDir('models');
  fs.mkdirSync(path.join(modelsDir, 'tiny'));
  fs.writeFileSync(path.join(modelsDir, 'tiny', 'model.onnx'), tinyOnnxModel(8));
  const spec = backboneSpecSchema.parse(tinyBackboneRow('raw255', 'GlobalAveragePool of raw pixels'));
  return openEmbedder(spec, { modelsDir, workers: 1 });
}

test('the cache returns the stored vector from <dir>/<backbone>/<sha[0:2]>/<sha>.f32', async () => {
  const dir = tempDir('cache');
  const cache = new EmbeddingCache(dir);
  const vector = Float32Array.from([0.6, -0.8, 0]);
  assert.equal(await cache.get('toy', SHA_A), undefined);
  await cache.set('toy', SHA_A, vector);
  assert.deepEqual(await cache.get('toy', SHA_A), vector);
  assert.equal(fs.statSync(path.join(dir, 'toy', 'aa', `${SHA_A}.f32`)).size, 12);
  assert.deepEqual(fs.readdirSync(path.join(dir, 'toy', 'aa')), [`${SHA_A}.f32`]);
});

let tiny: Embedder;
const images = tempDir('images');
before(async () => {
  tiny = await tinyEmbedder();
  for (const [name, rgb] of [['red', [255, 0, 0]], ['green', [0, 255, 0]], ['blue', [0, 0, 255]]] as const) {
    fs.writeFileSync(path.join(images, `${name}.png`), await solidPng(8, 8, [...rgb]));
  }
});
after(() => tiny.close());

test('embedWithCache embeds only uncached images, caches them and reports progress', async () => {
  const cache = new EmbeddingCache(tempDir('cache'));
  const stored = Float32Array.from([0.6, 0.8, 0]);
  await cache.set('tiny', SHA_A, stored);
  const embedder = counting(tiny);
  const progress: [number, number, number][] = [];
  const items = [
    { sha256: SHA_A, path: path.join(images, 'red.png') },
    { sha256: SHA_B, path: path.join(images, 'green.png') },
    { sha256: SHA_C, path: path.join(images, 'blue.png') },
  ];
  const vectors = await embedWithCache(embedder, cache, items, { onProgress: (...args) => progress.push(args) });
  assert.deepEqual(embedder.calls.sort(), [items[2]!.path, items[1]!.path]);
  assert.deepEqual(vectors.get(SHA_A), stored); // the cached vector, not red's [1, 0, 0]
  assert.deepEqual([...vectors.get(SHA_B)!], [0, 1, 0]);
  assert.deepEqual([...vectors.get(SHA_C)!], [0, 0, 1]);
  assert.deepEqual(await cache.get('tiny', SHA_C), Float32Array.from([0, 0, 1]));
  assert.deepEqual(progress[0], [1, 3, 1]);
  assert.deepEqual(progress.at(-1), [3, 3, 1]);

  const again = counting(tiny);
  await embedWithCache(again, cache, items);
  assert.deepEqual(again.calls, []);
});

test('embedWithCache stops on an aborted signal before embedding anything', async () => {
  const embedder = counting(tiny);
  const controller = new AbortController();
  controller.abort(new Error('stop'));
  const items = [{ sha256: SHA_B, path: path.join(images, 'green.png') }];
  await assert.rejects(embedWithCache(embedder, new EmbeddingCache(tempDir('cache')), items, { signal: controller.signal }), /stop/);
  assert.deepEqual(embedder.calls, []);
});

test('embedWithCache skips unreadable images when given onError', async () => {
  const broken = path.join(images, 'broken.png');
  fs.writeFileSync(broken, 'not a png');
  const failed: string[] = [];
  const items = [
    { sha256: SHA_B, path: broken },
    { sha256: SHA_C, path: path.join(images, 'blue.png') },
  ];
  const vectors = await embedWithCache(tiny, new EmbeddingCache(tempDir('cache')), items, { onError: (item) => failed.push(item.path) });
  assert.deepEqual(failed, [broken]);
  assert.deepEqual([...vectors.keys()], [SHA_C]);
  await assert.rejects(embedWithCache(tiny, new EmbeddingCache(tempDir('cache')), items), { code: 'ERR_IMAGE_UNREADABLE' });
});

test('a backbone with pinned weights caches under its id and weights hash, so new weights never meet old vectors', () => {
  const spec = getBackbone('mobilenet-v2-imagenet', tempDir('models'));
  assert.ok(spec.weights.source === 'file' && spec.weights.sha256);
  assert.equal(cacheKeyOf(spec), `mobilenet-v2-imagenet@${spec.weights.sha256.slice(0, 12)}`);
  assert.equal(cacheKeyOf({ ...spec, weights: { source: 'file', file: 'x.onnx' } }), 'mobilenet-v2-imagenet');
  assert.equal(cacheKeyOf(getBackbone('centernet-mbv3-coco', tempDir('models'))), 'centernet-mbv3-coco');
});
