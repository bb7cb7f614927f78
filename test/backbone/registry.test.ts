import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { BACKBONES, DEFAULT_BACKBONE_ID, PACKAGE_MODELS_DIR, getBackbone } from '../../src/backbone/index.js';
import { tempDir } from './fixtures.js';

test('an unknown backbone id is ERR_BACKBONE_UNKNOWN listing the known ids', () => {
  assert.throws(
    () => getBackbone('resnet-9000', tempDir('models')),
    (error: Error & { code?: string }) =>
      error.code === 'ERR_BACKBONE_UNKNOWN' &&
      error.message.includes('"resnet-9000"') &&
      BACKBONES.every((row) => error.message.includes(row.id)),
  );
});

test('the default backbone is a frozen table row with pinned weights shipped in the package', () => {
  const spec = getBackbone(DEFAULT_BACKBONE_ID, tempDir('models'));
  assert.equal(spec.id, 'mobilenet-v2-imagenet');
  assert.ok(spec.weights.source === 'file' && spec.weights.file.startsWith(PACKAGE_MODELS_DIR) && /^[0-9a-f]{64}$/.test(spec.weights.sha256 ?? ''));
  assert.equal(spec.dim, 1280);
  assert.ok(Object.isFrozen(BACKBONES) && Object.isFrozen(spec) && Object.isFrozen(spec.input));
});

test('a bad user backbone file is ERR_CONFIG_INVALID naming the file and the field', () => {
  const modelsDir = tempDir('models');
  const file = path.join(modelsDir, 'broken.backbone.json');
  fs.writeFileSync(file, JSON.stringify({ id: 'broken', runtime: 'pytorch' }));
  assert.throws(
    () => getBackbone(DEFAULT_BACKBONE_ID, modelsDir),
    (error: Error & { code?: string }) => error.code === 'ERR_CONFIG_INVALID' && error.message.includes(file) && error.message.includes('runtime'),
  );
});

test('a user row may not reuse a built-in id', () => {
  const modelsDir = tempDir('models');
  fs.writeFileSync(path.join(modelsDir, 'mine.backbone.json'), JSON.stringify({ ...BACKBONES[1], description: 'mine' }));
  assert.throws(() => getBackbone('mine', modelsDir), /reuses the built-in id "mobilenet-v2-imagenet"/);
});
