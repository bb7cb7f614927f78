import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { backboneClassNames, convertedPath, getBackbone, listBackbones, openEmbedder, verifiedWeights } from '../../src/backbone/index.js';
import { appendZip, OP } from '../tflite/fixtures.js';
import { referenceForward, tinyClassifier } from '../tflite/tiny-classifier.js';
import { solidPng, tempDir } from './fixtures.js';

const SIZE = 6;
const TFLITE = appendZip(tinyClassifier('mean-dense', undefined, SIZE, SIZE), { 'labels.txt': 'cat\ndog\n' });
const SHA = createHash('sha256').update(TFLITE).digest('hex');

/** A models folder holding `tiny.tflite` and a user row naming it. */
function modelsWithTflite(bytes: Uint8Array = TFLITE): string {
  const modelsDir = tempDir('models');
  fs.writeFileSync(path.join(modelsDir, 'tiny.tflite'), bytes);
  fs.writeFileSync(
    path.join(modelsDir, 'tiny.backbone.json'),
    JSON.stringify({
      id: 'tiny-tflite',
      description: 'a tiny TFLite classifier',
      runtime: 'onnx',
      input: { name: 'input', size: SIZE, layout: 'nchw', resize: 'squash', scale: { mean: [128, 128, 128], std: [128, 128, 128] } },
      tap: 'embedding',
      pool: 'none',
      dim: 4,
      weights: { source: 'file', file: 'tiny.tflite' },
    }),
  );
  return modelsDir;
}

test('a user row naming a .tflite embeds like the network computed by hand', async () => {
  const modelsDir = modelsWithTflite();
  const embedder = await openEmbedder(getBackbone('tiny-tflite', modelsDir), { modelsDir, workers: 1 });
  try {
    const colour: [number, number, number] = [200, 90, 30];
    const vector = await embedder.embed({ bytes: await solidPng(12, 12, colour) });
    const want = referenceForward(Array.from({ length: SIZE }, () => Array.from({ length: SIZE }, () => [...colour])));
    const norm = Math.hypot(...want.embedding);
    want.embedding.forEach((v, k) => assert.ok(Math.abs(vector[k]! - v / norm) < 1e-4, `${k}: ${vector[k]} vs ${v / norm}`));
  } finally {
    await embedder.close();
  }
});

test('the conversion is cached by the .tflite sha256 and redone when the cached file is damaged', async () => {
  const modelsDir = modelsWithTflite();
  const spec = getBackbone('tiny-tflite', modelsDir);
  const cached = convertedPath(modelsDir, SHA);
  assert.deepEqual(await verifiedWeights(spec, modelsDir), [cached]);
  const first = fs.readFileSync(cached);
  assert.equal(fs.readFileSync(`${cached}.sha256`, 'utf8').trim(), createHash('sha256').update(first).digest('hex'));
  const stamp = fs.statSync(cached).mtimeMs;
  assert.deepEqual(await verifiedWeights(spec, modelsDir), [cached]);
  assert.equal(fs.statSync(cached).mtimeMs, stamp, 'an intact cache is reused, not rewritten');
  fs.writeFileSync(cached, 'damaged');
  assert.deepEqual(await verifiedWeights(spec, modelsDir), [cached]);
  assert.deepEqual(fs.readFileSync(cached), first);
});

test('a .tflite with an operator skulens cannot convert is refused naming the operator', async () => {
  const modelsDir = modelsWithTflite(tinyClassifier('mean-dense', { code: OP.LOGISTIC, inputs: [15], outputs: [15] }, SIZE, SIZE));
  await assert.rejects(verifiedWeights(getBackbone('tiny-tflite', modelsDir), modelsDir), (error: Error & { code?: string }) => {
    return error.code === 'ERR_BACKBONE_RUNTIME' && /LOGISTIC is not supported/.test(error.message) && error.message.includes('tiny.tflite');
  });
});

test('class names come from the labels file packed inside the .tflite', () => {
  const modelsDir = modelsWithTflite();
  assert.deepEqual(backboneClassNames(getBackbone('tiny-tflite', modelsDir), modelsDir), ['cat', 'dog']);
});

test('on a fresh models folder the shipped default is present, pinned, and names its 1001 ImageNet classes', async () => {
  const modelsDir = tempDir('fresh-models');
  const row = listBackbones(modelsDir).find((r) => r.spec.id === 'mobilenet-v2-imagenet')!;
  assert.equal(row.present, true);
  assert.ok(row.location.endsWith(path.join('models', 'mobilenet-v2-imagenet', 'tf2_mobilenet_v2_1.0_224_ptq.tflite')));
  const spec = getBackbone('mobilenet-v2-imagenet', modelsDir);
  assert.equal(spec.weights.source === 'file' && spec.weights.sha256, createHash('sha256').update(fs.readFileSync(row.location)).digest('hex'));
  const names = backboneClassNames(spec, modelsDir)!;
  assert.equal(names.length, 1001);
  assert.equal(names[0], 'background');
  assert.ok(names.some((name) => name.startsWith('running shoe')));
});
