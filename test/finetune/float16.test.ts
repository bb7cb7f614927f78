// The activation cache's float16 encoding (what numpy reads as '<f2') and the seeded crop views.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cropView, toFloat16 } from '../../src/finetune/index.js';

test('toFloat16 rounds to the nearest IEEE half, with subnormals, overflow to infinity and scaling', () => {
  const values = Float32Array.of(1, -2, 0.1, 65504, 70000, 6e-8, 1e-8, 0, -0, 1 + 2 ** -11, 1 + 3 * 2 ** -11);
  assert.deepEqual(Array.from(toFloat16(values)), [0x3c00, 0xc000, 0x2e66, 0x7bff, 0x7c00, 0x0001, 0x0000, 0x0000, 0x8000, 0x3c00, 0x3c02]);
  assert.deepEqual(Array.from(toFloat16(Float32Array.of(0.5, 3), 2)), [0x3c00, 0x4600]);
});

test('a crop view depends only on the photo and the view number', () => {
  const sha = 'ab'.repeat(32);
  assert.deepEqual(cropView(sha, 1), cropView(sha, 1));
  assert.notDeepEqual(cropView(sha, 1), cropView(sha, 2));
  const [crop] = cropView(sha, 1).ops;
  assert.equal(crop?.op, 'crop');
  if (crop?.op === 'crop') {
    assert.ok(crop.width * crop.height >= 0.5 - 1e-9 && crop.left + crop.width <= 1 + 1e-9 && crop.top + crop.height <= 1 + 1e-9, JSON.stringify(crop));
  }
});
