// A version name is never handed to another model: after DeleteProjectVersion the next training gets a
// new number, and an ARN of a deleted version is refused by the CLI, the HTTP operations and batches
// even when a newer version of a re-created project carries the same short name.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { importFolder } from '../../src/dataset/index.js';
import { trainVersion } from '../../src/jobs/index.js';
import { versionArn } from '../../src/registry/index.js';
import { runCli } from '../helpers/cli.js';
import { call, startServer, trainedFixture, type Fixture, type Running } from './helpers.js';

let fixture: Fixture;
let running: Running;

before(async () => {
  fixture = await trainedFixture('serve-stale');
  running = await startServer(fixture);
});
after(async () => {
  await running.server.close();
  fixture.registry.close();
});

const notFound = (version: string) => ({ __type: 'ResourceNotFoundException', Message: `Model version "${version}" does not exist. List versions with \`skulens versions list <project>\`` });

test('after DeleteProjectVersion shop/v1 the next training is shop/v2, and shop/v1 is refused by CLI, HTTP and batch', async () => {
  const deleted = await call(running, 'DeleteProjectVersion', { ProjectVersionArn: fixture.arn });
  assert.deepEqual([deleted.status, deleted.body], [200, { Status: 'DELETING' }]);
  const { version } = await trainVersion(fixture.registry, fixture.home, 'shop', { backbone: 'tiny', workers: 1 });
  assert.equal(version.name, 'v2');

  const image = path.join(fixture.catalogue, fixture.labels[0]!);
  const predicted = await runCli(fixture.home.root, 'predict', 'shop/v1', image);
  assert.equal(predicted.code, 1);
  assert.match(predicted.stderr, /Model version "shop\/v1" does not exist.*\[ERR_VERSION_NOT_FOUND\]/);

  const detect = await call(running, 'DetectCustomLabels', { ProjectVersionArn: 'shop/v1', Image: { Bytes: fixture.image.toString('base64') } });
  assert.deepEqual([detect.status, detect.headers.get('x-skulens-error-code'), detect.body], [404, 'ERR_VERSION_NOT_FOUND', notFound('shop/v1')]);
  const batch = await call(running, 'batches', { ProjectVersionArn: 'shop/v1', Source: image, Output: path.join(fixture.root, 'out.jsonl') });
  assert.deepEqual([batch.status, batch.body], [404, notFound('shop/v1')]);
});

test("a deleted project's version ARN is refused by CLI, HTTP and batch although the re-created project has a shop/v1 again", async () => {
  const stale = versionArn(fixture.registry.versions.get('shop', 'v2'));
  const deleted = await call(running, 'DeleteProject', { ProjectArn: 'shop' });
  assert.deepEqual([deleted.status, deleted.body], [200, { Status: 'DELETING' }]);
  fixture.registry.projects.create('shop');
  await importFolder(fixture.registry, fixture.home, 'shop', fixture.catalogue);
  const { version } = await trainVersion(fixture.registry, fixture.home, 'shop', { backbone: 'tiny', workers: 1 });
  assert.equal(version.name, 'v1');
  await trainVersion(fixture.registry, fixture.home, 'shop', { backbone: 'tiny', workers: 1 });
  const live = fixture.registry.versions.get('shop', 'v2');
  assert.notEqual(versionArn(live), stale, 'the new shop/v2 has another ARN');

  const image = path.join(fixture.catalogue, fixture.labels[0]!);
  for (const args of [['predict', stale, image], ['batch', stale, image, '--out', path.join(fixture.root, 'stale.jsonl')], ['evaluate', stale]]) {
    const run = await runCli(fixture.home.root, ...args);
    assert.equal(run.code, 1, args[0]);
    assert.match(run.stderr, /\[ERR_VERSION_NOT_FOUND\]/, args[0]);
  }
  for (const operation of ['DetectCustomLabels', 'StartProjectVersion', 'DeleteProjectVersion']) {
    const answer = await call(running, operation, { ProjectVersionArn: stale, Image: { Bytes: fixture.image.toString('base64') } });
    assert.deepEqual([answer.status, answer.body], [404, notFound(stale)], operation);
  }
  const batch = await call(running, 'batches', { ProjectVersionArn: stale, Source: image, Output: path.join(fixture.root, 'out.jsonl') });
  assert.deepEqual([batch.status, batch.body], [404, notFound(stale)]);
  const ok = await runCli(fixture.home.root, 'evaluate', versionArn(live), '--json');
  assert.equal(ok.code, 0, ok.stderr);
});
