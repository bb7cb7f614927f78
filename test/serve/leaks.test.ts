// No server path in any answer to a key holder, and no answer that tells secrets or limits apart (issue
// 26, finding 10): /health names backbones by id; the status messages of a failed upload, a failed import
// and a file named instead of a folder, and the error of a backbone without its weights, name files
// relative to their import root (or "upload:", "<home>"); an unknown key id and a wrong secret get the
// same answer; the pixel limit of a detect is the documented 4096 px a side.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { zipSync } from 'fflate';
import sharp from 'sharp';
import { TINY_ROW, call, multipartForm, sigV4Headers, startServer, statusOf, trainedFixture, until, type Fixture, type Running } from './helpers.js';

let fixture: Fixture;
let running: Running;
let root: string;

before(async () => {
  fixture = await trainedFixture('serve-leaks');
  // The backbone's weights named by an absolute path, as `backbones pull` or an operator may write it.
  fs.writeFileSync(path.join(fixture.home.models, 'tiny.backbone.json'), JSON.stringify({ ...TINY_ROW, weights: { source: 'file', file: path.join(fixture.home.models, 'tiny', 'model.onnx') } }));
  root = path.join(fixture.root, 'photos');
  fs.mkdirSync(path.join(root, 'empty'), { recursive: true });
  fs.writeFileSync(path.join(root, 'notes.txt'), 'not a dataset');
  running = await startServer(fixture, {}, { importRoots: [root] });
});
after(async () => {
  await running.server.close();
  fixture.registry.close();
});

/** Fails when `text` holds a server path: the home, the import root or the fixture's temp folder. */
function assertNoServerPath(text: string, what: string): void {
  for (const secret of [fixture.root, fixture.home.root, root]) assert.ok(!text.includes(secret), `${what} names ${secret}: ${text}`);
}

async function importState(arn: string): Promise<{ Status: string; StatusMessage?: string }> {
  return until(async () => {
    const d = await call(running, 'DescribeDataset', { DatasetArn: arn });
    return d.body.DatasetDescription.Status.endsWith('IN_PROGRESS') ? undefined : d.body.DatasetDescription;
  }, 'the import');
}

test('/health names a running backbone by its id, not by its weights file', async () => {
  assert.equal((await call(running, 'StartProjectVersion', { ProjectVersionArn: fixture.arn })).status, 200);
  await statusOf(running, fixture.arn, 'RUNNING');
  const health = await (await fetch(`${running.url}/health`)).json();
  assert.deepEqual(health, { status: 'ok', backbones: [{ backbone: 'tiny', versions: 1 }] });
});

test('a failed import of an upload, of an empty folder and of a file instead of a folder say why without a server path', async () => {
  await call(running, 'CreateProject', { ProjectName: 'leaky' });
  const form = multipartForm([{ file: 'file', name: 'flat.zip', bytes: zipSync({ 'loose.jpg': new Uint8Array(fixture.image) }) }]);
  const uploaded = await (await fetch(`${running.url}/v1/datasets/upload?project=leaky`, { method: 'POST', headers: { authorization: running.bearer, 'content-type': form.contentType }, body: form.body })).json();
  const upload = await importState(uploaded.DatasetArn);
  assert.equal(upload.Status, 'CREATE_FAILED');
  assert.match(upload.StatusMessage!, /^Dataset folder upload: is not a folder per label: /);

  for (const [uri, expected] of [
    [path.join(root, 'empty'), /^Dataset folder empty is not a folder per label: /],
    [path.join(root, 'notes.txt'), /^Cannot tell the dataset format of notes\.txt: /],
  ] as const) {
    const created = await call(running, 'CreateDataset', { ProjectArn: 'leaky', DatasetType: 'TEST', DatasetSource: { Uri: uri } });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    const state = await importState(created.body.DatasetArn);
    assert.match(state.StatusMessage ?? '', expected);
    const described = JSON.stringify((await call(running, 'DescribeProjects', { ProjectNames: ['leaky'] })).body);
    assertNoServerPath(described, uri);
  }
});

test('a backbone whose weights are missing is refused without naming where the server looked', async () => {
  fs.writeFileSync(path.join(fixture.home.models, 'ghost.backbone.json'), JSON.stringify({ ...TINY_ROW, id: 'ghost', weights: { source: 'file', file: 'ghost/model.onnx' } }));
  const created = await call(running, 'CreateProjectVersion', { ProjectArn: 'shop', Backbone: 'ghost' });
  const said = created.status === 200 ? (await until(async () => {
    const d = await call(running, 'DescribeProjectVersions', { ProjectArn: 'shop' });
    const row = d.body.ProjectVersionDescriptions.find((v: { ProjectVersionArn: string }) => v.ProjectVersionArn === created.body.ProjectVersionArn);
    return row.Status === 'TRAINING_IN_PROGRESS' ? undefined : row.StatusMessage as string;
  }, 'the training')) : created.body.Message;
  assert.match(said, /Weights of backbone "ghost" are not at <home>\/models\/ghost\/model\.onnx/);
  assertNoServerPath(said, 'the training error');
});

test('SigV4 with an unknown key id and SigV4 with a wrong secret get the same answer', async () => {
  const answers = [];
  for (const keyId of ['SKLAAAAAAAAAAAAAAAAA', running.keyId]) {
    const headers = await sigV4Headers(running, { method: 'POST', path: '/v1/DescribeProjects', headers: { 'content-type': 'application/json' }, body: '{}' }, { keyId, secret: 'not-the-secret' });
    const response = await fetch(`${running.url}/v1/DescribeProjects`, { method: 'POST', headers, body: '{}' });
    answers.push([response.status, response.headers.get('x-skulens-error-code'), await response.json()]);
  }
  assert.deepEqual(answers[0], answers[1]);
});

test('a detect image over 4096 px on a side is ImageTooLargeException, as the docs say, by JSON and by upload', async () => {
  const wide = await sharp({ create: { width: 4097, height: 64, channels: 3, background: '#336699' } }).png().toBuffer();
  const json = await call(running, 'DetectCustomLabels', { ProjectVersionArn: fixture.arn, Image: { Bytes: wide.toString('base64') } });
  assert.deepEqual([json.status, json.body], [400, { __type: 'ImageTooLargeException', Message: 'Image Image.Bytes is too large: 4097x64 px; at most 4096x4096' }]);
  const form = multipartForm([{ file: 'image', name: 'wide.png', bytes: wide }]);
  const upload = await fetch(`${running.url}/v1/detect?version=${encodeURIComponent(fixture.arn)}`, { method: 'POST', headers: { authorization: running.bearer, 'content-type': form.contentType }, body: form.body });
  assert.deepEqual([upload.status, await upload.json()], [400, { __type: 'ImageTooLargeException', Message: 'Image wide.png is too large: 4097x64 px; at most 4096x4096' }]);
});
