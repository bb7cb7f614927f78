// Multi-label projects on the fast path: the engine's sigmoid loss (fast_heads.py) against hand-computed numbers,
// and a multi-label project trained end to end on the tiny staged graph: served logits as PyTorch's, a sigmoid
// per label evaluated by evaluateMultiLabel and answered by the Predictor, thresholds from held-out photos only.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { ENGINE_SCRIPT } from '../../src/finetune/index.js';
import { fastVersion } from '../../src/jobs/index.js';
import { Predictor } from '../../src/predict/index.js';
import { readModel } from '../../src/registry/index.js';
import { sigmoidProbabilities } from '../../src/train/index.js';
import { stagedProject } from './fast-fixtures.js';
import { labelledProject } from './fast-groups-fixtures.js';
import { torchPython } from './fixtures.js';

const python = torchPython();
const skip = python ? false : 'no python with torch and onnx';

const PARAMS = { backbone: 'staged-cnn', cut: 4, epochs: 2, batchSize: 8, workers: 1, threads: 1, valFraction: 0.25, lr: 3e-2, headLr: 3e-2 };

/** Any number of labels a photo: its colour, `warm` on red, `cool` on green and blue, `deep` on blue. */
const MULTI_LABELS: Record<string, string[]> = { red: ['red', 'warm'], green: ['green', 'cool'], blue: ['blue', 'cool', 'deep'] };

test('the multi-label loss is binary cross-entropy per label, summed over labels and averaged over photos', { skip }, () => {
  const script = `
import json, sys, torch
sys.path.insert(0, ${JSON.stringify(path.dirname(ENGINE_SCRIPT))})
from fast_heads import multi_loss, make_heads
logits = torch.tensor([[2., -1., 0.], [0.5, 0., -2.]])
job = {"labels": [0, 0], "numClasses": 3, "heads": {"kind": "multi"}, "targets": [[0, 2], []], "balance": "sqrt", "labelSmoothing": 0.2}
heads = make_heads(job)
both = torch.tensor([0, 1])
print(json.dumps({
  "plain": multi_loss(logits, heads.targets).item(),
  "job": heads.train_loss(job, both)(logits, both).item(),
  "score": heads.score(logits, both),
}))`;
  const run = spawnSync(python!, ['-c', script], { encoding: 'utf8', env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
  assert.equal(run.status, 0, run.stderr);
  const got = JSON.parse(run.stdout) as { plain: number; job: number; score: [number, number] };
  // By hand: -[t log s(z) + (1 - t) log(1 - s(z))] = softplus(z) - t z, with a weight w on the positive part.
  const softplus = (z: number): number => Math.log1p(Math.exp(z));
  const bce = (z: number, t: number, w = 1): number => w * t * softplus(-z) + (1 - t) * softplus(z);
  const rows = [[2, -1, 0], [0.5, 0, -2]];
  const targets = [[1, 0, 1], [0, 0, 0]];
  const plain = rows.map((z, i) => z.reduce((s, v, k) => s + bce(v, targets[i]![k]!), 0)).reduce((a, b) => a + b) / 2;
  assert.ok(Math.abs(got.plain - plain) < 1e-6, `plain ${got.plain} vs ${plain}`);
  // sqrt balance: label 0 and 2 have 1 positive, 1 negative (weight 1); label 1 none (weight sqrt(2/1), unused).
  // Smoothing 0.2 moves targets to 0.9 and 0.1.
  const smoothed = (t: number): number => t * 0.8 + 0.1;
  const weighted = rows.map((z, i) => z.reduce((s, v, k) => s + bce(v, smoothed(targets[i]![k]!), k === 1 ? Math.SQRT2 : 1), 0)).reduce((a, b) => a + b) / 2;
  assert.ok(Math.abs(got.job - weighted) < 1e-6, `job ${got.job} vs ${weighted}`);
  assert.equal(got.score[0], 0, 'neither photo has exactly its labels above 1/2 (photo 0 misses label 2 at logit 0)');
});

test('a multi-label project trains on the fast path: served logits as PyTorch\'s, a sigmoid per label, thresholds from held-out photos only', { skip }, async () => {
  const thresholds: number[][] = [];
  for (const testSeed of [4, 9]) {
    const { home, registry, root } = await stagedProject({ testSeed });
    try {
      await labelledProject(registry, home, root, 'm', 'multi', MULTI_LABELS);
      const { version, run, report } = await fastVersion(registry, home, 'm', { ...PARAMS, python });
      const { manifest } = await readModel(home, version.dir!);
      thresholds.push(manifest.thresholds);
      if (testSeed !== 4) continue;
      assert.ok(run.check.embeddingMaxDiff <= 1e-4 && run.check.logitMaxDiff <= 1e-4, JSON.stringify(run.check));
      assert.equal(manifest.params.labelType, 'multi');
      assert.equal(manifest.params.mode, 'fast');
      assert.deepEqual(manifest.labels, ['blue', 'cool', 'deep', 'green', 'red', 'warm']);
      assert.equal(report.perLabel.length, 6);
      assert.ok(report.multiLabel!.micro.f1 >= 0 && report.multiLabel!.exactMatch >= 0, 'micro and macro figures');
      assert.equal(report.numTest, 9);
      const predictor = await Predictor.load(registry, home, { project: 'm', name: version.name });
      try {
        assert.equal(predictor.labelType, 'multi');
        const photo = path.join(root, 'data', 'test', 'blue', fs.readdirSync(path.join(root, 'data', 'test', 'blue')).sort()[0]!);
        const probs = await predictor.probabilities({ path: photo });
        const scored = run.served.map((e) => sigmoidProbabilities(run.head, e));
        assert.ok(scored.some((p) => p.every((v, k) => Math.abs(v - probs[k]!) < 1e-5)), 'the Predictor reproduces an evaluated photo');
        const answer = await predictor.detect({ path: photo });
        const above = manifest.labels.filter((_, k) => probs[k]! >= manifest.thresholds[k]!);
        assert.deepEqual(answer.CustomLabels.map((l) => l.Name).sort(), above.sort(), 'every label above its threshold');
      } finally {
        await predictor.close();
      }
    } finally {
      registry.close();
    }
  }
  assert.deepEqual(thresholds[0], thresholds[1]);
  assert.ok(new Set(thresholds[0]).size > 1, `fitted per label, not one default: ${thresholds[0]!.join(', ')}`);
});
