// Figures a shop can trust, end to end on a tiny backbone (mean raw pixels, dim 3; frozen training in
// seconds): a label without test photos is trained, served and reported untested; test labels never
// trained are named (single) or counted as errors (multi, groups); a version answers with the taxonomy it
// was trained with; a threshold version says its thresholds were chosen on the test split, and a
// multi-label version refuses one.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { importDataset } from '../../src/dataset/index.js';
import { isSkulensError } from '../../src/errors.js';
import type { EvaluationReport } from '../../src/evaluate/index.js';
import { resolveHome, type HomeLayout } from '../../src/home/index.js';
import { thresholdVersion, trainVersion } from '../../src/jobs/index.js';
import type { LabelType } from '../../src/labels/index.js';
import { Predictor } from '../../src/predict/index.js';
import { Registry, readModel, readVersionJson } from '../../src/registry/index.js';
import { colourPhoto, installTinyBackbone, tempDir, tinyBackboneRow } from '../backbone/fixtures.js';

const TINY = tinyBackboneRow('raw255', 'GlobalAveragePool of raw pixels');
// purple: 16 training photos, no test photo (the check); orange: test photos only.
const COLOURS: Record<string, { rgb: [number, number, number]; warmth: string; train: number; test: number }> = {
  red: { rgb: [200, 40, 40], warmth: 'warm', train: 10, test: 3 },
  green: { rgb: [40, 190, 50], warmth: 'cool', train: 10, test: 3 },
  blue: { rgb: [40, 50, 200], warmth: 'cool', train: 10, test: 3 },
  purple: { rgb: [150, 40, 190], warmth: 'cool', train: 16, test: 0 },
  orange: { rgb: [230, 140, 30], warmth: 'warm', train: 0, test: 3 },
};
const PARAMS = { backbone: 'tiny', tune: false, C: 10, workers: 1 };

let root: string;
let home: HomeLayout;
let registry: Registry;
const rows: { file: string; colour: string; split: 'train' | 'test' }[] = [];

before(async () => {
  root = tempDir('honest-figures');
  home = resolveHome(path.join(root, 'home'), { SKULENS_MODELS: path.join(root, 'models') });
  installTinyBackbone(path.join(root, 'models'), TINY);
  registry = Registry.open(home.database);
  let n = 0;
  for (const [colour, { rgb, train, test: tests }] of Object.entries(COLOURS)) {
    for (let k = 0; k < train + tests; k++, n++) {
      const file = path.join(root, 'photos', `${colour}-${k}.png`);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, await colourPhoto(rgb, n));
      rows.push({ file, colour, split: k < train ? 'train' : 'test' });
    }
  }
  await project('single', 'single', (c) => [c]);
  await project('multi', 'multi', (c) => [c, COLOURS[c]!.warmth]);
  await project('groups', 'groups', (c) => [`colour:${c}`, `warmth:${COLOURS[c]!.warmth}`]);
});

after(() => registry.close());

async function project(name: string, type: LabelType, labels: (colour: string) => string[]): Promise<void> {
  registry.projects.create(name, type);
  const csv = ['path,labels,split', ...rows.map((r) => `${path.relative(root, r.file)},${labels(r.colour).join('|')},${r.split}`)].join('\n');
  fs.writeFileSync(path.join(root, `${name}.csv`), csv);
  await importDataset(registry, home, name, path.join(root, `${name}.csv`));
}

const photoOf = (colour: string): string => rows.find((r) => r.colour === colour)!.file;

test('a label with training photos and no test photo is trained, served and reported untested; a label without training photos is named', async () => {
  const { version, report } = await trainVersion(registry, home, 'single', PARAMS);
  const { manifest } = await readModel(home, version.dir!);
  // On main: ['blue', 'green', 'red'], purple silently dropped.
  assert.deepEqual(manifest.labels, ['blue', 'green', 'purple', 'red']);
  assert.deepEqual(report.untested, ['purple']);
  assert.deepEqual(report.untrained, { labels: ['orange'], testImages: 3, counted: false });
  assert.equal(report.numTest, 9);
  assert.deepEqual(version.metrics?.untested, ['purple']);
  const summary = (await readVersionJson(home, version.dir!, 'evaluation.json')) as { AnswerEvaluationResults: { UntestedLabels: string[]; UntrainedLabels: unknown } };
  assert.deepEqual(summary.AnswerEvaluationResults.UntestedLabels, ['purple']);
  assert.deepEqual(summary.AnswerEvaluationResults.UntrainedLabels, { Labels: ['orange'], NumberOfTestingImages: 3, CountedAsErrors: false });
  const predictor = await Predictor.load(registry, home, { project: 'single', name: version.name });
  try {
    assert.equal((await predictor.detect({ path: photoOf('purple') }, { minConfidence: 0 })).CustomLabels[0]!.Name, 'purple');
  } finally {
    await predictor.close();
  }
});

test('a version answers with the taxonomy it was trained with, not one given or removed later', async () => {
  const project = registry.projects.get('single');
  registry.taxonomies.clear(project.id);
  const flat = await trainVersion(registry, home, 'single', PARAMS);
  registry.taxonomies.set(project.id, { levels: ['colour', 'warmth'], parents: { red: ['warm'], orange: ['warm'], green: ['cool'], blue: ['cool'], purple: ['cool'] } });
  const filed = await trainVersion(registry, home, 'single', PARAMS);
  assert.ok(filed.report.hierarchy, 'evaluated with its taxonomy');
  registry.taxonomies.clear(project.id);
  const answer = async (name: string): Promise<unknown> => {
    const predictor = await Predictor.load(registry, home, { project: 'single', name });
    try {
      return (await predictor.detect({ path: photoOf('red') }, { minConfidence: 0, maxResults: 1 })).CustomLabels[0];
    } finally {
      await predictor.close();
    }
  };
  registry.taxonomies.set(project.id, { levels: ['colour', 'warmth'], parents: { red: ['warm'], green: ['cool'], blue: ['cool'], purple: ['cool'] } });
  // On main the flat version answered with Parents from the taxonomy given after it was trained.
  assert.equal((await answer(flat.version.name) as { Parents?: unknown }).Parents, undefined);
  registry.taxonomies.clear(project.id);
  assert.deepEqual((await answer(filed.version.name) as { Parents?: unknown }).Parents, [{ Name: 'warm' }]);
});

test('a threshold version is marked as chosen on the test split; a multi-label version refuses one before any row exists', async () => {
  const base = await trainVersion(registry, home, 'single', PARAMS);
  const edited = await thresholdVersion(registry, home, base.version, { red: 0.9 });
  assert.equal(edited.report.thresholdsChosenOn, 'test');
  assert.equal(edited.version.metrics?.thresholdsChosenOn, 'test');
  const summary = (await readVersionJson(home, edited.version.dir!, 'evaluation.json')) as { AnswerEvaluationResults: { ThresholdsChosenOn: string } };
  assert.equal(summary.AnswerEvaluationResults.ThresholdsChosenOn, 'test');

  const multi = await trainVersion(registry, home, 'multi', PARAMS);
  const rowsBefore = registry.versions.list(registry.projects.get('multi').id).length;
  // On main this stored a single-label softmax report for a sigmoid head.
  await assert.rejects(thresholdVersion(registry, home, multi.version, { red: 0.9 }), (error) => isSkulensError(error, 'ERR_LABEL_TYPE_UNSUPPORTED'));
  assert.equal(registry.versions.list(registry.projects.get('multi').id).length, rowsBefore);
});

test('a test label never trained counts as an error: a missed label (multi-label), a wrong value (groups)', async () => {
  const orangeTests = rows.filter((r) => r.colour === 'orange').map((r) => path.relative(root, r.file));
  const isOrange = (image: string): boolean => orangeTests.some((rel) => image.endsWith(rel));

  const multi = (await trainVersion(registry, home, 'multi', PARAMS)).report as EvaluationReport & { multiLabel: { exactMatch: number } };
  // On main 'orange' was stripped from the truth of its 3 test photos and never reported.
  assert.deepEqual(multi.untrained, { labels: ['orange'], testImages: 3, counted: true });
  assert.equal(multi.misclassified.filter((m) => isOrange(m.image)).length, 3, 'no orange photo is exactly right');
  assert.ok(multi.misclassified.filter((m) => isOrange(m.image)).every((m) => m.truth.split('|').includes('orange')));

  const groups = (await trainVersion(registry, home, 'groups', PARAMS)).report;
  // On main the 3 photos of colour:orange were left out of the groups evaluation (9 test photos).
  assert.equal(groups.numTest, 12);
  assert.deepEqual(groups.untrained, { labels: ['colour:orange'], testImages: 3, counted: true });
  const colour = groups.groups!.find((g) => g.group === 'colour')!;
  assert.ok(colour.accuracy <= 9 / 12, `colour accuracy ${colour.accuracy} counts the 3 orange photos as wrong`);
  assert.ok(groups.accuracy <= 9 / 12);
});
