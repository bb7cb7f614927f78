// A batch through the capturing detector keeps the uncertain answers of a project that opted in, each
// under the image's path; with capture off it keeps nothing. The result lines are the same either way.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { capturingDetector, runBatch } from '../../src/batch/index.js';
import type { HomeLayout } from '../../src/home/index.js';
import { trainVersion } from '../../src/jobs/index.js';
import { Predictor } from '../../src/predict/index.js';
import { parseVersionRef, type Registry } from '../../src/registry/index.js';
import { updateCaptureSettings } from '../../src/review/index.js';
import { tempDir } from '../backbone/fixtures.js';
import { QUICK, reviewHome, writePhotos } from '../review/fixtures.js';

let root: string;
let home: HomeLayout;
let registry: Registry;
let predictor: Predictor;
let photos: string[];

before(async () => {
  root = tempDir('batch-capture');
  ({ home, registry } = await reviewHome(root));
  await trainVersion(registry, home, 'shop', QUICK);
  predictor = await Predictor.load(registry, home, parseVersionRef('shop/v1'), { workers: 1 });
  photos = [...(await writePhotos(path.join(root, 'incoming'), 'red', 2, 500)), ...(await writePhotos(path.join(root, 'incoming'), 'blue', 1, 500))];
});
after(async () => {
  await predictor.close();
  registry.close();
  fs.rmSync(root, { recursive: true, force: true });
});

const lines = (file: string) => fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as unknown);

test('with capture off a batch keeps nothing; with it on every uncertain answer is queued under its path, and the lines do not change', async () => {
  const projectId = registry.projects.get('shop').id;
  const off = path.join(root, 'off.jsonl');
  await runBatch(capturingDetector(registry, home, predictor), { source: path.join(root, 'incoming'), output: off });
  assert.equal(registry.review.list(projectId).length, 0);

  // Every answer is uncertain at a top-probability bar of 1.
  updateCaptureSettings(registry, 'shop', { enabled: true, minConfidence: 1 });
  const on = path.join(root, 'on.jsonl');
  await runBatch(capturingDetector(registry, home, predictor), { source: path.join(root, 'incoming'), output: on });
  assert.deepEqual(lines(on), lines(off));
  assert.deepEqual(registry.review.list(projectId).map((p) => p.source).sort(), [...photos].sort());
});
