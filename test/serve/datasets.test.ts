// Project and dataset operations through a real server: CreateProject, CreateDataset from a local
// folder (background import), DescribeDataset, ListDatasetLabels, ListDatasetEntries (paginated),
// DistributeDatasetEntries, DescribeProjects, DeleteProject, with their error bodies; and the OpenAPI document.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { generateSyntheticCatalogue } from '../../src/demo/index.js';
import { resolveHome } from '../../src/home/index.js';
import { Registry } from '../../src/registry/index.js';
import { OPERATIONS } from '../../src/serve/index.js';
import { tempDir } from '../helpers/fixtures.js';
import { SkulensError } from '../../src/errors.js';
import { call, startServer, until, type Running } from './helpers.js';

const root = tempDir(undefined, 'serve-datasets');
const home = resolveHome(path.join(root, 'home'), {});
const catalogue = path.join(root, 'catalogue');
let registry: Registry;
let running: Running;
let labels: string[] = [];
let projectArn = '';
let trainArn = '';

before(async () => {
  labels = (await generateSyntheticCatalogue(catalogue, { perLabel: 5, size: 96 })).labels;
  registry = Registry.open(home.database);
  running = await startServer({ home, registry }, {}, { importRoots: [root] });
});
after(async () => {
  await running.server.close();
  registry.close();
});

describe('projects and datasets', () => {
  test('CreateProject answers the project ARN', async () => {
    const answer = await call(running, 'CreateProject', { ProjectName: 'shop' });
    assert.equal(answer.status, 200);
    projectArn = answer.body.ProjectArn;
    assert.equal(projectArn, `arn:aws:rekognition:local:000000000000:project/shop/${Date.parse(registry.projects.get('shop').createdAt)}`);
  });

  test('CreateProject with a taken name is ResourceAlreadyExistsException 409', async () => {
    const answer = await call(running, 'CreateProject', { ProjectName: 'shop' });
    assert.deepEqual([answer.status, answer.body], [409, { __type: 'ResourceAlreadyExistsException', Message: 'Project "shop" already exists' }]);
  });

  test('CreateProject with an invalid name is InvalidParameterException', async () => {
    const answer = await call(running, 'CreateProject', { ProjectName: '../etc' });
    assert.equal(answer.status, 400);
    assert.deepEqual(answer.body, { __type: 'InvalidParameterException', Message: 'Project name "../etc" is invalid: use 1-64 letters, digits, "-", "_" or "."' });
  });

  test('DescribeDataset of a dataset never created is ResourceNotFoundException', async () => {
    const arn = projectArn.replace(/\/(\d+)$/, '/dataset/test/$1');
    const answer = await call(running, 'DescribeDataset', { DatasetArn: arn });
    assert.deepEqual([answer.status, answer.body], [404, { __type: 'ResourceNotFoundException', Message: `Dataset ${arn} does not exist. Create it with CreateDataset` }]);
  });

  test('CreateDataset imports a local folder in the background and DescribeDataset reports it complete with counts', async () => {
    const answer = await call(running, 'CreateDataset', { ProjectArn: projectArn, DatasetType: 'TRAIN', DatasetSource: { Uri: catalogue } });
    assert.equal(answer.status, 200);
    trainArn = answer.body.DatasetArn;
    assert.equal(trainArn, projectArn.replace(/\/(\d+)$/, '/dataset/train/$1'));
    const description = await until(async () => {
      const described = await call(running, 'DescribeDataset', { DatasetArn: trainArn });
      return described.body.DatasetDescription.Status === 'CREATE_COMPLETE' ? described.body.DatasetDescription : undefined;
    }, 'the import');
    // 5 labels x 5 images, split 80/20 per label: 4 train each.
    assert.deepEqual(description.DatasetStats, { LabeledEntries: 20, TotalEntries: 20, TotalLabels: 5, ErrorEntries: 0 });
    assert.equal(description.StatusMessageCode, 'SUCCESS');
    assert.equal(description.StatusMessage, 'Imported 25 new image(s), 0 already there, 0 skipped');
  });

  test('CreateDataset from a folder that does not exist is refused at once, like one outside the import roots', async () => {
    await call(running, 'CreateProject', { ProjectName: 'empty' });
    const missing = path.join(root, 'nowhere');
    const answer = await call(running, 'CreateDataset', { ProjectArn: 'empty', DatasetType: 'TRAIN', DatasetSource: { Uri: missing } });
    assert.equal(answer.status, 403);
    assert.equal(answer.headers.get('x-skulens-error-code'), 'ERR_PATH_NOT_ALLOWED');
    // A path inside the import root is echoed relative to it: the answer names no server path.
    assert.equal(answer.body.Message, new SkulensError('ERR_PATH_NOT_ALLOWED', { path: 'nowhere' }).message);
  });

  test('CreateDataset for a project that does not exist is ResourceNotFoundException', async () => {
    const answer = await call(running, 'CreateDataset', { ProjectArn: 'ghost', DatasetType: 'TRAIN', DatasetSource: { Uri: catalogue } });
    assert.equal(answer.status, 404);
    assert.deepEqual(answer.body, { __type: 'ResourceNotFoundException', Message: 'Project "ghost" does not exist. Create it with `skulens projects create ghost`' });
  });

  test('CreateDataset without a source is InvalidParameterException', async () => {
    const answer = await call(running, 'CreateDataset', { ProjectArn: projectArn, DatasetType: 'TRAIN', DatasetSource: {} });
    assert.deepEqual([answer.status, answer.body], [
      400,
      { __type: 'InvalidParameterException', Message: 'Invalid request to CreateDataset: DatasetSource: give exactly one of Uri, GroundTruthManifest or DatasetArn' },
    ]);
  });

  test('ListDatasetLabels gives each label with its entry count', async () => {
    const answer = await call(running, 'ListDatasetLabels', { DatasetArn: trainArn });
    assert.deepEqual(answer.body, {
      DatasetLabelDescriptions: [...labels].sort().map((label) => ({ LabelName: label, LabelStats: { EntryCount: 4, BoundingBoxCount: 0 } })),
    });
  });

  test('ListDatasetEntries pages through Ground Truth manifest lines with NextToken', async () => {
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const answer = await call(running, 'ListDatasetEntries', { DatasetArn: trainArn, MaxResults: 7, ...(token ? { NextToken: token } : {}) });
      assert.equal(answer.status, 200);
      seen.push(...answer.body.DatasetEntries);
      token = answer.body.NextToken;
      pages += 1;
    } while (token);
    assert.equal(pages, 3);
    assert.equal(new Set(seen).size, 20);
    const line = JSON.parse(seen[0]!);
    assert.equal(line['skulens-label-metadata'].type, 'groundtruth/image-classification');
    assert.ok(labels.includes(line['skulens-label-metadata']['class-name']));
    // Relative to the import root it came from: the server's own paths stay private.
    assert.ok(line['source-ref'].startsWith('catalogue/'), line['source-ref']);
  });

  test('ListDatasetEntries with ContainsLabels lists only that label', async () => {
    const answer = await call(running, 'ListDatasetEntries', { DatasetArn: trainArn, ContainsLabels: [labels[0]] });
    assert.equal(answer.body.DatasetEntries.length, 4);
    for (const line of answer.body.DatasetEntries) assert.equal(JSON.parse(line)['skulens-label-metadata']['class-name'], labels[0]);
  });

  test('ListDatasetEntries with a made-up NextToken is InvalidParameterException', async () => {
    const answer = await call(running, 'ListDatasetEntries', { DatasetArn: trainArn, NextToken: 'bogus' });
    assert.deepEqual([answer.status, answer.body], [400, { __type: 'InvalidParameterException', Message: 'Invalid value for NextToken: not a token from a previous response' }]);
  });

  test('DistributeDatasetEntries re-draws the split with another seed and keeps the counts', async () => {
    const testArn = trainArn.replace('/dataset/train/', '/dataset/test/');
    const before = registry.entries.list(registry.projects.get('shop').id, { split: 'test' }).map((e) => e.sha256).sort();
    const answer = await call(running, 'DistributeDatasetEntries', { Datasets: [{ Arn: trainArn }, { Arn: testArn }], Seed: 99 });
    assert.deepEqual([answer.status, answer.body], [200, {}]);
    const after = registry.entries.list(registry.projects.get('shop').id, { split: 'test' }).map((e) => e.sha256).sort();
    assert.equal(after.length, before.length);
    assert.notDeepEqual(after, before);
  });

  test('DescribeProjects lists projects with their TRAIN and TEST datasets', async () => {
    const answer = await call(running, 'DescribeProjects', { ProjectNames: ['shop'] });
    const [project] = answer.body.ProjectDescriptions;
    assert.equal(project.ProjectArn, projectArn);
    assert.deepEqual(project.Datasets.map((d: { DatasetType: string; Status: string }) => [d.DatasetType, d.Status]), [
      ['TRAIN', 'CREATE_COMPLETE'],
      ['TEST', 'CREATE_COMPLETE'],
    ]);
  });

  test('DescribeProjects pages with MaxResults and NextToken', async () => {
    const first = await call(running, 'DescribeProjects', { MaxResults: 1 });
    assert.equal(first.body.ProjectDescriptions.length, 1);
    const second = await call(running, 'DescribeProjects', { MaxResults: 1, NextToken: first.body.NextToken });
    assert.equal(second.body.ProjectDescriptions.length, 1);
    assert.equal(second.body.NextToken, undefined);
    assert.deepEqual([first.body.ProjectDescriptions[0].ProjectName, second.body.ProjectDescriptions[0].ProjectName], ['empty', 'shop']);
  });

  test('DeleteProject removes the project and a second delete is ResourceNotFoundException', async () => {
    const answer = await call(running, 'DeleteProject', { ProjectArn: projectArn });
    assert.deepEqual([answer.status, answer.body], [200, { Status: 'DELETING' }]);
    const again = await call(running, 'DeleteProject', { ProjectArn: projectArn });
    assert.equal(again.status, 404);
    assert.deepEqual(again.body, { __type: 'ResourceNotFoundException', Message: 'Project "shop" does not exist. Create it with `skulens projects create shop`' });
  });

  test('a body that is not JSON is InvalidParameterException', async () => {
    const response = await fetch(`${running.url}/v1/DescribeProjects`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: running.bearer }, body: '{nope' });
    assert.equal(response.status, 400);
    assert.equal(response.headers.get('x-skulens-error-code'), 'ERR_REQUEST_INVALID');
    const body = (await response.json()) as { __type: string; Message: string };
    assert.deepEqual(Object.keys(body), ['__type', 'Message']);
    assert.equal(body.__type, 'InvalidParameterException');
    // The parser's own words (they differ between Node versions) are quoted in brackets.
    assert.match(body.Message, /^Invalid request to \/v1\/DescribeProjects: the body is not valid JSON \(.+\)$/);
  });

  test('GET /v1/openapi.json documents every operation with the request schema from its zod schema', async () => {
    const document = (await (await fetch(`${running.url}/v1/openapi.json`, { headers: { authorization: running.bearer } })).json()) as {
      openapi: string;
      paths: Record<string, { post: { operationId: string; requestBody: { content: Record<string, { schema: { required?: string[]; properties: Record<string, unknown> } }> } } }>;
    };
    assert.equal(document.openapi, '3.1.0');
    for (const name of Object.keys(OPERATIONS)) assert.equal(document.paths[`/v1/${name}`]?.post.operationId, name);
    const detect = document.paths['/v1/DetectCustomLabels']!.post.requestBody.content['application/json']!.schema;
    assert.deepEqual(detect.required, ['ProjectVersionArn', 'Image']);
    assert.deepEqual(Object.keys(detect.properties), ['ProjectVersionArn', 'Image', 'MinConfidence', 'MaxResults']);
    assert.ok(document.paths['/v1/detect']!.post.requestBody.content['multipart/form-data']);
  });
});
