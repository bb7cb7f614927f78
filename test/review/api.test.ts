// The review loop over a real server on 127.0.0.1: relabel with Rekognition's UpdateDatasetEntries,
// remove and keep, the mislabelled ranking, the capture setting, DetectCustomLabels capturing an
// uncertain photo into the queue and the answer joining the dataset, CompareProjectVersions; every
// change records the calling key, whatever the body claims.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { HomeLayout } from '../../src/home/index.js';
import { trainVersion } from '../../src/jobs/index.js';
import { datasetArn, projectArn, versionArn, type Registry, type Version } from '../../src/registry/index.js';
import { tempDir } from '../backbone/fixtures.js';
import { call, startServer, type Running } from '../serve/helpers.js';
import { QUICK, colourPhoto, reviewHome } from './fixtures.js';

let root: string;
let home: HomeLayout;
let registry: Registry;
let v1: Version;
let running: Running;
let project: string;

before(async () => {
  root = tempDir('review-api');
  ({ home, registry } = await reviewHome(root));
  v1 = (await trainVersion(registry, home, 'shop', QUICK)).version;
  running = await startServer({ home, registry });
  project = projectArn(registry.projects.get('shop'));
});
after(async () => {
  await running.server.close();
  registry.close();
  fs.rmSync(root, { recursive: true, force: true });
});

test('DescribeMislabelledEntries ranks the planted photos, and UpdateDatasetEntries relabels one by source-ref, recorded under the calling key', async () => {
  const ranked = await call(running, 'DescribeMislabelledEntries', { ProjectArn: project, MaxResults: 2 });
  assert.equal(ranked.status, 200);
  assert.equal(ranked.body.ProjectVersionArn, 'shop/v1');
  // No import root is configured, so photos are named by content hash, never by a server path.
  assert.deepEqual(ranked.body.Entries.map((e: { SourceRef: string; Sha256: string; Label: string; SuggestedLabel: string }) => [e.SourceRef === `sha256:${e.Sha256}`, e.Label, e.SuggestedLabel]).sort(), [
    [true, 'green', 'red'],
    [true, 'red', 'blue'],
  ]);
  const target = ranked.body.Entries.find((e: { Label: string }) => e.Label === 'green');
  const line = JSON.stringify({ 'source-ref': `sha256:${target.Sha256}`, 'colour': 0, 'colour-metadata': { 'class-name': 'red', confidence: 1, 'human-annotated': 'yes' } });
  const train = datasetArn(registry.projects.get('shop'), 'TRAIN');
  // A client's own actor field is not a field of the operation: the actor is the calling key.
  const update = await call(running, 'UpdateDatasetEntries', { DatasetArn: train, Changes: { GroundTruth: Buffer.from(line).toString('base64') }, SkulensActor: 'someone-else' });
  assert.deepEqual([update.status, update.body], [200, {}]);
  assert.equal(registry.entries.get(v1.projectId, target.EntryId).label, 'red');
  const changes = await call(running, 'ListDatasetEntryChanges', { ProjectArn: project });
  assert.deepEqual(
    changes.body.Changes.map((c: { Action: string; OldLabel: string; NewLabel: string; Actor: string; Origin: string }) => [c.Action, c.OldLabel, c.NewLabel, c.Actor, c.Origin]),
    [['relabel', 'green', 'red', running.keyId, 'api']],
  );
  const after = await call(running, 'DescribeMislabelledEntries', { ProjectArn: project });
  assert.ok(!after.body.Entries.some((e: { Sha256: string }) => e.Sha256 === target.Sha256));
});

test('UpdateDatasetEntries checks every line first: an unknown source-ref changes nothing and is a 404', async () => {
  const train = datasetArn(registry.projects.get('shop'), 'TRAIN');
  const entry = registry.entries.list(v1.projectId, { split: 'train', label: 'blue' })[0]!;
  const lines = [
    JSON.stringify({ 'source-ref': `sha256:${entry.sha256}`, 'c-metadata': { 'class-name': 'green' } }),
    JSON.stringify({ 'source-ref': 'nowhere/photo.jpg', 'c-metadata': { 'class-name': 'green' } }),
  ].join('\n');
  const answer = await call(running, 'UpdateDatasetEntries', { DatasetArn: train, Changes: { GroundTruth: Buffer.from(lines).toString('base64') } });
  assert.equal(answer.status, 404);
  assert.deepEqual(answer.body, { __type: 'ResourceNotFoundException', Message: 'Dataset entry "nowhere/photo.jpg" (line 2) does not exist in this project. List entries with `skulens datasets check` or ListDatasetImages' });
  assert.equal(registry.entries.get(v1.projectId, entry.id).label, 'blue');
});

test('DeleteDatasetEntries and KeepDatasetEntries record each entry; an unknown id removes nothing', async () => {
  const [a, b] = registry.entries.list(v1.projectId, { split: 'train', label: 'green' });
  const missing = await call(running, 'DeleteDatasetEntries', { ProjectArn: project, EntryIds: [a!.id, 999_999] });
  assert.equal(missing.status, 404);
  assert.equal(registry.entries.get(v1.projectId, a!.id).id, a!.id);
  assert.deepEqual((await call(running, 'DeleteDatasetEntries', { ProjectArn: project, EntryIds: [a!.id] })).body, { Removed: 1 });
  assert.deepEqual((await call(running, 'KeepDatasetEntries', { ProjectArn: project, EntryIds: [b!.id] })).body, { Kept: 1 });
  const actions = registry.entries.changes(v1.projectId).map((c) => [c.action, c.actor]);
  assert.deepEqual(actions.slice(-2), [['remove', running.keyId], ['keep', running.keyId]]);
});

test('with the setting on, DetectCustomLabels keeps an uncertain photo; the queue lists it and CONFIRM adds it to the training set', async () => {
  const off = await call(running, 'DescribeReviewSettings', { ProjectArn: project });
  assert.deepEqual(off.body, { Enabled: false, MinConfidence: 0.5, MinMargin: 0.2, MaxBytes: 512 * 1024 ** 2, RetentionDays: 30 });
  const on = await call(running, 'UpdateReviewSettings', { ProjectArn: project, Enabled: true, MinConfidence: 1, MinMargin: 1 });
  assert.deepEqual(on.body, { Enabled: true, MinConfidence: 1, MinMargin: 1, MaxBytes: 512 * 1024 ** 2, RetentionDays: 30 });
  await call(running, 'StartProjectVersion', { ProjectVersionArn: versionArn(v1), MinInferenceUnits: 1 });
  const photo = await colourPhoto([150, 90, 60], 300);
  let detected;
  for (let i = 0; i < 100; i++) {
    detected = await call(running, 'DetectCustomLabels', { ProjectVersionArn: versionArn(v1), Image: { Bytes: photo.toString('base64') } });
    if (detected.status === 200) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(detected!.status, 200);
  assert.deepEqual(Object.keys(detected!.body), ['CustomLabels']);
  const queue = await call(running, 'ListUncertainPredictions', { ProjectArn: project });
  assert.equal(queue.body.Predictions.length, 1);
  const item = queue.body.Predictions[0];
  assert.equal(item.Source, 'DetectCustomLabels');
  assert.deepEqual(item.CustomLabels, detected!.body.CustomLabels);
  const image = await fetch(`${running.url}/v1/review-images/shop/${item.Id}`, { headers: { authorization: running.bearer } });
  assert.equal(image.headers.get('content-type'), 'image/webp');
  const answered = await call(running, 'AnswerUncertainPrediction', { ProjectArn: project, Id: item.Id, Action: 'CONFIRM' });
  assert.deepEqual(answered.body, { Status: 'CONFIRMED', EntryId: answered.body.EntryId, Label: item.TopLabel });
  const entry = registry.entries.get(v1.projectId, answered.body.EntryId);
  assert.equal(entry.split, 'train');
  assert.equal(registry.entries.changes(v1.projectId, { action: 'add' })[0]!.actor, running.keyId);
  const refused = await call(running, 'AnswerUncertainPrediction', { ProjectArn: project, Id: item.Id, Action: 'CORRECT' });
  assert.equal(refused.status, 400);
});

test('CompareProjectVersions answers for two versions on the same test photos', async () => {
  const v2 = (await trainVersion(registry, home, 'shop', QUICK)).version;
  const answer = await call(running, 'CompareProjectVersions', { ProjectVersionArnA: versionArn(v1), ProjectVersionArnB: versionArn(v2) });
  assert.equal(answer.status, 200);
  assert.equal(answer.body.TestImages, 9);
  assert.deepEqual(answer.body.Labels.map((l: { Label: string }) => l.Label), ['blue', 'green', 'red']);
  assert.deepEqual(Object.keys(answer.body.McNemar), ['Broken', 'Fixed', 'Method', 'Statistic', 'PValue']);
  assert.equal(answer.body.McNemar.Fixed, answer.body.Fixed.length);
});

test('a detect-only key may not fetch a captured photo', async () => {
  const { KeyStore } = await import('../../src/auth/index.js');
  const key = new KeyStore(registry, home).create('detect only', 'detect');
  const answer = await fetch(`${running.url}/v1/review-images/shop/1`, { headers: { authorization: `Bearer ${key.id}:${key.secret}` } });
  assert.equal(answer.status, 403);
  assert.equal(answer.headers.get('x-skulens-error-code'), 'ERR_ROLE_REQUIRED');
  // Nor list the captured answers or the dataset's change history, though both are List operations.
  for (const operation of ['ListUncertainPredictions', 'ListDatasetEntryChanges']) {
    const listed = await call(running, operation, { ProjectArn: project }, `Bearer ${key.id}:${key.secret}`);
    assert.equal(listed.status, 403, `${operation}: ${JSON.stringify(listed.body)}`);
    assert.equal(listed.headers.get('x-skulens-error-code'), 'ERR_ROLE_REQUIRED');
  }
});
