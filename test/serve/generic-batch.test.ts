// DetectLabels, DetectModerationLabels and batch jobs through a real server on 127.0.0.1.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import { batchResultsPath } from '../../src/home/index.js';
import { needsOptional } from '../helpers/fixtures.js';
import { call, startServer, statusOf, trainedFixture, until, type Fixture, type Running } from './helpers.js';

let fixture: Fixture;
let running: Running;

before(async () => {
  fixture = await trainedFixture('serve-generic');
  running = await startServer(fixture, {}, { importRoots: [fixture.root] });
});
after(async () => {
  await running.server.close();
  fixture.registry.close();
});

test('DetectLabels answers Labels with Parents and Instances, and the model version, without training', async () => {
  const answer = await call(running, 'DetectLabels', { Image: { Bytes: fixture.image.toString('base64') }, MinConfidence: 0, MaxLabels: 3 });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  assert.equal(typeof answer.body.LabelModelVersion, 'string');
  assert.ok(answer.body.Labels.length <= 3);
  for (const label of answer.body.Labels) {
    assert.deepEqual(Object.keys(label).sort(), ['Confidence', 'Instances', 'Name', 'Parents']);
    assert.ok(label.Confidence >= 0 && label.Confidence <= 100);
  }
});

test('DetectModerationLabels answers ModerationLabels and ModerationModelVersion', needsOptional, async () => {
  const answer = await call(running, 'DetectModerationLabels', { Image: { Bytes: fixture.image.toString('base64') }, MinConfidence: 0 });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  assert.equal(typeof answer.body.ModerationModelVersion, 'string');
  assert.ok(Array.isArray(answer.body.ModerationLabels));
});

test('DetectLabels with bytes that are not an image is InvalidImageFormatException', async () => {
  const answer = await call(running, 'DetectLabels', { Image: { Bytes: Buffer.from('plain text').toString('base64') } });
  assert.equal(answer.status, 400);
  assert.deepEqual(answer.body, { __type: 'InvalidImageFormatException', Message: 'Image Image.Bytes is of an unknown format; supported formats are JPEG, PNG, WebP, AVIF, TIFF and GIF' });
});

test('POST /v1/batches starts a batch over a folder under an import root; GET /v1/batches/<id> reports it done and /results serves its lines', async () => {
  assert.equal((await call(running, 'StartProjectVersion', { ProjectVersionArn: fixture.arn })).status, 200);
  await statusOf(running, fixture.arn, 'RUNNING');
  const started = await call(running, 'batches', { ProjectVersionArn: fixture.arn, Source: 'catalogue' });
  assert.equal(started.status, 200, JSON.stringify(started.body));
  const id = started.body.BatchId as string;
  const done = await until(async () => {
    const response = await fetch(`${running.url}/v1/batches/${id}`, { headers: { authorization: running.bearer } });
    const status = (await response.json()) as { Status: string; Processed: number; Total: number };
    return status.Status === 'IN_PROGRESS' ? undefined : status;
  }, 'the batch');
  assert.equal(done.Status, 'SUCCEEDED');
  assert.equal(done.Processed, 30);
  const results = await fetch(`${running.url}/v1/batches/${id}/results`, { headers: { authorization: running.bearer } });
  assert.equal(results.status, 200);
  assert.match(results.headers.get('content-type') ?? '', /^application\/x-ndjson/);
  const lines = (await results.text()).trim().split('\n');
  assert.equal(lines.length, 30);
  assert.deepEqual(fs.readFileSync(batchResultsPath(fixture.home, id, 'jsonl'), 'utf8').trim().split('\n'), lines);
  const listed = (await (await fetch(`${running.url}/v1/batches`, { headers: { authorization: running.bearer } })).json()) as { Batches: { BatchId: string }[] };
  assert.deepEqual(listed.Batches.map((b) => b.BatchId), [id]);
});

test('GET /v1/batches/<unknown> is ResourceNotFoundException', async () => {
  const response = await fetch(`${running.url}/v1/batches/nope`, { headers: { authorization: running.bearer } });
  assert.equal(response.status, 404);
  assert.deepEqual(await response.json(), { __type: 'ResourceNotFoundException', Message: 'Batch "nope" does not exist. List batches with GET /v1/batches' });
});

test('POST /v1/batches without a source is InvalidParameterException', async () => {
  const answer = await call(running, 'batches', { ProjectVersionArn: fixture.arn });
  assert.equal(answer.status, 400);
  assert.deepEqual(answer.body, { __type: 'InvalidParameterException', Message: 'Invalid request to POST /v1/batches: Source: Invalid input: expected string, received undefined' });
});
