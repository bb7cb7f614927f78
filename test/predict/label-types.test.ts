// End to end on a tiny backbone (mean raw pixels, dim 3): multi-label, groups and taxonomy projects train
// (frozen), evaluate and answer DetectCustomLabels in their shapes; a single-label project answers as before.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { importDataset } from '../../src/dataset/index.js';
import { exportVersion } from '../../src/export/index.js';
import { resolveHome, type HomeLayout } from '../../src/home/index.js';
import { addLabelVersion, assertLabelTypeSupported, trainVersion } from '../../src/jobs/index.js';
import type { LabelType } from '../../src/labels/index.js';
import { Predictor } from '../../src/predict/index.js';
import { Registry, readVersionJson } from '../../src/registry/index.js';
import { colourPhoto, installTinyBackbone, tempDir, tinyBackboneRow } from '../backbone/fixtures.js';

const TINY = tinyBackboneRow('raw255', 'GlobalAveragePool of raw pixels');
// Colour, and whether it is warm: the groups and the multi-label sets are both read off the colour.
const COLOURS: Record<string, { rgb: [number, number, number]; warmth: string }> = {
  red: { rgb: [200, 40, 40], warmth: 'warm' },
  green: { rgb: [40, 190, 50], warmth: 'cool' },
  blue: { rgb: [40, 50, 200], warmth: 'cool' },
};
const PARAMS = { backbone: 'tiny', tune: false, workers: 1 };

let root: string;
let home: HomeLayout;
let registry: Registry;
const rows: { file: string; colour: string; split: 'train' | 'test' }[] = [];

async function photo(file: string, rgb: [number, number, number], n: number): Promise<void> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, await colourPhoto(rgb, n));
}

/** A project of `type` over the same photos; `labels(colour)` gives each photo's labels. */
async function project(name: string, type: LabelType, labels: (colour: string) => string[]): Promise<void> {
  registry.projects.create(name, type);
  const csv = ['path,labels,split', ...rows.map((r) => `${path.relative(root, r.file)},${labels(r.colour).join('|')},${r.split}`)].join('\n');
  fs.writeFileSync(path.join(root, `${name}.csv`), csv);
  await importDataset(registry, home, name, path.join(root, `${name}.csv`));
}

before(async () => {
  root = tempDir('label-types');
  home = resolveHome(path.join(root, 'home'), { SKULENS_MODELS: path.join(root, 'models') });
  installTinyBackbone(path.join(root, 'models'), TINY);
  registry = Registry.open(home.database);
  let n = 0;
  for (const [colour, { rgb }] of Object.entries(COLOURS)) {
    for (let k = 0; k < 13; k++, n++) {
      const file = path.join(root, 'photos', `${colour}-${k}.png`);
      await photo(file, rgb, n);
      rows.push({ file, colour, split: k < 10 ? 'train' : 'test' });
    }
  }
  await project('multi', 'multi', (c) => [c, COLOURS[c]!.warmth]);
  await project('groups', 'groups', (c) => [`colour:${c}`, `warmth:${COLOURS[c]!.warmth}`]);
  await project('single', 'single', (c) => [c]);
});

after(() => registry.close());

const testPhoto = (colour: string): string => rows.find((r) => r.colour === colour && r.split === 'test')!.file;

test('a multi-label version answers every label above its own threshold, from one sigmoid each', async () => {
  const { version, report } = await trainVersion(registry, home, 'multi', PARAMS);
  assert.equal(report.multiLabel?.exactMatch, 1);
  const predictor = await Predictor.load(registry, home, { project: 'multi', name: version.name }, { workers: 1 });
  try {
    assert.equal(predictor.labelType, 'multi');
    const { CustomLabels } = await predictor.detect({ path: testPhoto('red') });
    assert.deepEqual(CustomLabels.map((l) => l.Name).sort(), ['red', 'warm']);
  } finally {
    await predictor.close();
  }
  const summary = (await readVersionJson(home, version.dir!, 'evaluation.json')) as Record<string, unknown>;
  assert.ok(summary.MultiLabelEvaluationResults);
  await assert.rejects(exportVersion(registry, home, { project: 'multi', name: version.name }, path.join(root, 'out-multi')), { code: 'ERR_LABEL_TYPE_UNSUPPORTED' });
});

test('a groups version answers the best value of each group and the composed name with the product of confidences', async () => {
  const { version, report } = await trainVersion(registry, home, 'groups', PARAMS);
  assert.deepEqual(report.groups?.map((g) => [g.group, g.accuracy]), [['warmth', 1], ['colour', 1]]);
  const model = JSON.parse(fs.readFileSync(path.join(home.root, version.dir!, 'model.json'), 'utf8')) as { labels: string[]; params: { labelType: string } };
  assert.equal(model.params.labelType, 'groups');
  assert.deepEqual(model.labels, ['warmth:cool', 'warmth:warm', 'colour:blue', 'colour:green', 'colour:red']);
  const predictor = await Predictor.load(registry, home, { project: 'groups', name: version.name }, { workers: 1 });
  try {
    const result = await predictor.detect({ path: testPhoto('blue') });
    assert.deepEqual(result.CustomLabels.map((l) => l.Name).sort(), ['colour:blue', 'warmth:cool']);
    const product = result.CustomLabels.reduce((p, l) => p * (l.Confidence / 100), 1) * 100;
    assert.equal(result.ComposedLabel?.Name, 'cool / blue');
    assert.ok(Math.abs(result.ComposedLabel!.Confidence - product) < 1e-6);
  } finally {
    await predictor.close();
  }
  const summary = (await readVersionJson(home, version.dir!, 'evaluation.json')) as { GroupEvaluationResults: { Group: string }[] };
  assert.deepEqual(summary.GroupEvaluationResults.map((g) => g.Group), ['warmth', 'colour']);
});

test('fine-tuning and few-shot labels refuse multi and groups projects with a coded error', async () => {
  const multi = registry.projects.get('multi');
  assert.throws(() => assertLabelTypeSupported(registry, multi, { mode: 'fine-tune' }), (error: Error & { code?: string }) => {
    assert.equal(error.code, 'ERR_LABEL_TYPE_UNSUPPORTED');
    assert.match(error.message, /--mode fine-tune does not support multi projects \("multi"\).*--mode fast or --mode frozen/);
    return true;
  });
  assert.doesNotThrow(() => assertLabelTypeSupported(registry, registry.projects.get('single'), { mode: 'fine-tune' }));
  const version = registry.versions.list(multi.id).find((v) => v.status === 'TRAINING_COMPLETED')!;
  await assert.rejects(addLabelVersion(registry, home, { project: 'multi', name: version.name }, { label: 'pink', images: [testPhoto('red')] }), { code: 'ERR_LABEL_TYPE_UNSUPPORTED' });
});

test('a single-label version answers exactly as before; a taxonomy given later changes nothing, a version trained with it adds Parents', async () => {
  const { version, report } = await trainVersion(registry, home, 'single', PARAMS);
  assert.equal(report.hierarchy, undefined);
  const model = JSON.parse(fs.readFileSync(path.join(home.root, version.dir!, 'model.json'), 'utf8')) as { params: Record<string, unknown> };
  assert.equal('labelType' in model.params, false);
  assert.equal('groups' in model.params, false);
  assert.equal(model.params.taxonomy, null, 'the version records that it was trained without a taxonomy');
  const summary = (await readVersionJson(home, version.dir!, 'evaluation.json')) as Record<string, unknown>;
  assert.deepEqual(Object.keys(summary), ['Version', 'EvaluationDetails', 'AggregatedEvaluationResults', 'LabelEvaluationResults', 'AnswerEvaluationResults']);
  const { id } = registry.projects.get('single');
  const predictor = await Predictor.load(registry, home, { project: 'single', name: version.name }, { workers: 1 });
  try {
    const flat = await predictor.detect({ path: testPhoto('green') });
    assert.equal(flat.CustomLabels[0]?.Name, 'green');
    assert.deepEqual(Object.keys(flat.CustomLabels[0]!), ['Name', 'Confidence']);
    assert.deepEqual(Object.keys(flat), ['CustomLabels']);
    registry.taxonomies.set(id, { levels: ['label', 'warmth'], parents: { red: ['warm'], green: ['cool'], blue: ['cool'] } });
    assert.deepEqual(await predictor.detect({ path: testPhoto('green') }), flat, 'answers that were evaluated without a taxonomy stay flat');
  } finally {
    await predictor.close();
  }
  const trainedWith = await trainVersion(registry, home, 'single', PARAMS);
  registry.taxonomies.clear(id);
  const filedPredictor = await Predictor.load(registry, home, { project: 'single', name: trainedWith.version.name }, { workers: 1 });
  try {
    const filed = await filedPredictor.detect({ path: testPhoto('green') });
    assert.deepEqual(filed.CustomLabels[0]?.Parents, [{ Name: 'cool' }]);
  } finally {
    await filedPredictor.close();
  }
});
