// Fine-tuning end to end on the small graph and a tiny fixture set: one epoch on the ONNX Runtime engine (and
// on the PyTorch engine where it is installed), the served graph, registration as a version, serving
// through onnxruntime; and a cancel that leaves the registry as it was.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { isSkulensError } from '../../src/errors.js';
import { fineTuneVersion } from '../../src/jobs/index.js';
import { readModel } from '../../src/registry/index.js';
import { Predictor } from '../../src/serve/index.js';
import { smallProject, torchPython } from './fixtures.js';

const python = torchPython();
const skip = python ? false : 'no python with torch and onnx';

for (const engine of ['onnx', 'torch'] as const) test(`a one-epoch fine-tune of a small graph exports, registers and is served by onnxruntime (engine ${engine})`, { skip: engine === 'torch' ? skip : false }, async () => {
  const { home, registry, root } = await smallProject();
  try {
    const phases = new Set<string>();
    const result = await fineTuneVersion(registry, home, 'p', { backbone: 'small-cnn', epochs: 1, batchSize: 8, workers: 1, threads: 1, python, engine }, {
      onProgress: ({ phase }) => phases.add(phase),
    });
    assert.equal(result.version.status, 'TRAINING_COMPLETED');
    assert.equal(result.engine.epochsRun, 1);
    assert.ok(result.check.embeddingMaxDiff <= 1e-4 && result.check.logitMaxDiff <= 1e-4, JSON.stringify(result.check));
    assert.deepEqual([...phases].sort(), ['evaluate', 'export', 'finetune', 'measure', 'prepare', 'write']);

    const { manifest } = await readModel(home, result.version.dir!);
    assert.equal(manifest.backbone.base, 'small-cnn');
    assert.match(manifest.backbone.id, /^ft-[0-9a-f]{16}$/);
    assert.ok(fs.existsSync(path.resolve(home.root, result.version.dir!, 'backbone.onnx')));

    const predictor = await Predictor.load(registry, home, { project: 'p', name: result.version.name }, { workers: 1 });
    try {
      const served = await predictor.probabilities({ path: path.join(root, 'data', 'test', 'red', 'red-0.png') });
      assert.equal(served.length, 3);
      assert.ok(Math.abs(served.reduce((a, b) => a + b) - 1) < 1e-5);
    } finally {
      await predictor.close();
    }
    assert.deepEqual(fs.readdirSync(home.tmp), [], 'the work folder is removed');
  } finally {
    registry.close();
  }
});

test('cancelling a fine-tune mid-run leaves the registry and the project folder unchanged', { skip }, async () => {
  const { home, registry } = await smallProject();
  try {
    const before = registry.listVersions(registry.getProject('p').id);
    const controller = new AbortController();
    let started = false;
    await assert.rejects(
      fineTuneVersion(registry, home, 'p', { backbone: 'small-cnn', epochs: 200, batchSize: 4, workers: 1, threads: 1, python }, {
        signal: controller.signal,
        onStart: () => (started = true),
        // Cancel once training runs: the engine reports its first steps.
        onEngineMessage: (message) => message.type === 'progress' && controller.abort(),
      }),
      (error) => isSkulensError(error, 'ERR_TRAINING_CANCELLED'),
    );
    assert.ok(started, 'a version row existed while it trained');
    assert.deepEqual(registry.listVersions(registry.getProject('p').id), before);
    assert.ok(!fs.existsSync(path.join(home.projects, 'p', 'versions')) || fs.readdirSync(path.join(home.projects, 'p', 'versions')).length === 0);
    assert.deepEqual(fs.readdirSync(home.tmp), []);
  } finally {
    registry.close();
  }
});
