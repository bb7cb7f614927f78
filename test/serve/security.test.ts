// What a key holder can reach, through a real server on 127.0.0.1: request paths only under the import
// roots (missing and outside answer alike), batch results only where the server puts them, roles, and
// throttled failed sign-ins and per-key rates. Each case is one the issue reproduced against the old main.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import { KeyStore } from '../../src/auth/index.js';
import { SkulensError } from '../../src/errors.js';
import { createServer } from '../../src/serve/index.js';
import { call, startServer, statusOf, trainedFixture, until, type Fixture, type Running } from './helpers.js';

let fixture: Fixture;
let running: Running;
let detectKey: string;
let trainKey: string;

before(async () => {
  fixture = await trainedFixture('serve-security');
  running = await startServer(fixture, {}, { importRoots: [fixture.catalogue] });
  const keys = new KeyStore(fixture.registry, fixture.home);
  const detect = keys.create('detect only');
  const train = keys.create('trainer', 'train');
  detectKey = `Bearer ${detect.id}:${detect.secret}`;
  trainKey = `Bearer ${train.id}:${train.secret}`;
  assert.equal((await call(running, 'StartProjectVersion', { ProjectVersionArn: fixture.arn })).status, 200);
  await statusOf(running, fixture.arn, 'RUNNING');
});
after(async () => {
  await running.server.close();
  fixture.registry.close();
});

/** The refusal of a path: echoed as sent, or relative to the import root when it lies inside it (no server path). */
const refused = (requested: string) => ({
  __type: 'AccessDeniedException',
  Message: new SkulensError('ERR_PATH_NOT_ALLOWED', { path: requested.startsWith(`${fixture.catalogue}/`) ? path.relative(fixture.catalogue, requested) : requested }).message,
});

test('CreateDataset from /etc, /, ../.. or a missing folder is refused alike, before any walk, and records no import issue', async () => {
  await call(running, 'CreateProject', { ProjectName: 'probe' });
  const missingInside = path.join(fixture.catalogue, 'no-such-label');
  for (const uri of ['/etc', '/', '../..', '/etc/passwd.csv', '/no/such/folder', missingInside]) {
    const answer = await call(running, 'CreateDataset', { ProjectArn: 'probe', DatasetType: 'TRAIN', DatasetSource: { Uri: uri } });
    assert.deepEqual([answer.status, answer.headers.get('x-skulens-error-code'), answer.body], [403, 'ERR_PATH_NOT_ALLOWED', refused(uri)], uri);
  }
  const project = fixture.registry.projects.get('probe');
  assert.deepEqual(fixture.registry.entries.list(project.id), []);
  assert.equal(fixture.registry.imports.find(project.id, 'train'), undefined);
});

test('a symlink inside an import root that leads out of it is refused like any outside path', async () => {
  const link = path.join(fixture.catalogue, 'escape');
  fs.symlinkSync('/etc', link);
  try {
    const answer = await call(running, 'CreateDataset', { ProjectArn: 'probe', DatasetType: 'TRAIN', DatasetSource: { Uri: link } });
    assert.deepEqual([answer.status, answer.body], [403, refused(link)]);
  } finally {
    fs.rmSync(link);
  }
});

test('POST /v1/batches refuses an Output path: the request cannot choose where the server writes', async () => {
  const target = path.join(fixture.home.root, 'secrets', 'evil.jsonl');
  const answer = await call(running, 'batches', { ProjectVersionArn: fixture.arn, Source: fixture.catalogue, Output: target });
  assert.equal(answer.status, 400);
  assert.equal(answer.body.__type, 'InvalidParameterException');
  assert.match(answer.body.Message, /Unrecognized key: "Output"/);
  assert.equal(fs.existsSync(target), false);
});

test('POST /v1/batches with a source outside the roots is refused alike; with /etc/ssh nothing is read', async () => {
  const answer = await call(running, 'batches', { ProjectVersionArn: fixture.arn, Source: '/etc/ssh' });
  assert.deepEqual([answer.status, answer.body], [403, refused('/etc/ssh')]);
});

test('POST /v1/batches with a version that is not RUNNING is ResourceNotReadyException', async () => {
  // A second version, trained but never started.
  const created = await call(running, 'CreateProjectVersion', { ProjectArn: 'shop', Backbone: 'tiny' });
  assert.equal(created.status, 200, JSON.stringify(created.body));
  await statusOf(running, created.body.ProjectVersionArn, 'TRAINING_COMPLETED');
  const answer = await call(running, 'batches', { ProjectVersionArn: created.body.ProjectVersionArn, Source: fixture.catalogue });
  assert.equal(answer.status, 400);
  assert.equal(answer.body.__type, 'ResourceNotReadyException');
});

test('a training started over HTTP runs in another process than the server', async () => {
  const created = await call(running, 'CreateProjectVersion', { ProjectArn: 'shop', Backbone: 'tiny' });
  assert.equal(created.status, 200);
  const name = /\/version\/([^/]+)\//.exec(created.body.ProjectVersionArn)![1]!;
  const { id } = fixture.registry.versions.get('shop', name);
  // The version row records the process that trains it.
  const db = new Database(fixture.home.database, { readonly: true });
  const { pid } = db.prepare('SELECT pid FROM versions WHERE id = ?').get(id) as { pid: number | null };
  db.close();
  assert.equal(typeof pid, 'number');
  assert.notEqual(pid, process.pid);
  await statusOf(running, created.body.ProjectVersionArn, 'TRAINING_COMPLETED');
});

test('a detect key may detect and describe its versions, and is refused training work with AccessDeniedException naming role train', async () => {
  const detect = await call(running, 'DetectCustomLabels', { ProjectVersionArn: fixture.arn, Image: { Bytes: fixture.image.toString('base64') } }, detectKey);
  assert.equal(detect.status, 200);
  assert.equal((await call(running, 'DescribeProjectVersions', { ProjectArn: 'shop' }, detectKey)).status, 200);
  for (const [operation, body] of [
    ['DescribeProjects', {}],
    ['CreateProject', { ProjectName: 'nope' }],
    ['CreateProjectVersion', { ProjectArn: 'shop' }],
    ['DeleteProject', { ProjectArn: 'shop' }],
    ['StopProjectVersion', { ProjectVersionArn: fixture.arn }],
  ] as const) {
    const answer = await call(running, operation, body, detectKey);
    assert.deepEqual(
      [answer.status, answer.headers.get('x-skulens-error-code'), answer.body],
      [403, 'ERR_ROLE_REQUIRED', { __type: 'AccessDeniedException', Message: new SkulensError('ERR_ROLE_REQUIRED', { operation, role: 'train', current: 'detect' }).message }],
      operation,
    );
  }
  const batch = await fetch(`${running.url}/v1/batches`, { method: 'POST', headers: { authorization: detectKey, 'content-type': 'application/json' }, body: JSON.stringify({ ProjectVersionArn: fixture.arn, Source: fixture.catalogue }) });
  assert.equal(batch.status, 403);
  assert.equal(batch.headers.get('x-skulens-error-code'), 'ERR_ROLE_REQUIRED');
});

test('a train key may create projects and batches, and fetch their results', async () => {
  assert.equal((await call(running, 'CreateProject', { ProjectName: 'trainer-made' }, trainKey)).status, 200);
  const started = await call(running, 'batches', { ProjectVersionArn: fixture.arn, Source: fixture.catalogue }, trainKey);
  assert.equal(started.status, 200, JSON.stringify(started.body));
  await until(async () => {
    const response = await fetch(`${running.url}/v1/batches/${started.body.BatchId}`, { headers: { authorization: trainKey } });
    return ((await response.json()) as { Status: string }).Status === 'SUCCEEDED' ? true : undefined;
  }, 'the batch');
  const results = await fetch(`${running.url}/v1/batches/${started.body.BatchId}/results`, { headers: { authorization: detectKey } });
  assert.equal(results.status, 403);
  const allowed = await fetch(`${running.url}/v1/batches/${started.body.BatchId}/results`, { headers: { authorization: trainKey } });
  assert.equal((await allowed.text()).trim().split('\n').length, 30);
});

test('failed sign-ins are throttled: after the allowance, even the right secret from that address gets 429 ThrottlingException with Retry-After', async () => {
  const throttled = await startServer(fixture, {}, { throttle: { maxFailures: 3 } });
  try {
    const wrong = `Bearer ${throttled.keyId}:not-the-secret`;
    for (let i = 0; i < 3; i += 1) assert.equal((await call(throttled, 'DescribeProjects', {}, wrong)).status, 403);
    const blocked = await call(throttled, 'DescribeProjects', {}, throttled.bearer);
    assert.equal(blocked.status, 429);
    assert.equal(blocked.body.__type, 'ThrottlingException');
    assert.match(blocked.body.Message, new RegExp(`^Too many failed sign-ins from address 127\\.0\\.0\\.1 with key ${throttled.keyId}; try again in \\d+ s$`));
    assert.ok(Number(blocked.headers.get('retry-after')) >= 1);
  } finally {
    await throttled.server.close();
  }
});

test('failed sign-ins with made-up key ids are throttled per client address', async () => {
  const throttled = await startServer(fixture, {}, { throttle: { maxFailures: 3, maxAddressFailures: 3 } });
  try {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i += 1) statuses.push((await call(throttled, 'DescribeProjects', {}, `Bearer SKLAAAAAAAAAAAAAAAAA${i}:x`)).status);
    assert.deepEqual(statuses, [403, 403, 403, 429, 429]);
  } finally {
    await throttled.server.close();
  }
});

test('a key past its request rate gets 429 ProvisionedThroughputExceededException', async () => {
  const limited = await startServer(fixture, {}, { throttle: { keyRequests: 4, keyWindowMs: 60_000 } });
  try {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i += 1) statuses.push((await call(limited, 'DescribeProjects', {})).status);
    assert.deepEqual(statuses, [200, 200, 200, 200, 429, 429]);
    const last = await call(limited, 'DescribeProjects', {});
    assert.equal(last.body.__type, 'ProvisionedThroughputExceededException');
    assert.ok(Number(last.headers.get('retry-after')) >= 1);
  } finally {
    await limited.server.close();
  }
});

test('failed sign-ins with one key id from many addresses do not lock that key out: each address is held up alone', async () => {
  const throttled = await startServer(fixture, {}, { throttle: { maxFailures: 3 } });
  try {
    const wrong = `Bearer ${throttled.keyId}:not-the-secret`;
    const send = (authorization: string, remoteAddress: string) =>
      throttled.server.app.inject({ method: 'POST', url: '/v1/DescribeProjects', remoteAddress, headers: { authorization, 'content-type': 'application/json' }, payload: '{}' });
    for (let i = 0; i < 3; i += 1) assert.equal((await send(wrong, '10.0.0.1')).statusCode, 403);
    // The right secret from another address is not held up (on the old main: 429 for 60 s, a lockout).
    assert.equal((await send(throttled.bearer, '10.0.0.99')).statusCode, 200);
    // From the failing address, the same key id is held up, even with the right secret.
    const blocked = await send(throttled.bearer, '10.0.0.1');
    assert.equal(blocked.statusCode, 429);
    assert.match(blocked.json().Message, new RegExp(`^Too many failed sign-ins from address 10\\.0\\.0\\.1 with key ${throttled.keyId}; try again in \\d+ s$`));
    // However many addresses fail with that id.
    for (let i = 2; i < 6; i += 1) for (let k = 0; k < 3; k += 1) assert.equal((await send(wrong, `10.0.0.${i}`)).statusCode, 403);
    assert.equal((await send(throttled.bearer, '10.0.0.99')).statusCode, 200);
  } finally {
    await throttled.server.close();
  }
});

// Last: another server on this home marks the first one's started versions STOPPED (one server per home).
test('without any --import-root a local CreateDataset source is refused', async () => {
  const bare = await createServer({ home: fixture.home, registry: fixture.registry, workers: 1, env: {} });
  const url = await bare.listen({ port: 0 });
  try {
    const answer = await call({ ...running, url }, 'CreateDataset', { ProjectArn: 'probe', DatasetType: 'TRAIN', DatasetSource: { Uri: fixture.catalogue } });
    assert.deepEqual([answer.status, answer.body], [403, refused(fixture.catalogue)]);
  } finally {
    await bare.close();
  }
});
