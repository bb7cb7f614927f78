// What a key holder sends to the review operations (issue 26, findings 4 and 5): the audit actor is the
// calling key whatever the body says and however the operation name is spelt in the path, and a label
// is checked once, at the edge (length, control characters), with a coded error naming the field.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { KeyStore } from '../../src/auth/index.js';
import { datasetArn } from '../../src/registry/index.js';
import { call, startServer, trainedFixture, type Fixture, type Running } from './helpers.js';

let fixture: Fixture;
let running: Running;
let trainer: { id: string; bearer: string };

before(async () => {
  fixture = await trainedFixture('serve-review-input');
  running = await startServer(fixture);
  const key = new KeyStore(fixture.registry, fixture.home).create('curator', 'train');
  trainer = { id: key.id, bearer: `Bearer ${key.id}:${key.secret}` };
});
after(async () => {
  await running.server.close();
  fixture.registry.close();
});

/** The GroundTruth of one change: the first training entry relabelled `label` (default: another label it has not). */
function change(label?: string): { DatasetArn: string; Changes: { GroundTruth: string }; sha256: string } {
  const project = fixture.registry.projects.get('shop');
  const entry = fixture.registry.entries.list(project.id, { split: 'train' })[0]!;
  label ??= fixture.labels.find((l) => l !== entry.label)!;
  const line = JSON.stringify({ 'source-ref': `sha256:${entry.sha256}`, attr: 0, 'attr-metadata': { 'class-name': label } });
  return { DatasetArn: datasetArn(project, 'TRAIN'), Changes: { GroundTruth: Buffer.from(line).toString('base64') }, sha256: entry.sha256 };
}

test('UpdateDatasetEntries records the calling key as the actor, even sent to an encoded path with another actor in the body', async () => {
  const { sha256, ...body } = change();
  const response = await fetch(`${running.url}/v1/UpdateDatasetEntrie%73`, {
    method: 'POST',
    headers: { authorization: trainer.bearer, 'content-type': 'application/json' },
    body: JSON.stringify({ ...body, SkulensActor: `${running.keyId} (admin)` }),
  });
  assert.equal(response.status, 200, await response.clone().text());
  const changes = await call(running, 'ListDatasetEntryChanges', { ProjectArn: 'shop' });
  const last = changes.body.Changes.at(-1);
  assert.deepEqual([last.Action, last.Sha256, last.Actor, last.Origin], ['relabel', sha256, trainer.id, 'api']);
});

test('UpdateDatasetEntries refuses an empty, a 1,000,000-character or a control-character label with ERR_LABEL_INVALID naming the field, and changes nothing', async () => {
  const project = fixture.registry.projects.get('shop');
  const before = fixture.registry.entries.list(project.id).map((e) => [e.id, e.label]);
  for (const [label, problem] of [
    ['', 'it is blank'],
    ['x'.repeat(1_000_000), 'it is longer than 128 characters'],
    ['a\nb/../../c\0', 'it holds control characters'],
  ] as const) {
    const { sha256: _, ...body } = change(label);
    const answer = await call(running, 'UpdateDatasetEntries', body, trainer.bearer);
    assert.deepEqual([answer.status, answer.headers.get('x-skulens-error-code')], [400, 'ERR_LABEL_INVALID'], problem);
    assert.match(answer.body.Message, new RegExp(`: Changes\\.GroundTruth line 1 class-name: ${problem}$`), problem);
    assert.ok(answer.body.Message.length < 400, 'the label is quoted short');
  }
  assert.deepEqual(fixture.registry.entries.list(project.id).map((e) => [e.id, e.label]), before);
});
