// Where the engine trains: CUDA (mixed precision) when PyTorch sees a GPU, the CPU otherwise, and an
// explicit device that is not there is an error naming the ones that are. The CUDA test skips on
// machines without one.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { isSkulensError } from '../../src/errors.js';
import { ENGINE_SCRIPT } from '../../src/finetune/index.js';
import { fineTuneVersion } from '../../src/jobs/index.js';
import { smallProject, torchPython } from './fixtures.js';

const python = torchPython();
/** What `device.py` says PyTorch sees here. */
const seen = python
  ? (JSON.parse(spawnSync(python, [path.join(path.dirname(ENGINE_SCRIPT), 'device.py')], { encoding: 'utf8' }).stdout) as { device: string; cuda: boolean; mps: boolean })
  : undefined;
const options = { engine: 'torch', backbone: 'small-cnn', epochs: 1, batchSize: 8, workers: 1, threads: 1, python } as const;

test('without a GPU the engine trains on the CPU in float32 and the version says so', { skip: !seen ? 'no python with torch and onnx' : seen.cuda || seen.mps ? 'this machine has a GPU' : false, timeout: 300_000 }, async () => {
  const { home, registry } = await smallProject();
  try {
    const result = await fineTuneVersion(registry, home, 'p', options);
    assert.equal(result.engine.device, 'cpu');
    assert.equal(result.engine.precision, 'float32');
    assert.equal(result.version.metrics?.device, 'cpu');
  } finally {
    registry.close();
  }
});

test('asking for CUDA where PyTorch sees none fails naming the devices there, and keeps no version', { skip: !seen ? 'no python with torch and onnx' : seen.cuda ? 'this machine has CUDA' : false, timeout: 300_000 }, async () => {
  const { home, registry } = await smallProject();
  try {
    await assert.rejects(fineTuneVersion(registry, home, 'p', { ...options, device: 'cuda' }), (error: unknown) => {
      assert.ok(isSkulensError(error, 'ERR_FINETUNE_FAILED'));
      assert.match(error.message, /device cuda was asked for but PyTorch .* does not see it \(available: (mps, )?cpu\)/);
      return true;
    });
    const [version] = registry.versions.list(registry.projects.get('p').id);
    assert.equal(version?.status, 'TRAINING_FAILED');
  } finally {
    registry.close();
  }
});

test('with CUDA the engine trains on the GPU in mixed precision and the served graph still matches PyTorch', { skip: !seen ? 'no python with torch and onnx' : seen.cuda ? false : 'no CUDA here', timeout: 300_000 }, async () => {
  const { home, registry } = await smallProject();
  try {
    const result = await fineTuneVersion(registry, home, 'p', { ...options, epochs: 2 });
    assert.match(result.engine.device, /^cuda/);
    assert.equal(result.engine.precision, 'float16-mixed');
    assert.ok(result.check.embeddingMaxDiff <= 1e-4 && result.check.logitMaxDiff <= 1e-4, JSON.stringify(result.check));
  } finally {
    registry.close();
  }
});
