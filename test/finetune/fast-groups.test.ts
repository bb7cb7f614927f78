// Attribute groups on the fast path: the engine's loss (src/engine/heads.ts) against hand-computed numbers, a groups
// project trained end to end on the tiny staged graph and served by the Predictor, thresholds from held-out
// photos only, `skulens train`'s default mode for it, and the export's refusal.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { HomeLayout } from '../../src/home/index.js';
import { fastVersion } from '../../src/jobs/index.js';
import { Predictor } from '../../src/predict/index.js';
import { exportVersion } from '../../src/export/index.js';
import { Registry, readModel, readVersionJson } from '../../src/registry/index.js';
import { decodeHead, groupedProbabilities } from '../../src/train/index.js';
import { runCli } from '../helpers/cli.js';
import { stagedProject } from './fast-fixtures.js';
import { labelledProject } from './fast-groups-fixtures.js';


const PARAMS = { backbone: 'staged-cnn', cut: 4, epochs: 2, batchSize: 8, workers: 1, threads: 1, valFraction: 0.25, lr: 3e-2, headLr: 3e-2 };

/** Each colour's labels: three groups, `tone` missing on green photos (its NONE_VALUE). */
const GROUP_LABELS: Record<string, string[]> = {
  red: ['colour:red', 'warmth:warm', 'tone:bright'],
  green: ['colour:green', 'warmth:cool'],
  blue: ['colour:blue', 'warmth:cool', 'tone:deep'],
};

const groupsProject = (registry: Registry, home: HomeLayout, root: string, name: string): Promise<void> => labelledProject(registry, home, root, name, 'groups', GROUP_LABELS);

test('a groups project trains on the fast path: served logits as training computed them, a softmax per group, a value per group from the Predictor', async () => {
  const { home, registry, root } = await stagedProject();
  try {
    await groupsProject(registry, home, root, 'g');
    const result = await fastVersion(registry, home, 'g', { ...PARAMS });
    const { run, report, version } = result;
    assert.ok(run.check.embeddingMaxDiff <= 1e-4 && run.check.logitMaxDiff <= 1e-4, JSON.stringify(run.check));
    const { manifest, head } = await readModel(home, version.dir!);
    assert.equal(manifest.params.labelType, 'groups');
    assert.equal(manifest.params.mode, 'fast');
    const groups = manifest.params.groups as { name: string; values: string[] }[];
    assert.deepEqual(groups, [
      { name: 'warmth', values: ['cool', 'warm'] },
      { name: 'colour', values: ['blue', 'green', 'red'] },
      { name: 'tone', values: ['bright', 'deep', '(none)'] },
    ]);
    assert.deepEqual(manifest.labels, ['warmth:cool', 'warmth:warm', 'colour:blue', 'colour:green', 'colour:red', 'tone:bright', 'tone:deep', 'tone:(none)']);
    assert.equal(manifest.thresholds.length, 8);
    assert.equal(decodeHead(head).numClasses, 8);
    // Each group's probabilities sum to one on every served test photo.
    const sizes = groups.map((g) => g.values.length);
    for (const e of run.served) {
      const p = groupedProbabilities(run.head, e, sizes);
      let offset = 0;
      for (const size of sizes) {
        const sum = p.subarray(offset, offset + size).reduce((s, v) => s + v, 0);
        assert.ok(Math.abs(sum - 1) < 1e-5, `a group sums to ${sum}`);
        offset += size;
      }
    }
    assert.deepEqual(report.groups!.map((g) => g.group), ['warmth', 'colour', 'tone']);
    assert.ok(report.groups!.every((g) => g.numTest === 9 && g.confusionMatrix.length === g.values.length));
    const summary = (await readVersionJson(home, version.dir!, 'evaluation.json')) as { GroupEvaluationResults: { Group: string }[] };
    assert.deepEqual(summary.GroupEvaluationResults.map((g) => g.Group), ['warmth', 'colour', 'tone']);

    const predictor = await Predictor.load(registry, home, { project: 'g', name: version.name });
    try {
      assert.equal(predictor.labelType, 'groups');
      const photo = path.join(root, 'data', 'test', 'red', fs.readdirSync(path.join(root, 'data', 'test', 'red')).sort()[0]!);
      const probs = await predictor.probabilities({ path: photo });
      // The Predictor serves what the evaluation scored: one of the test photos' probabilities, a softmax per group.
      const scored = run.served.map((e) => groupedProbabilities(run.head, e, sizes));
      assert.ok(scored.some((p) => p.every((v, k) => Math.abs(v - probs[k]!) < 1e-5)), 'the Predictor reproduces an evaluated photo');
      const answer = await predictor.detect({ path: photo }, { minConfidence: 0 });
      const named = new Set(answer.CustomLabels.map((l) => l.Name.split(':')[0]));
      assert.deepEqual([...named].sort(), ['colour', 'tone', 'warmth'], JSON.stringify(answer));
      assert.ok(answer.ComposedLabel, 'a composed name of the groups');
    } finally {
      await predictor.close();
    }

    // A warm start from it: the same labels, its blocks continued.
    const warm = await fastVersion(registry, home, 'g', { ...PARAMS, epochs: 1, from: version.name });
    assert.deepEqual((await readModel(home, warm.version.dir!)).manifest.labels, manifest.labels);
    assert.ok(warm.run.check.logitMaxDiff <= 1e-4);
  } finally {
    registry.close();
  }
});

test('thresholds of a groups version come from held-out training photos: other test photos give identical thresholds', async () => {
  const thresholds: number[][] = [];
  for (const testSeed of [4, 9]) {
    const { home, registry, root } = await stagedProject({ testSeed });
    try {
      await groupsProject(registry, home, root, 'g');
      const { version, run } = await fastVersion(registry, home, 'g', { ...PARAMS, epochs: 1 });
      thresholds.push((await readModel(home, version.dir!)).manifest.thresholds);
      assert.ok(run.validation.val > 0);
    } finally {
      registry.close();
    }
  }
  assert.deepEqual(thresholds[0], thresholds[1]);
  assert.ok(new Set(thresholds[0]).size > 1, `fitted per value, not one default: ${thresholds[0]!.join(', ')}`);
});

test('skulens train defaults a groups project to the fast path, whose version export refuses with a coded error', async () => {
  const { home, registry, root } = await stagedProject();
  registry.close();
  const reopened = Registry.open(home.database);
  try {
    await groupsProject(reopened, home, root, 'g');
  } finally {
    reopened.close();
  }
  const run = await runCli(home.root, 'train', 'g', '--backbone', 'staged-cnn', '--cut', '4', '--epochs', '1', '--members', '1', '--workers', '1', '--json');
  assert.equal(run.code, 0, run.stderr);
  const printed = JSON.parse(run.stdout) as { version: string; metrics: { mode?: string; labelType?: string } };
  assert.equal(printed.version, 'g/v1');
  assert.equal(printed.metrics.mode, 'fast');
  assert.doesNotMatch(run.stderr, /Training the frozen head/);
  const again = Registry.open(home.database);
  try {
    await assert.rejects(exportVersion(again, home, { project: 'g', name: 'v1' }, path.join(root, 'export')), { code: 'ERR_LABEL_TYPE_UNSUPPORTED' });
  } finally {
    again.close();
  }
});
