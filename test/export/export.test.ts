import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import * as ort from 'onnxruntime-node';
import { getBackbone, preprocess } from '../../src/backbone/index.js';
import { exportVersion } from '../../src/export/index.js';
import { parseVersionRef } from '../../src/registry/index.js';
import { Predictor } from '../../src/predict/index.js';
import { headProbabilities, type Head } from '../../src/train/index.js';
import { solidPng } from '../backbone/fixtures.js';
import { jpeg, tempDir } from '../helpers/fixtures.js';
import { LABELS, logisticHead, mlpHead, trainedHome } from '../batch/fixtures.js';

async function images(): Promise<Uint8Array[]> {
  return [await solidPng(20, 16, [220, 30, 40]), await solidPng(9, 9, [20, 200, 60]), await solidPng(12, 30, [30, 40, 230]), await jpeg(1, 64, 48), await jpeg(2, 33, 71)];
}

async function assertExportMatches(t: TestContext, head: Head): Promise<void> {
  const { home, registry, ref } = await trainedHome(tempDir(t, 'export'), head);
  const out = path.join(tempDir(t, 'export-out'), 'bundle');
  const { manifest } = await exportVersion(registry, home, parseVersionRef(ref), out);
  assert.equal(manifest.graph, 'full');
  const session = await ort.InferenceSession.create(path.join(out, 'model.onnx'));
  const predictor = await Predictor.load(registry, home, parseVersionRef(ref), { workers: 1 });
  const spec = getBackbone('tiny', home.models);
  try {
    for (const bytes of await images()) {
      const input = await preprocess({ bytes }, spec.input);
      const result = await session.run({ input: new ort.Tensor('float32', input.data, input.dims) });
      const exported = result.probabilities!.data as Float32Array;
      const own = await predictor.probabilities({ bytes });
      assert.equal(exported.length, own.length);
      own.forEach((p, k) => assert.ok(Math.abs(p - exported[k]!) < 1e-4, `class ${k}: skulens ${p}, export ${exported[k]}`));
    }
  } finally {
    await predictor.close();
    await session.release();
    registry.close();
  }
}

test('an exported logistic version gives the same probabilities as skulens within 1e-4', async (t) => {
  await assertExportMatches(t, logisticHead());
});

test('an exported MLP version gives the same probabilities as skulens within 1e-4', async (t) => {
  await assertExportMatches(t, mlpHead());
});

test('labels.json carries the labels, thresholds, preprocessing and backbone of the version', async (t) => {
  const { home, registry, ref, arn } = await trainedHome(tempDir(t, 'export'));
  const out = tempDir(t, 'export-out');
  await exportVersion(registry, home, parseVersionRef(ref), out);
  registry.close();
  const labels = JSON.parse(fs.readFileSync(path.join(out, 'labels.json'), 'utf8'));
  assert.deepEqual(labels.labels, LABELS);
  assert.deepEqual(labels.thresholds, [0.5, 0.4, 0.6]);
  assert.equal(labels.projectVersionArn, arn);
  assert.deepEqual(labels.inputs, { name: 'input', dims: ['N', 3, 8, 8] });
  assert.deepEqual(labels.preprocessing.scale, { mean: [10, 20, 30], std: [60, 50, 40] });
  assert.equal(labels.backbone.includedInGraph, true);
  const readme = fs.readFileSync(path.join(out, 'README.md'), 'utf8');
  assert.match(readme, /onnxruntime as ort/);
  assert.match(readme, /import \* as ort from 'onnxruntime-node'/);
});

test('a version on the TF.js default backbone exports its head as ONNX with the backbone reference', async (t) => {
  const head = logisticHead();
  const { home, registry, ref } = await trainedHome(tempDir(t, 'export'), head, 'centernet-mbv3-coco');
  const out = tempDir(t, 'export-out');
  const { manifest } = await exportVersion(registry, home, parseVersionRef(ref), out);
  registry.close();
  assert.equal(manifest.graph, 'head');
  assert.equal(manifest.backbone.id, 'centernet-mbv3-coco');
  assert.equal(manifest.backbone.includedInGraph, false);
  assert.deepEqual(manifest.inputs, { name: 'embedding', dims: ['N', 3] });
  const session = await ort.InferenceSession.create(path.join(out, 'model.onnx'));
  try {
    // The graph L2-normalises its input as skulens does; feed an un-normalised pooled embedding.
    const raw = Float32Array.of(0.7, 2.1, -0.4);
    const norm = Math.hypot(...raw);
    const expected = headProbabilities(head, raw.map((v) => v / norm));
    const result = await session.run({ embedding: new ort.Tensor('float32', raw, [1, 3]) });
    const got = result.probabilities!.data as Float32Array;
    expected.forEach((p, k) => assert.ok(Math.abs(p - got[k]!) < 1e-4, `class ${k}: ${p} vs ${got[k]}`));
  } finally {
    await session.release();
  }
});

test('exporting a version that is still training fails with ERR_VERSION_NOT_READY', async (t) => {
  const { home, registry } = await trainedHome(tempDir(t, 'export'));
  const pending = registry.versions.create(registry.projects.get('shop').id, { backbone: 'tiny', params: {}, seed: 1 });
  await assert.rejects(exportVersion(registry, home, { project: 'shop', name: pending.name }, tempDir(t, 'export-out')), { code: 'ERR_VERSION_NOT_READY' });
  registry.close();
});
