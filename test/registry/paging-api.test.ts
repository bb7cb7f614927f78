// ListDatasetEntries pages by key through a real server: NextToken is a cursor on (label, sha256), so
// a client walking a dataset of thousands of entries sees each exactly once even while an import adds
// entries between its pages (an offset would repeat or skip the ones shifted past it).
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { resolveHome } from '../../src/home/index.js';
import { Registry, datasetArn, type NewEntry } from '../../src/registry/index.js';
import { tempDir } from '../helpers/fixtures.js';
import { call, startServer, type Running } from '../serve/helpers.js';

const LABELS = ['boot', 'clog', 'sandal', 'sneaker', 'slipper'];

function entry(n: number): NewEntry {
  // sha256 values out of insertion order, so later entries land between earlier ones in key order.
  const sha256 = ((n * 2654435761) >>> 0).toString(16).padStart(8, '0') + n.toString(16).padStart(56, '0');
  return {
    sha256,
    blob: `blobs/${sha256.slice(0, 2)}/${sha256}.jpg`,
    source: `s3://shop/photos/${n}.jpg`,
    label: LABELS[n % LABELS.length]!,
    split: 'train',
    splitOrigin: 'auto',
    format: 'jpeg',
    width: 64,
    height: 64,
    bytes: 100,
    dhash: '0000000000000000',
    metadata: null,
  };
}

const root = tempDir(undefined, 'paging-api');
const home = resolveHome(path.join(root, 'home'), {});
let registry: Registry;
let running: Running;
let projectId = 0;
let trainArn = '';

before(async () => {
  registry = Registry.open(home.database);
  const project = registry.projects.create('shop');
  projectId = project.id;
  trainArn = datasetArn(project, 'TRAIN');
  registry.entries.add(project.id, Array.from({ length: 3000 }, (_, n) => entry(n)));
  running = await startServer({ home, registry });
});
after(async () => {
  await running.server.close();
  registry.close();
});

const sourceOf = (line: string): string => JSON.parse(line)['source-ref'] as string;

test('ListDatasetEntries walks 3,000 entries with no repeat or gap while entries are added between pages', async () => {
  const before = new Set(registry.entries.list(projectId, { split: 'train' }).map((e) => e.source));
  const seen: string[] = [];
  let token: string | undefined;
  let next = 3000;
  let pages = 0;
  do {
    const answer = await call(running, 'ListDatasetEntries', { DatasetArn: trainArn, MaxResults: 100, ...(token ? { NextToken: token } : {}) });
    assert.equal(answer.status, 200);
    seen.push(...(answer.body.DatasetEntries as string[]).map(sourceOf));
    token = answer.body.NextToken;
    pages += 1;
    // An import lands between pages: 7 entries spread over the key order (before and after the cursor).
    registry.entries.add(projectId, Array.from({ length: 7 }, () => entry(next++)));
  } while (token);
  assert.equal(new Set(seen).size, seen.length, 'an entry was listed twice');
  for (const source of before) assert.ok(seen.includes(source), `${source} was skipped`);
  // Every entry listed exists, and the walk ends: added entries after the cursor may appear, not more.
  const now = new Set(registry.entries.list(projectId, { split: 'train' }).map((e) => e.source));
  for (const source of seen) assert.ok(now.has(source));
  assert.ok(pages >= 30, `${pages} pages`);
  assert.ok(seen.length > before.size, 'entries added after the cursor are listed too');
});

test('ListDatasetEntries pages a label filter and a multi-label filter by key too', async () => {
  for (const filter of [{ ContainsLabels: ['clog'] }, { ContainsLabels: ['clog', 'boot'] }, { SourceRefContains: 'photos/1' }]) {
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const answer = await call(running, 'ListDatasetEntries', { DatasetArn: trainArn, MaxResults: 100, ...filter, ...(token ? { NextToken: token } : {}) });
      assert.equal(answer.status, 200);
      seen.push(...(answer.body.DatasetEntries as string[]).map(sourceOf));
      token = answer.body.NextToken;
    } while (token);
    const expected = registry.entries
      .list(projectId, { split: 'train' })
      .filter((e) => (!filter.ContainsLabels || filter.ContainsLabels.includes(e.label)) && (!filter.SourceRefContains || e.source.includes(filter.SourceRefContains)))
      .map((e) => e.source);
    assert.deepEqual(seen, expected, JSON.stringify(filter));
  }
});

test('an offset token from before this change is refused as not a token from a previous response', async () => {
  const answer = await call(running, 'ListDatasetEntries', { DatasetArn: trainArn, NextToken: Buffer.from('o:100').toString('base64url') });
  assert.deepEqual([answer.status, answer.body], [400, { __type: 'InvalidParameterException', Message: 'Invalid value for NextToken: not a token from a previous response' }]);
});
