import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { FLIP_VIEW } from '../../src/augment/index.js';
import { getBackbone, openEmbedder, type Embedder } from '../../src/backbone/index.js';
import { importFolder } from '../../src/dataset/index.js';
import { resolveHome, type HomeLayout } from '../../src/home/index.js';
import { addLabelVersion, trainVersion } from '../../src/jobs/index.js';
import { Registry, readVersionJson } from '../../src/registry/index.js';
import { Predictor } from '../../src/predict/index.js';
import { solidPng, installTinyBackbone, tempDir, tinyBackboneRow } from '../backbone/fixtures.js';

// A backbone that averages raw pixels (dim 3): solid colours are separable, so training is quick and sure.
const TINY = tinyBackboneRow('raw255', 'GlobalAveragePool of raw pixels');
const COLOURS: Record<string, [number, number, number]> = { red: [200, 40, 40], green: [40, 190, 50], blue: [40, 50, 200] };

let root: string;
let home: HomeLayout;
let registry: Registry;

async function writeImages(dir: string, label: string, rgb: [number, number, number], count: number, offset: number): Promise<string[]> {
  fs.mkdirSync(path.join(dir, label), { recursive: true });
  const files: string[] = [];
  for (let k = 0; k < count; k++) {
    const jitter = ((k + offset) * 7) % 23;
    const file = path.join(dir, label, `${label}-${offset + k}.png`);
    // A dark square at a different place in each photo, so that no two are near-duplicates.
    const square = await solidPng(24, 20, [20, 20, 20]);
    const background = await solidPng(96, 80, [rgb[0] + jitter, rgb[1] + ((jitter * 3) % 17), rgb[2] + ((jitter * 5) % 13)]);
    const n = offset + k;
    const composed = await sharp(background).composite([{ input: square, left: (n * 13) % 72, top: (n * 29) % 60 }]).png().toBuffer();
    fs.writeFileSync(file, composed);
    files.push(file);
  }
  return files;
}

/** A project with 10 train and 3 test images per colour; `testOffset` changes the test photos only. */
async function makeProject(name: string, testOffset: number): Promise<void> {
  const data = path.join(root, `data-${name}`);
  for (const [label, rgb] of Object.entries(COLOURS)) {
    await writeImages(path.join(data, 'train'), label, rgb, 10, 0);
    await writeImages(path.join(data, 'test'), label, rgb, 3, 100 + testOffset);
  }
  registry.projects.create(name);
  await importFolder(registry, home, name, path.join(data, 'train'), { split: 'train' });
  await importFolder(registry, home, name, path.join(data, 'test'), { split: 'test' });
}

before(async () => {
  root = tempDir('jobs');
  home = resolveHome(path.join(root, 'home'), { SKULENS_MODELS: path.join(root, 'models') });
  installTinyBackbone(path.join(root, 'models'), TINY);
  registry = Registry.open(home.database);
  await makeProject('a', 0);
  await makeProject('b', 50);
});

after(() => registry.close());

// The whole plan (maxTrials 100), so the test sees every stage of the search.
const PARAMS = { backbone: 'tiny', augment: 'flip,brightness:0.1', tune: true, maxTrials: 100, budgetSeconds: 600, workers: 1 };

test('tuning is the same whatever the test images are: it never reads the test split', async () => {
  const a = await trainVersion(registry, home, 'a', PARAMS);
  const b = await trainVersion(registry, home, 'b', PARAMS);
  const strip = (report: unknown) => {
    const { tried, ...rest } = report as { tried: { seconds: number }[] };
    return { ...rest, tried: tried.map(({ seconds: _, ...keep }) => keep) };
  };
  const tuningA = strip(await readVersionJson(home, a.version.dir!, 'tuning.json'));
  const tuningB = strip(await readVersionJson(home, b.version.dir!, 'tuning.json'));
  assert.deepEqual(tuningA, tuningB);
  assert.ok((tuningA as { tried: unknown[] }).tried.length >= 6, 'C grid, MLP and balance/augmentation variants were tried');
  assert.equal(a.report.accuracy, 1);
  const model = JSON.parse(fs.readFileSync(path.join(home.root, a.version.dir!, 'model.json'), 'utf8')) as { params: { thresholds: string } };
  assert.match(model.params.thresholds, /out-of-fold/);
});

test('labels add makes a new version that knows the new label from three photos', async () => {
  const trained = await trainVersion(registry, home, 'a', { ...PARAMS, tune: false });
  const shots = await writeImages(path.join(root, 'shots'), 'yellow', [210, 200, 40], 4, 0);
  const result = await addLabelVersion(registry, home, { project: 'a', name: trained.version.name }, { label: 'yellow', images: shots.slice(0, 3), workers: 1 });
  assert.equal(result.version.status, 'TRAINING_COMPLETED');
  assert.notEqual(result.version.name, trained.version.name);
  const predictor = await Predictor.load(registry, home, { project: 'a', name: result.version.name }, { workers: 1 });
  try {
    assert.deepEqual(predictor.manifest.labels, ['blue', 'green', 'red', 'yellow']);
    const yellow = await predictor.detect({ path: shots[3]! });
    assert.equal(yellow.CustomLabels[0]?.Name, 'yellow');
    const red = await predictor.detect({ path: path.join(root, 'data-a', 'test', 'red', 'red-100.png') });
    assert.equal(red.CustomLabels[0]?.Name, 'red');
  } finally {
    await predictor.close();
  }
  await assert.rejects(addLabelVersion(registry, home, { project: 'a', name: trained.version.name }, { label: 'red', images: shots }), { code: 'ERR_LABEL_INVALID' });
});

test('a version trained with flip test-time augmentation is served with it: each detect embeds the image and its mirror', async () => {
  const trained = await trainVersion(registry, home, 'a', { ...PARAMS, tune: false, tta: 'flip' });
  const inner = await openEmbedder(getBackbone('tiny', home.models), { modelsDir: home.models, workers: 1 });
  const views: (string | undefined)[] = [];
  const counting: Embedder = { ...inner, spec: inner.spec, workers: inner.workers, embed: (input) => (views.push(input.view?.key), inner.embed(input)), close: () => inner.close() };
  const predictor = await Predictor.load(registry, home, { project: 'a', name: trained.version.name }, { embedder: counting });
  try {
    const result = await predictor.detect({ path: path.join(root, 'data-a', 'test', 'red', 'red-100.png') });
    assert.equal(result.CustomLabels[0]?.Name, 'red');
    assert.deepEqual(views.sort(), [FLIP_VIEW.key, undefined].sort());
  } finally {
    await predictor.close();
    await inner.close();
  }
});
