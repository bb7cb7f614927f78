import assert from 'node:assert/strict';
import { test } from 'node:test';
import sharp from 'sharp';
import { preprocess, type BackboneSpec } from '../../src/backbone/index.js';
import { solidPng } from './fixtures.js';

type InputSpec = BackboneSpec['input'];
const COLOUR: [number, number, number] = [200, 100, 50];
const MEAN_STD = { mean: [10, 20, 30], std: [2, 4, 8] } as { mean: [number, number, number]; std: [number, number, number] };
// (200-10)/2, (100-20)/4, (50-30)/8
const SCALED = [95, 20, 2.5];

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i += 1) {
    assert.ok(Math.abs(actual[i]! - expected[i]!) <= tolerance, `index ${i}: ${actual[i]} vs ${expected[i]}`);
  }
}

function repeatPixels(channels: number[], pixels: number, layout: 'nchw' | 'nhwc'): number[] {
  if (layout === 'nhwc') return Array.from({ length: pixels }, () => channels).flat();
  return channels.flatMap((value) => Array<number>(pixels).fill(value));
}

test('a solid-colour PNG squashed to 4x4 gives (pixel - mean) / std in NCHW order', async () => {
  const spec: InputSpec = { name: 'x', size: 4, layout: 'nchw', resize: 'squash', scale: MEAN_STD };
  const { data, dims } = await preprocess({ bytes: await solidPng(40, 30, COLOUR) }, spec);
  assert.deepEqual(dims, [1, 3, 4, 4]);
  // 1 grey level of resampling error is at most 1/std.
  assertClose(data, repeatPixels(SCALED, 16, 'nchw'), 0.5);
});

test('a solid-colour PNG with the same scale in NHWC order interleaves the channels', async () => {
  const spec: InputSpec = { name: 'x', size: 4, layout: 'nhwc', resize: 'squash', scale: MEAN_STD };
  const { data, dims } = await preprocess({ bytes: await solidPng(40, 30, COLOUR) }, spec);
  assert.deepEqual(dims, [1, 4, 4, 3]);
  assertClose(data, repeatPixels(SCALED, 16, 'nhwc'), 0.5);
});

test('raw255 keeps 0..255 pixel values, in NHWC and NCHW', async () => {
  const png = await solidPng(30, 40, COLOUR);
  for (const layout of ['nhwc', 'nchw'] as const) {
    const spec: InputSpec = { name: 'x', size: 5, layout, resize: 'shorter-side-crop', shorterSide: 7, scale: 'raw255' };
    const { data } = await preprocess({ bytes: png }, spec);
    assertClose(data, repeatPixels(COLOUR, 25, layout), 1);
  }
});

test('layouts keep pixel positions: a left-red, right-blue image stays left-red in both orders', async () => {
  const left = Buffer.alloc(8 * 8 * 3);
  for (let y = 0; y < 8; y += 1) for (let x = 0; x < 8; x += 1) left.set(x < 4 ? [255, 0, 0] : [0, 0, 255], (y * 8 + x) * 3);
  const png = await sharp(left, { raw: { width: 8, height: 8, channels: 3 } }).png().toBuffer();
  const nhwc = await preprocess({ bytes: png }, { name: 'x', size: 8, layout: 'nhwc', resize: 'squash', scale: 'raw255' });
  assert.deepEqual([...nhwc.data.slice(0, 3)], [255, 0, 0]); // pixel (0,0)
  assert.deepEqual([...nhwc.data.slice(7 * 3, 7 * 3 + 3)], [0, 0, 255]); // pixel (0,7)
  const nchw = await preprocess({ bytes: png }, { name: 'x', size: 8, layout: 'nchw', resize: 'squash', scale: 'raw255' });
  assert.equal(nchw.data[0], 255); // red plane, pixel (0,0)
  assert.equal(nchw.data[7], 0); // red plane, pixel (0,7)
  assert.equal(nchw.data[2 * 64 + 7], 255); // blue plane, pixel (0,7)
});

test('a greyscale PNG with alpha becomes three equal channels', async () => {
  const png = await sharp({ create: { width: 6, height: 6, channels: 4, background: { r: 90, g: 90, b: 90, alpha: 1 } } })
    .toColourspace('b-w')
    .png()
    .toBuffer();
  const { data } = await preprocess({ bytes: png }, { name: 'x', size: 2, layout: 'nhwc', resize: 'squash', scale: 'raw255' });
  assertClose(data, repeatPixels([90, 90, 90], 4, 'nhwc'), 1);
});

test('an unreadable image is ERR_IMAGE_UNREADABLE naming it', async () => {
  await assert.rejects(
    preprocess({ bytes: Buffer.from('not an image'), name: 'upload.jpg' }, { name: 'x', size: 2, layout: 'nhwc', resize: 'squash', scale: 'raw255' }),
    (error: Error & { code?: string }) => error.code === 'ERR_IMAGE_UNREADABLE' && error.message.includes('upload.jpg'),
  );
});
