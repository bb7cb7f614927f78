import assert from 'node:assert/strict';
import { test } from 'node:test';
import sharp from 'sharp';
import { FLIP_VIEW } from '../../src/augment/index.js';
import { EmbeddingCache, preprocess, type BackboneSpec } from '../../src/backbone/index.js';

const SPEC: BackboneSpec['input'] = { name: 'x', size: 4, layout: 'nhwc', resize: 'squash', scale: 'raw255' };

/** 16x8 PNG: left half red, right half blue. */
async function halvesPng(): Promise<Uint8Array> {
  const red = await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: 255, g: 0, b: 0 } } }).png().toBuffer();
  return sharp({ create: { width: 16, height: 8, channels: 3, background: { r: 0, g: 0, b: 255 } } })
    .composite([{ input: red, left: 0, top: 0 }])
    .png()
    .toBuffer();
}

test('an embedding input with the flip view is mirrored before the resize', async () => {
  const bytes = await halvesPng();
  const plain = await preprocess({ bytes }, SPEC);
  const flipped = await preprocess({ bytes, view: FLIP_VIEW }, SPEC);
  // First pixel (top left): red without the view, blue with it.
  assert.deepEqual(Array.from(plain.data.subarray(0, 3), Math.round), [255, 0, 0]);
  assert.deepEqual(Array.from(flipped.data.subarray(0, 3), Math.round), [0, 0, 255]);
});

test('an augmented view is cached beside its image under <sha256>.<viewKey>', () => {
  const cache = new EmbeddingCache('/tmp/cache');
  const sha = 'a'.repeat(64);
  assert.equal(cache.pathOf('tiny', `${sha}.${FLIP_VIEW.key}`), `/tmp/cache/tiny/aa/${sha}.flip.f32`);
  assert.throws(() => cache.pathOf('tiny', `${sha}.Bad/Key`), { code: 'ERR_ARGUMENT_INVALID' });
});
