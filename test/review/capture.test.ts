// Uncertain predictions: capture only when the project opted in and the answer is uncertain, stored by
// content hash under the home's review folder; the size cap and retention; the queue's order; and the
// confirm / correct round trip into the training set with its source recorded.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { sha256Hex } from '../../src/dataset/index.js';
import { isSkulensError } from '../../src/errors.js';
import { reviewImagePath, type HomeLayout } from '../../src/home/index.js';
import { trainVersion } from '../../src/jobs/index.js';
import { Predictor } from '../../src/predict/index.js';
import { parseVersionRef, type Registry, type Version } from '../../src/registry/index.js';
import { answerReview, captureIfUncertain, captureSettings, detectWithCapture, reviewQueue, updateCaptureSettings } from '../../src/review/index.js';
import { tempDir } from '../backbone/fixtures.js';
import { QUICK, colourPhoto, reviewHome } from './fixtures.js';

let root: string;
let home: HomeLayout;
let registry: Registry;
let version: Version;
let predictor: Predictor;

before(async () => {
  root = tempDir('review-capture');
  ({ home, registry } = await reviewHome(root));
  version = (await trainVersion(registry, home, 'shop', QUICK)).version;
  predictor = await Predictor.load(registry, home, parseVersionRef('shop/v1'), { workers: 1 });
});
after(async () => {
  await predictor.close();
  registry.close();
  fs.rmSync(root, { recursive: true, force: true });
});

const LABELS = ['blue', 'green', 'red'];
const served = (bytes: Uint8Array, probs: number[]) => ({ bytes, source: 'DetectCustomLabels', labels: LABELS, probs, answer: [] });

test('capture is off by default: a served answer keeps nothing, and the answer is what Predictor.detect gives', async () => {
  assert.equal(captureSettings(registry, version.projectId).enabled, false);
  const bytes = await colourPhoto([120, 120, 40], 1);
  const answer = await detectWithCapture(registry, home, predictor, { bytes }, {}, 'DetectCustomLabels');
  assert.equal(answer.capture, 'off');
  assert.deepEqual(answer.CustomLabels, (await predictor.detect({ bytes })).CustomLabels);
  assert.equal(fs.existsSync(home.review), false);
});

test('with capture on, an uncertain answer is kept by content hash with the answer served; a sure one and a repeat are not', async () => {
  updateCaptureSettings(registry, 'shop', { enabled: true, minConfidence: 0.6, minMargin: 0.2 });
  const doubtful = await colourPhoto([120, 120, 40], 2); // between red and green
  const answer = await detectWithCapture(registry, home, predictor, { bytes: doubtful }, {}, 'DetectCustomLabels');
  // With capture on the decision is made here, once: it must equal Predictor.detect's.
  assert.deepEqual(answer.CustomLabels, (await predictor.detect({ bytes: doubtful })).CustomLabels);
  const probs = Array.from(await predictor.probabilities({ bytes: doubtful }));
  const top = Math.max(...probs);
  const second = [...probs].sort((a, b) => b - a)[1]!;
  assert.equal(answer.capture, top < 0.6 || top - second < 0.2 ? 'captured' : 'certain');
  // A clearly blue photo is sure; the first photo again is known.
  assert.equal(await captureIfUncertain(registry, home, version, served(await colourPhoto([20, 20, 250], 3), [0.96, 0.02, 0.02])), 'certain');
  const unsure = await colourPhoto([100, 100, 100], 4);
  assert.equal(await captureIfUncertain(registry, home, version, served(unsure, [0.4, 0.35, 0.25])), 'captured');
  assert.equal(await captureIfUncertain(registry, home, version, served(unsure, [0.4, 0.35, 0.25])), 'known');
  const stored = reviewImagePath(home, sha256Hex(unsure));
  assert.deepEqual(fs.readFileSync(stored), unsure);
  const queue = await reviewQueue(registry, home, 'shop');
  const item = queue.find((q) => q.sha256 === sha256Hex(unsure))!;
  assert.equal(item.topLabel, 'blue');
  assert.ok(Math.abs(item.margin - 0.05) < 1e-9);
  assert.equal(item.version, 'v1');
  // The queue is sorted by uncertainty (1 - margin), most uncertain first.
  assert.deepEqual(queue.map((q) => q.uncertainty), [...queue.map((q) => q.uncertainty)].sort((a, b) => b - a));
});

test('the size cap refuses a capture that would pass it, and nothing is written for it', async () => {
  const { bytes: pending } = registry.review.totals(version.projectId);
  updateCaptureSettings(registry, 'shop', { maxBytes: pending + 10 });
  const big = await colourPhoto([90, 90, 90], 5);
  assert.equal(await captureIfUncertain(registry, home, version, served(big, [0.34, 0.33, 0.33])), 'full');
  assert.equal(fs.existsSync(reviewImagePath(home, sha256Hex(big))), false);
  updateCaptureSettings(registry, 'shop', { maxBytes: 512 * 1024 ** 2 });
});

test('retention drops pending captures older than the period, image and row', async () => {
  updateCaptureSettings(registry, 'shop', { retentionDays: 30 });
  const old = await colourPhoto([80, 80, 80], 6);
  const fortyDaysAgo = Date.now() - 40 * 86_400_000;
  assert.equal(await captureIfUncertain(registry, home, version, served(old, [0.34, 0.33, 0.33]), fortyDaysAgo), 'captured');
  assert.ok(fs.existsSync(reviewImagePath(home, sha256Hex(old))));
  const queue = await reviewQueue(registry, home, 'shop');
  assert.ok(!queue.some((q) => q.sha256 === sha256Hex(old)));
  assert.equal(fs.existsSync(reviewImagePath(home, sha256Hex(old))), false);
});

test('confirm and correct put the photo in the training set with its source recorded; dismiss drops it', async () => {
  const photos = [await colourPhoto([200, 60, 60], 7), await colourPhoto([60, 60, 200], 8), await colourPhoto([70, 70, 70], 9)];
  for (const p of photos) assert.equal(await captureIfUncertain(registry, home, version, served(p, [0.3, 0.3, 0.4])), 'captured');
  const id = (bytes: Buffer) => registry.review.list(version.projectId).find((q) => q.sha256 === sha256Hex(bytes))!.id;
  const [redId, blueId, greyId] = photos.map(id);

  const confirmed = await answerReview(registry, home, 'shop', redId!, { action: 'confirm' }, 'key-1');
  assert.equal(confirmed.item.status, 'confirmed');
  assert.equal(confirmed.entry!.label, 'red');
  assert.equal(confirmed.entry!.split, 'train');
  assert.equal(confirmed.entry!.sha256, sha256Hex(photos[0]!));
  assert.match(confirmed.entry!.source, new RegExp(`^review:${redId} \\(DetectCustomLabels\\)$`));
  assert.deepEqual(confirmed.entry!.metadata, { origin: 'uncertain-prediction', version: 'v1', answered: 'confirm', modelLabel: 'red' });
  assert.deepEqual(fs.readFileSync(path.resolve(home.root, confirmed.entry!.blob)), photos[0]);
  assert.equal(fs.existsSync(reviewImagePath(home, sha256Hex(photos[0]!))), false, 'the queue copy goes once the blob holds it');

  const corrected = await answerReview(registry, home, 'shop', blueId!, { action: 'correct', label: 'blue' }, 'key-1');
  assert.equal(corrected.item.status, 'corrected');
  assert.equal(registry.entries.find(version.projectId, sha256Hex(photos[1]!), 'blue')!.id, corrected.entry!.id);
  const added = registry.entries.changes(version.projectId, { action: 'add' });
  assert.deepEqual(added.map((c) => [c.newLabel, c.actor, c.origin]), [['red', 'key-1', 'uncertain'], ['blue', 'key-1', 'uncertain']]);

  const dismissed = await answerReview(registry, home, 'shop', greyId!, { action: 'dismiss' }, 'key-1');
  assert.equal(dismissed.entry, null);
  assert.equal(registry.entries.ofImage(version.projectId, sha256Hex(photos[2]!)).length, 0);
  await assert.rejects(answerReview(registry, home, 'shop', greyId!, { action: 'confirm' }, 'key-1'), (e: unknown) => isSkulensError(e, 'ERR_ARGUMENT_INVALID'));
  await assert.rejects(answerReview(registry, home, 'shop', 99_999, { action: 'confirm' }, 'key-1'), (e: unknown) => isSkulensError(e, 'ERR_REVIEW_ITEM_NOT_FOUND'));
});

test('capture cannot be turned on for a groups project', () => {
  registry.projects.create('attrs', 'groups');
  assert.throws(() => updateCaptureSettings(registry, 'attrs', { enabled: true }), (e) => isSkulensError(e, 'ERR_LABEL_TYPE_UNSUPPORTED'));
});
