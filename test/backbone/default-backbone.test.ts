import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { DEFAULT_BACKBONE_ID, getBackbone, openEmbedder, type Embedder } from '../../src/backbone/index.js';
import { tempDir } from './fixtures.js';

const dir = tempDir('images');
let embedder: Embedder;

function photo(width: number, height: number, seed: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 40 * seed, g: 120, b: 200 - 30 * seed }, noise: { type: 'gaussian', mean: 100, sigma: 40 } } })
    .jpeg({ quality: 85 })
    .toBuffer();
}

before(async () => {
  embedder = await openEmbedder(getBackbone(DEFAULT_BACKBONE_ID, dir), { modelsDir: dir, workers: 2 });
});
after(() => embedder.close());

test('the default backbone gives 1280-d unit vectors from two workers', async () => {
  const images = await Promise.all([0, 1, 2, 3].map((seed) => photo(300 + seed * 40, 400, seed)));
  const vectors = await Promise.all(images.map((bytes) => embedder.embed({ bytes })));
  for (const vector of vectors) {
    assert.equal(vector.length, 1280);
    assert.ok(Math.abs(Math.hypot(...vector) - 1) < 1e-4);
  }
  assert.equal(embedder.workers, 2);
  const stats = embedder.stats();
  assert.equal(stats.length, 2);
  assert.ok(stats.every((worker) => worker.embedded >= 1), JSON.stringify(stats));
});

test('a truncated JPEG rejects with ERR_IMAGE_UNREADABLE naming the file, and the next image still embeds', async () => {
  const whole = await photo(320, 240, 1);
  const broken = path.join(dir, 'truncated.jpg');
  fs.writeFileSync(broken, whole.subarray(0, Math.floor(whole.length / 2)));
  await assert.rejects(embedder.embed({ path: broken }), (error: Error & { code?: string }) => {
    return error.code === 'ERR_IMAGE_UNREADABLE' && error.message.includes(broken);
  });
  const good = path.join(dir, 'good.jpg');
  fs.writeFileSync(good, whole);
  const vector = await embedder.embed({ path: good });
  assert.equal(vector.length, 1280);
  // Same bytes, same vector: the workers are deterministic.
  assert.deepEqual(await embedder.embed({ bytes: whole }), vector);
});
