import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyOp, drawViews, parseAugment, AUGMENT_PRESETS, type RawRgb } from '../../src/augment/index.js';

/** 8x8 image, left half pure red, right half pure blue. */
function halves(): RawRgb {
  const width = 8;
  const height = 8;
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) data.set(x < 4 ? [255, 0, 0] : [0, 0, 255], (y * width + x) * 3);
  }
  return { data, width, height };
}

/** Solid 8x8 image of one colour. */
function solid(rgb: [number, number, number]): RawRgb {
  const data = new Uint8Array(8 * 8 * 3);
  for (let p = 0; p < 64; p++) data.set(rgb, p * 3);
  return { data, width: 8, height: 8 };
}

const pixel = (image: RawRgb, x: number, y: number): number[] => Array.from(image.data.subarray((y * image.width + x) * 3, (y * image.width + x) * 3 + 3));
const close = (actual: number[], expected: number[], tolerance: number): boolean => actual.every((v, k) => Math.abs(v - expected[k]!) <= tolerance);

test('flip mirrors the image: the red left half moves to the right', async () => {
  const out = await applyOp(halves(), { op: 'flip' });
  assert.deepEqual(pixel(out, 0, 0), [0, 0, 255]);
  assert.deepEqual(pixel(out, 7, 7), [255, 0, 0]);
});

test('crop keeps the given fraction of the image: the left half is all red', async () => {
  const out = await applyOp(halves(), { op: 'crop', left: 0, top: 0, width: 0.5, height: 1 });
  assert.equal(out.width, 4);
  assert.equal(out.height, 8);
  for (let x = 0; x < 4; x++) assert.deepEqual(pixel(out, x, 3), [255, 0, 0]);
});

test('rotate by 180 degrees keeps the size and swaps the halves', async () => {
  const out = await applyOp(halves(), { op: 'rotate', degrees: 180 });
  assert.equal(out.width, 8);
  assert.equal(out.height, 8);
  assert.ok(close(pixel(out, 1, 4), [0, 0, 255], 2), `got ${pixel(out, 1, 4)}`);
  assert.ok(close(pixel(out, 6, 4), [255, 0, 0], 2), `got ${pixel(out, 6, 4)}`);
});

test('brightness 1.5 multiplies every channel by 1.5', async () => {
  const out = await applyOp(solid([100, 60, 20]), { op: 'brightness', factor: 1.5 });
  assert.ok(close(pixel(out, 3, 3), [150, 90, 30], 1), `got ${pixel(out, 3, 3)}`);
});

test('contrast 0.5 halves the distance of each channel from mid-grey', async () => {
  const out = await applyOp(solid([228, 28, 128]), { op: 'contrast', factor: 0.5 });
  assert.ok(close(pixel(out, 3, 3), [178, 78, 128], 1), `got ${pixel(out, 3, 3)}`);
});

test('saturation 0 turns a colour into a grey (equal channels)', async () => {
  const out = await applyOp(solid([200, 40, 40]), { op: 'saturation', factor: 0 });
  const [r, g, b] = pixel(out, 3, 3);
  assert.ok(Math.abs(r! - g!) <= 3 && Math.abs(g! - b!) <= 3, `got ${[r, g, b]}`);
});

test('a hue turn of 120 degrees moves red towards green', async () => {
  const out = await applyOp(solid([200, 30, 30]), { op: 'hue', degrees: 120 });
  const [r, g] = pixel(out, 3, 3);
  assert.ok(g! > r!, `got ${pixel(out, 3, 3)}`);
});

test('the same seed and image give the same views, another image gets other views', () => {
  const sha = 'ab'.repeat(32);
  const a = drawViews(AUGMENT_PRESETS.strong, 7, sha);
  assert.equal(a.length, 3);
  assert.deepEqual(drawViews(AUGMENT_PRESETS.strong, 7, sha), a);
  assert.notDeepEqual(drawViews(AUGMENT_PRESETS.strong, 7, 'cd'.repeat(32)), a);
  assert.ok(a.every((v) => /^[0-9a-f]{16}$/.test(v.key)));
});

test('the light preset always flips and none has no views', () => {
  const views = drawViews(AUGMENT_PRESETS.light, 1, 'ef'.repeat(32));
  assert.equal(views.length, 1);
  assert.ok(views[0]!.ops.some((op) => op.op === 'flip'));
  assert.deepEqual(drawViews(AUGMENT_PRESETS.none, 1, 'ef'.repeat(32)), []);
});

test('parseAugment reads a list with strengths and refuses unknown operations', () => {
  assert.deepEqual(parseAugment('flip,crop:0.3,views:2'), { name: 'flip,crop:0.3,views:2', views: 2, strengths: { flip: 0.5, crop: 0.3 } });
  assert.throws(() => parseAugment('blur'), { code: 'ERR_ARGUMENT_INVALID' });
  assert.throws(() => parseAugment('rotate:400'), { code: 'ERR_ARGUMENT_INVALID' });
});
