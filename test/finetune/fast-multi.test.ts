// Multi-label projects on the fast path: the engine's sigmoid loss (src/engine/heads.ts) against hand-computed numbers,
// and a multi-label project trained end to end on the tiny staged graph: served logits as training computed them, a sigmoid
// per label evaluated by evaluateMultiLabel and answered by the Predictor, thresholds from held-out photos only.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fastVersion } from '../../src/jobs/index.js';
import { Predictor } from '../../src/predict/index.js';
import { readModel } from '../../src/registry/index.js';
import { sigmoidProbabilities } from '../../src/train/index.js';
import { stagedProject } from './fast-fixtures.js';
import { labelledProject } from './fast-groups-fixtures.js';


const PARAMS = { backbone: 'staged-cnn', cut: 4, epochs: 2, batchSize: 8, workers: 1, threads: 1, valFraction: 0.25, lr: 3e-2, headLr: 3e-2 };

/** Any number of labels a photo: its colour, `warm` on red, `cool` on green and blue, `deep` on blue. */
const MULTI_LABELS: Record<string, string[]> = { red: ['red', 'warm'], green: ['green', 'cool'], blue: ['blue', 'cool', 'deep'] };

test('a multi-label project trains on the fast path: served logits as training computed them, a sigmoid per label, thresholds from held-out photos only', async () => {
  const thresholds: number[][] = [];
  for (const testSeed of [4, 9]) {
    const { home, registry, root } = await stagedProject({ testSeed });
    try {
      await labelledProject(registry, home, root, 'm', 'multi', MULTI_LABELS);
      const { version, run, report } = await fastVersion(registry, home, 'm', { ...PARAMS });
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
