// Warm starts: `fineTuneVersion({from})` continues from a fine-tuned version's own backbone when a label
// was added (the head gets a row per label of the new version), and a frozen version is refused.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { getBackbone, openEmbedder, versionBackbone, type BackboneSpec } from '../../src/backbone/index.js';
import { isSkulensError } from '../../src/errors.js';
import type { HomeLayout } from '../../src/home/index.js';
import { fineTuneVersion, trainVersion } from '../../src/jobs/index.js';
import { readModel, readVersionJson, type Version } from '../../src/registry/index.js';
import { addColourLabel, smallProject, torchPython } from './fixtures.js';

const python = torchPython();
const skip = python ? false : 'no python with torch and onnx';

async function embedding(spec: BackboneSpec, home: HomeLayout, image: string): Promise<Float32Array> {
  const embedder = await openEmbedder(spec, { modelsDir: home.models, workers: 1 });
  try {
    return await embedder.embed({ path: image });
  } finally {
    await embedder.close();
  }
}

async function spec(home: HomeLayout, version: Version): Promise<BackboneSpec> {
  const { manifest } = await readModel(home, version.dir!);
  return versionBackbone(manifest.backbone, home.models, path.resolve(home.root, version.dir!));
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  return Math.max(...a.map((v, k) => Math.abs(v - b[k]!)));
}

test('a fine-tune --from a version starts from its backbone and trains a head for the added label', { timeout: 300_000 }, async () => {
  const { home, registry, root } = await smallProject();
  try {
    const common = { backbone: 'small-cnn', batchSize: 8, workers: 1, threads: 1, finalEpochs: 0, python } as const;
    const v1 = await fineTuneVersion(registry, home, 'p', { ...common, epochs: 3, lr: 3e-2 });
    await addColourLabel(registry, home, root, 'yellow', [210, 200, 40]);
    // A learning rate too small to move the weights: the new backbone is whichever one the run started from.
    // LP-FT is left to its default: on for a warm start (its added label needs a head row), off for a fresh one.
    const still = { ...common, epochs: 1, lr: 1e-12 };
    const warm = await fineTuneVersion(registry, home, 'p', { ...still, from: 'v1' });
    const cold = await fineTuneVersion(registry, home, 'p', still);

    const image = path.join(root, 'data', 'test', 'red', 'red-0.png');
    const [fromV1, fromWarm, fromCold, fromBase] = await Promise.all([
      embedding(await spec(home, v1.version), home, image),
      embedding(await spec(home, warm.version), home, image),
      embedding(await spec(home, cold.version), home, image),
      embedding(getBackbone('small-cnn', home.models), home, image),
    ]);
    assert.ok(maxDiff(fromV1, fromBase) > 1e-3, 'v1 moved away from the base weights');
    assert.ok(maxDiff(fromWarm, fromV1) < 1e-4, `the warm start continues from v1 (diff ${maxDiff(fromWarm, fromV1)})`);
    assert.ok(maxDiff(fromCold, fromBase) < 1e-4, 'a fresh start begins from the base row');
    assert.equal(typeof warm.engine.probeValAccuracy, 'number', 'the warm start fitted its head by a linear probe');
    assert.equal(cold.engine.probeValAccuracy, null, 'a fresh start trains its head from scratch');

    const { manifest } = await readModel(home, warm.version.dir!);
    assert.deepEqual(manifest.labels, ['blue', 'green', 'red', 'yellow']);
    assert.equal(manifest.backbone.base, 'small-cnn', 'the base row stays the ImageNet-like one, not v1');
    const report = (await readVersionJson(home, warm.version.dir!, 'finetune.json')) as { from?: string };
    assert.equal(report.from, 'p/v1');
    assert.equal(warm.version.metrics?.from, 'p/v1');
  } finally {
    registry.close();
  }
});

test('a fine-tune --from a frozen version is refused before anything is created', async () => {
  const { home, registry } = await smallProject();
  try {
    const frozen = await trainVersion(registry, home, 'p', { backbone: 'small-cnn', tune: false, C: 1, workers: 1 });
    const before = registry.versions.list(frozen.version.projectId).length;
    await assert.rejects(fineTuneVersion(registry, home, 'p', { backbone: 'small-cnn', from: 'v1', python: python ?? 'python3' }), (error: unknown) => {
      assert.ok(isSkulensError(error, 'ERR_FINETUNE_BACKBONE_UNSUPPORTED'));
      assert.match(error.message, /p\/v1 is a frozen version/);
      return true;
    });
    assert.equal(registry.versions.list(frozen.version.projectId).length, before);
  } finally {
    registry.close();
  }
});
