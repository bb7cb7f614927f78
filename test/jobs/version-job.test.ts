// The one skeleton of version jobs: create the row -> work -> write artefacts atomically -> complete;
// a failure leaves the row TRAINING_FAILED with the reason, a cancel removes it; neither leaves a
// version folder. And the one split check that frozen training and fine-tuning share.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { isSkulensError } from '../../src/errors.js';
import { evaluatePredictions } from '../../src/evaluate/index.js';
import { resolveHome, type HomeLayout } from '../../src/home/index.js';
import { runVersionJob, trainableSplit, type VersionOutput } from '../../src/jobs/index.js';
import { readModel, Registry, type Entry, type Project } from '../../src/registry/index.js';
import { tempDir } from '../helpers/fixtures.js';

function setup(t: TestContext): { home: HomeLayout; registry: Registry; project: Project } {
  const home = resolveHome(path.join(tempDir(t, 'version-job'), 'home'), {});
  const registry = Registry.open(home.database);
  t.after(() => registry.close());
  return { home, registry, project: registry.projects.create('p') };
}

const init = { backbone: 'tiny', params: { mode: 'test' }, seed: 3 };

/** A two-label identity head and its evaluation on two images. */
function output(): VersionOutput {
  const labels = ['a', 'b'];
  const report = evaluatePredictions(labels, [{ image: 'x', truth: 0, probs: Float32Array.of(0.9, 0.1) }, { image: 'y', truth: 1, probs: Float32Array.of(0.2, 0.8) }], [0.5, 0.5]);
  return {
    backbone: { id: 'tiny', dim: 2 },
    labels,
    thresholds: [0.5, 0.5],
    head: { kind: 'logistic', dim: 2, numClasses: 2, weights: Float32Array.of(1, 0, 0, 1), bias: Float32Array.of(0, 0) },
    params: { mode: 'test' },
    images: { train: 4, test: 2 },
    report,
    snapshot: [],
    extra: { 'extra.json': { note: 1 } },
    metrics: { trainSeconds: 1.5 },
  };
}

const versionsDir = (home: HomeLayout): string => path.join(home.projects, 'p', 'versions');
const folders = (home: HomeLayout): string[] => (fs.existsSync(versionsDir(home)) ? fs.readdirSync(versionsDir(home)) : []);

test('a job that works is written and completed: manifest, summary, extra files and metrics', async (t) => {
  const { home, registry, project } = setup(t);
  let started = '';
  const result = await runVersionJob(registry, home, { project, init, onStart: (v) => (started = v.status), work: async () => ({ output: output(), result: { extra: 42 } }) });
  assert.equal(started, 'TRAINING_IN_PROGRESS');
  assert.equal(result.extra, 42);
  assert.equal(result.version.status, 'TRAINING_COMPLETED');
  assert.deepEqual(result.version.metrics, { accuracy: 1, macroF1: 1, unknownRate: 0, coverage: 1, answeredPrecision: 1, untested: [], images: { train: 4, test: 2 }, trainSeconds: 1.5 });
  const { manifest } = await readModel(home, result.version.dir!);
  // The version records the taxonomy it answers with: none here.
  assert.deepEqual([manifest.version, manifest.seed, manifest.labels, manifest.params], ['v1', 3, ['a', 'b'], { mode: 'test', taxonomy: null }]);
  assert.deepEqual(fs.readdirSync(path.resolve(home.root, result.version.dir!)).sort(), ['evaluation.json', 'extra.json', 'head.bin', 'model.json', 'report.json', 'snapshot.json']);
});

test('a job whose work fails leaves its row TRAINING_FAILED with the reason and no folder', async (t) => {
  const { home, registry, project } = setup(t);
  await assert.rejects(runVersionJob(registry, home, { project, init, work: async () => Promise.reject(new Error('the disk is full')) }), /the disk is full/);
  const [row] = registry.versions.list(project.id);
  assert.deepEqual([row?.name, row?.status, row?.statusMessage], ['v1', 'TRAINING_FAILED', 'the disk is full']);
  assert.deepEqual(folders(home), []);
});

test('a cancelled job removes its row, answers ERR_TRAINING_CANCELLED and writes nothing; its number is not reused', async (t) => {
  const { home, registry, project } = setup(t);
  const controller = new AbortController();
  await assert.rejects(
    runVersionJob(registry, home, {
      project,
      init,
      signal: controller.signal,
      work: async (_version, checkCancelled) => {
        controller.abort();
        checkCancelled();
        return { output: output(), result: {} };
      },
    }),
    (error) => isSkulensError(error, 'ERR_TRAINING_CANCELLED') && error.message === 'Training of p/v1 was cancelled; nothing was written',
  );
  // A work that ignores the signal is still cancelled before anything is written.
  await assert.rejects(runVersionJob(registry, home, { project, init, signal: controller.signal, work: async () => ({ output: output(), result: {} }) }), (error) => isSkulensError(error, 'ERR_TRAINING_CANCELLED'));
  assert.deepEqual(registry.versions.list(project.id), []);
  assert.deepEqual(folders(home), []);
  assert.equal((await runVersionJob(registry, home, { project, init, work: async () => ({ output: output(), result: {} }) })).version.name, 'v3');
});

function entry(label: string, split: 'train' | 'test'): Entry {
  return { label, split } as Entry;
}

test('the split check trains every label with training images, reports those without test images untested, and names the ones it leaves out', () => {
  const split = trainableSplit([entry('a', 'train'), entry('a', 'test'), entry('b', 'train'), entry('b', 'test'), entry('c', 'train'), entry('d', 'test')], 'p');
  // On main: labels ['a', 'b'], c (16 training photos in the check) silently dropped.
  assert.deepEqual(split.labels, ['a', 'b', 'c']);
  assert.deepEqual([split.train.length, split.test.length], [3, 2]);
  assert.deepEqual(split.untested, ['c']);
  assert.deepEqual(split.untrained, { labels: ['d'], testImages: 1 });
  assert.throws(
    () => trainableSplit([entry('a', 'train'), entry('a', 'test'), entry('d', 'test')], 'p'),
    (error) => isSkulensError(error, 'ERR_DATASET_TOO_FEW_LABELS') && /project "p" has 1 label\(s\) with training images \(no training images: d\)/.test(error.message),
  );
  assert.throws(
    () => trainableSplit([entry('a', 'train'), entry('b', 'train'), entry('d', 'test')], 'p'),
    (error) => isSkulensError(error, 'ERR_DATASET_TOO_FEW_LABELS') && /no test image of a trained label/.test(error.message),
  );
  assert.throws(() => trainableSplit([], 'p'), (error) => isSkulensError(error, 'ERR_DATASET_EMPTY'));
});
