// The API routes the console relies on, through a real server on 127.0.0.1: who the key is, the
// upload-and-import (with the import's checks), health with no server paths, image pages and
// thumbnails, scored test images that reproduce the stored evaluation, a version with edited
// thresholds, and the console's static files with their caching.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { unzipSync, zipSync } from 'fflate';
import sharp from 'sharp';
import { jpeg } from '../helpers/fixtures.js';
import { consoleFixture, ensureConsoleBuilt, type ConsoleFixture } from './fixture.js';

let fx: ConsoleFixture;
let bearer = '';

before(async () => {
  await ensureConsoleBuilt();
  fx = await consoleFixture('console-api');
  bearer = `Bearer ${fx.admin.id}:${fx.admin.secret}`;
});
after(() => fx.close());

async function call(operation: string, body: unknown, authorization = bearer) {
  const response = await fetch(`${fx.url}/v1/${operation}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization }, body: JSON.stringify(body) });
  return { status: response.status, code: response.headers.get('x-skulens-error-code'), body: await response.json() };
}

async function uploadForm(form: FormData, query = 'project=shop', authorization = bearer) {
  const response = await fetch(`${fx.url}/v1/datasets/upload?${query}`, { method: 'POST', body: form, headers: { authorization } });
  return { status: response.status, code: response.headers.get('x-skulens-error-code'), body: await response.json() };
}

async function until<T>(check: () => Promise<T | undefined>, what: string, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Macro F1 from scored test images at thresholds, as src/evaluate defines it. */
function macroF1(labels: string[], predictions: { Truth: string; Probabilities: number[] }[], thresholds: number[]): number {
  const f1s = labels.map((label, k) => {
    let tp = 0;
    let fp = 0;
    const support = predictions.filter((p) => p.Truth === label).length;
    for (const p of predictions) if (p.Probabilities[k]! >= thresholds[k]!) (p.Truth === label ? tp++ : fp++);
    const precision = tp + fp ? tp / (tp + fp) : 0;
    const recall = support ? tp / support : 0;
    return precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
  });
  return f1s.reduce((a, b) => a + b, 0) / f1s.length;
}

describe('console API', () => {
  test('GET /v1/caller names the key and the roles whose work it may do', async () => {
    const admin = await (await fetch(`${fx.url}/v1/caller`, { headers: { authorization: bearer } })).json();
    assert.deepEqual(admin, { KeyId: fx.admin.id, Role: 'admin', Allows: ['detect', 'train', 'admin'] });
    const detect = await (await fetch(`${fx.url}/v1/caller`, { headers: { authorization: `Bearer ${fx.detectOnly.id}:${fx.detectOnly.secret}` } })).json();
    assert.deepEqual(detect.Allows, ['detect']);
    assert.equal((await fetch(`${fx.url}/v1/caller`)).status, 403);
  });

  test('an upload with a zip member that leaves its folder is refused before anything is imported', async () => {
    await call('CreateProject', { ProjectName: 'shop' });
    const form = new FormData();
    form.append('file', new Blob([zipSync({ 'shirt/a.jpg': new Uint8Array(await jpeg(1)), '../evil.jpg': new Uint8Array(await jpeg(2)) })]), 'bad.zip');
    const answer = await uploadForm(form);
    assert.deepEqual([answer.status, answer.code], [400, 'ERR_MULTIPART_INVALID']);
    assert.match(answer.body.Message, /"\.\.\/evil\.jpg" leaves its folder/);
    assert.deepEqual(fs.readdirSync(path.join(fx.home.tmp, 'uploads')), []);
  });

  test('loose photos need a label field, and a detect-only key may not upload', async () => {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(await jpeg(3))]), 'a.jpg');
    const unlabelled = await uploadForm(form);
    assert.deepEqual([unlabelled.status, unlabelled.code], [400, 'ERR_MULTIPART_INVALID']);
    const denied = await uploadForm(form, 'project=shop', `Bearer ${fx.detectOnly.id}:${fx.detectOnly.secret}`);
    assert.deepEqual([denied.status, denied.code], [403, 'ERR_ROLE_REQUIRED']);
  });

  test('loose photos are imported under the label field sent before them', async () => {
    await call('CreateProject', { ProjectName: 'loose' });
    const form = new FormData();
    form.append('label', 'mug');
    for (const seed of [11, 12]) form.append('file', new Blob([new Uint8Array(await jpeg(seed))]), `mug-${seed}.jpg`);
    form.append('label', 'cup');
    form.append('file', new Blob([new Uint8Array(await jpeg(13))]), 'cup.jpg');
    const answer = await uploadForm(form, 'project=loose&type=TEST');
    assert.deepEqual([answer.status, answer.body.Files], [200, 3]);
    await until(async () => ((await call('DescribeDataset', { DatasetArn: answer.body.DatasetArn })).body.DatasetDescription.Status === 'CREATE_COMPLETE' ? true : undefined), 'the import');
    const images = (await call('ListDatasetImages', { ProjectArn: 'loose' })).body.Images as { Label: string; Split: string; SourceRef: string }[];
    assert.deepEqual(images.map((i) => `${i.Split} ${i.Label}`).sort(), ['test cup', 'test mug', 'test mug']);
    assert.ok(images.every((i) => /^upload:(mug|cup)\//.test(i.SourceRef)), JSON.stringify(images));
  });

  test('the OpenAPI document describes the console routes and operations', async () => {
    const document = await (await fetch(`${fx.url}/v1/openapi.json`, { headers: { authorization: bearer } })).json();
    for (const route of ['/v1/caller', '/v1/thumbnails/{sha256}', '/v1/datasets/upload', '/v1/DescribeDatasetHealth', '/v1/ListDatasetImages', '/v1/ListTestPredictions', '/v1/CreateThresholdVersion', '/v1/DescribeProjectVersionReport', '/v1/versions/export']) {
      assert.ok(document.paths[route], route);
    }
  });

  test('a zip of label folders (wrapped in one folder) is imported in the background and its unpacked copy removed', async () => {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(fx.zip)]), 'catalogue.zip');
    const answer = await uploadForm(form);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(answer.body.Files, fx.labels.length * 8);
    const status = await until(async () => {
      const d = (await call('DescribeDataset', { DatasetArn: answer.body.DatasetArn })).body.DatasetDescription;
      return d.Status.endsWith('IN_PROGRESS') ? undefined : d.Status;
    }, 'the import');
    assert.equal(status, 'CREATE_COMPLETE');
    const labels = (await call('ListDatasetLabels', { DatasetArn: answer.body.DatasetArn })).body.DatasetLabelDescriptions.map((d: { LabelName: string }) => d.LabelName);
    assert.deepEqual(labels.sort(), [...fx.labels].sort());
    await until(async () => (fs.readdirSync(path.join(fx.home.tmp, 'uploads')).length === 0 ? true : undefined), 'the upload folder to go', 10_000);
  });

  test('the health report names uploaded files without server paths and gives their Sha256', async () => {
    const answer = await call('DescribeDatasetHealth', { ProjectArn: 'shop' });
    assert.equal(answer.status, 200);
    assert.equal(answer.body.Labels.length, fx.labels.length);
    assert.equal(answer.body.Images.Train + answer.body.Images.Test, fx.labels.length * 8);
    assert.ok(!JSON.stringify(answer.body).includes(fx.root), 'no server path');
  });

  test('ListDatasetImages pages through the images and a thumbnail is a cached WebP of at most the asked size', async () => {
    const first = await call('ListDatasetImages', { ProjectArn: 'shop', Split: 'train', MaxResults: 5 });
    assert.equal(first.body.Images.length, 5);
    assert.match(first.body.Images[0].SourceRef, /^upload:/);
    const second = await call('ListDatasetImages', { ProjectArn: 'shop', Split: 'train', MaxResults: 5, NextToken: first.body.NextToken });
    assert.notEqual(second.body.Images[0].Sha256, first.body.Images[0].Sha256);
    const sha = first.body.Images[0].Sha256 as string;
    const response = await fetch(`${fx.url}/v1/thumbnails/${sha}?size=96`, { headers: { authorization: bearer } });
    assert.equal(response.headers.get('content-type'), 'image/webp');
    const meta = await sharp(Buffer.from(await response.arrayBuffer())).metadata();
    assert.equal(meta.format, 'webp');
    assert.ok(Math.max(meta.width!, meta.height!) <= 96);
    assert.ok(fs.existsSync(path.join(fx.home.root, 'cache', 'thumbnails', sha.slice(0, 2), `${sha}-96.webp`)));
    assert.equal((await fetch(`${fx.url}/v1/thumbnails/not-a-sha`, { headers: { authorization: bearer } })).status, 400);
  });

  test('ListTestPredictions reproduces the stored macro F1, and CreateThresholdVersion makes a version evaluated at the edited thresholds', async () => {
    const created = await call('CreateProjectVersion', { ProjectArn: 'shop', Backbone: 'tiny' });
    const v1 = created.body.ProjectVersionArn as string;
    const describe = async (arn: string) => (await call('DescribeProjectVersions', { ProjectArn: 'shop' })).body.ProjectVersionDescriptions.find((d: { ProjectVersionArn: string }) => d.ProjectVersionArn === arn);
    const done = await until(async () => ((await describe(v1)).Status === 'TRAINING_IN_PROGRESS' ? undefined : describe(v1)), 'v1 training');
    assert.equal(done.Status, 'TRAINING_COMPLETED', done.StatusMessage);
    const scored = (await call('ListTestPredictions', { ProjectVersionArn: v1 })).body;
    assert.equal(scored.Predictions.length, done.EvaluationSummary.EvaluationDetails.NumberOfTestingImages ?? scored.Predictions.length);
    assert.ok(Math.abs(macroF1(scored.Labels, scored.Predictions, scored.Thresholds) - done.EvaluationResult.F1Score) < 1e-4);

    const label = scored.Labels[0] as string;
    const edited = await call('CreateThresholdVersion', { ProjectVersionArn: v1, Thresholds: { [label]: 99 } });
    assert.equal(edited.status, 200, JSON.stringify(edited.body));
    const v2 = edited.body.ProjectVersionArn as string;
    const second = await until(async () => ((await describe(v2)).Status === 'TRAINING_IN_PROGRESS' ? undefined : describe(v2)), 'v2');
    assert.equal(second.Status, 'TRAINING_COMPLETED', second.StatusMessage);
    const expected = scored.Thresholds.map((t: number, k: number) => (k === 0 ? 0.99 : t));
    const manifest = JSON.parse(fs.readFileSync(path.join(fx.home.projects, 'shop', 'versions', 'v2', 'model.json'), 'utf8'));
    assert.deepEqual(manifest.thresholds, expected);
    assert.ok(Math.abs(macroF1(scored.Labels, scored.Predictions, expected) - second.EvaluationResult.F1Score) < 1e-4);

    const unknown = await call('CreateThresholdVersion', { ProjectVersionArn: v1, Thresholds: { 'no-such-label': 50 } });
    assert.deepEqual([unknown.status, unknown.code], [400, 'ERR_ARGUMENT_INVALID']);
  });

  test('DescribeProjectVersionReport gives a frozen version its tuning report as stored, and no epochs', async () => {
    const answer = await call('DescribeProjectVersionReport', { ProjectVersionArn: 'shop/v1' });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    const stored = JSON.parse(fs.readFileSync(path.join(fx.home.projects, 'shop', 'versions', 'v1', 'tuning.json'), 'utf8'));
    assert.deepEqual(answer.body, { ProjectVersionArn: answer.body.ProjectVersionArn, TrainingMode: 'frozen', TuningReport: stored, EpochHistory: [] });
    assert.match(answer.body.ProjectVersionArn, /project\/shop\/version\/v1\//);
    assert.ok(stored.tried.length > 0 && stored.winner);
    const detect = await call('DescribeProjectVersionReport', { ProjectVersionArn: 'shop/v1' }, `Bearer ${fx.detectOnly.id}:${fx.detectOnly.secret}`);
    assert.equal(detect.status, 200, 'a Describe operation: the detect role may read it');
    const missing = await call('DescribeProjectVersionReport', { ProjectVersionArn: 'shop/v99' });
    assert.deepEqual([missing.status, missing.body.__type], [404, 'ResourceNotFoundException']);
  });

  test('GET /v1/versions/export answers a zip of the export, to the train role only, naming a missing parameter', async () => {
    const response = await fetch(`${fx.url}/v1/versions/export?ProjectVersionArn=shop%2Fv1`, { headers: { authorization: bearer } });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'application/zip');
    assert.equal(response.headers.get('content-disposition'), 'attachment; filename="shop-v1.zip"');
    const files = unzipSync(new Uint8Array(await response.arrayBuffer()));
    assert.deepEqual(Object.keys(files).sort(), ['shop-v1/README.md', 'shop-v1/labels.json', 'shop-v1/model.onnx']);
    const labels = JSON.parse(Buffer.from(files['shop-v1/labels.json']!).toString('utf8'));
    assert.deepEqual([labels.format, labels.version], ['skulens-export/1', 'shop/v1']);
    assert.deepEqual(fs.readdirSync(fx.home.tmp).filter((name) => name.startsWith('export-')), [], 'the temporary export folder is removed');
    const denied = await fetch(`${fx.url}/v1/versions/export?ProjectVersionArn=shop%2Fv1`, { headers: { authorization: `Bearer ${fx.detectOnly.id}:${fx.detectOnly.secret}` } });
    assert.deepEqual([denied.status, denied.headers.get('x-skulens-error-code')], [403, 'ERR_ROLE_REQUIRED']);
    const bare = await fetch(`${fx.url}/v1/versions/export`, { headers: { authorization: bearer } });
    assert.equal(bare.status, 400);
    assert.deepEqual(await bare.json(), { __type: 'InvalidParameterException', Message: 'Invalid request to GET /v1/versions/export: ProjectVersionArn: the query parameter is required' });
  });

  test('the console is served at / without credentials: index.html never cached, hashed assets for a year', async () => {
    const page = await fetch(`${fx.url}/`);
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(page.headers.get('cache-control'), 'no-cache');
    assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'self'/);
    const html = await page.text();
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    assert.ok(asset, html);
    const script = await fetch(`${fx.url}${asset}`);
    assert.equal(script.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.equal(script.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.equal((await fetch(`${fx.url}/some/console/page`)).headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal((await fetch(`${fx.url}/assets/missing.js`)).status, 404);
    assert.equal((await fetch(`${fx.url}/../package.json`)).status === 200 && (await (await fetch(`${fx.url}/../package.json`)).text()).includes('"name": "skulens"'), false);
  });
});
