// Honest thresholds and an honest budget for full fine-tuning: thresholds come from the grouped
// validation split, never the test split (two projects that differ only in their test photos get the
// same thresholds, head and exported graph); a budget that cuts the plan is recorded as planned vs run.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { defaultFineTuneEpochs, fineTuneVersion, type FineTuneResult } from '../../src/jobs/index.js';
import { readModel } from '../../src/registry/index.js';
import { smallProject, torchPython } from './fixtures.js';

const python = torchPython();


async function tuned(testSeed: number): Promise<{ thresholds: number[]; head: string; onnx: string; result: FineTuneResult }> {
  const { home, registry } = await smallProject({ testSeed });
  try {
    const result = await fineTuneVersion(registry, home, 'p', { backbone: 'small-cnn', epochs: 2, batchSize: 8, workers: 1, threads: 1, seed: 5, python });
    const dir = path.resolve(home.root, result.version.dir!);
    const { manifest } = await readModel(home, result.version.dir!);
    const sha = (file: string): string => crypto.createHash('sha256').update(fs.readFileSync(path.join(dir, file))).digest('hex');
    return { thresholds: manifest.thresholds, head: sha('head.bin'), onnx: sha('backbone.onnx'), result };
  } finally {
    registry.close();
  }
}

test('two projects that differ only in their test photos get identical thresholds, head and exported graph', { timeout: 300_000 }, async () => {
  const a = await tuned(4);
  const b = await tuned(99);
  assert.notEqual(a.result.report.accuracy + a.result.report.macroF1, -1); // both scored their own test photos
  assert.deepEqual(a.thresholds, b.thresholds);
  assert.equal(a.head, b.head);
  assert.equal(a.onnx, b.onnx);
  assert.equal(a.result.engine.plan.epochs, 2, '--epochs is exact');
  assert.equal(a.result.engine.epochsRun, 2);
});

test('a budget that ends before the exact epochs stops the run and the version says planned vs run', { timeout: 300_000 }, async () => {
  const { home, registry } = await smallProject();
  try {
    // 10 ms are spent before training starts (decoding, planning): the run trains its first epoch, scores and exports.
    const result = await fineTuneVersion(registry, home, 'p', { backbone: 'small-cnn', epochs: 40, budgetSeconds: 0.01, batchSize: 8, workers: 1, threads: 1 });
    assert.equal(result.engine.plan.epochs, 40, 'explicit epochs are kept in the plan');
    assert.equal(result.engine.plan.fits, false);
    assert.equal(result.engine.stoppedBy, 'budget');
    assert.equal(result.engine.epochsRun, 1);
    const metrics = result.version.metrics as Record<string, unknown>;
    assert.deepEqual([metrics.plannedEpochs, metrics.epochsRun, metrics.stoppedBy], [40, 1, 'budget']);
  } finally {
    registry.close();
  }
});

test('without --epochs a budget shrinks the plan before training, and the plan says so', { timeout: 300_000 }, async () => {
  const { home, registry } = await smallProject();
  try {
    const result = await fineTuneVersion(registry, home, 'p', { backbone: 'small-cnn', budgetSeconds: 1, batchSize: 8, workers: 1, threads: 1 });
    assert.equal(result.engine.plan.requestedEpochs, 12, "the recipe's cap: a small project's photos are far fewer than 26,000");
    assert.equal(result.engine.plan.epochs, 1);
    assert.equal(result.engine.plan.finalEpochs, 0, 'no epoch left for the larger size');
    const metrics = result.version.metrics as Record<string, unknown>;
    assert.deepEqual([metrics.requestedEpochs, metrics.plannedEpochs], [12, 1]);
  } finally {
    registry.close();
  }
});

test('the recipe shows about 26,000 training photos: 4 to 12 epochs, 3 for a warm start', () => {
  assert.equal(defaultFineTuneEpochs(1796, false), 12, "grocery-store-dev's training photos less the 10% validation split (capped)");
  assert.equal(defaultFineTuneEpochs(2761, false), 9, "clothing-dataset-small's");
  assert.equal(defaultFineTuneEpochs(250_000, false), 4);
  assert.equal(defaultFineTuneEpochs(2761, true), 3);
});
