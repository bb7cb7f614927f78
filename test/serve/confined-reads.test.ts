// A folder swapped for a symlink after the import-root check reads nothing from outside the root
// (issue 26, finding 2). The race is taken apart deterministically: a listing (the check) is made, the
// swap is done, then the read (the use) must refuse with ERR_PATH_CHANGED, for folder imports, CSV
// references, batch sources and the checked root itself. Through a real server, a CreateDataset or a
// batch whose source is swapped right after the 200 imports or predicts nothing from outside.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { listDataset, sha256Hex } from '../../src/dataset/index.js';
import { isSkulensError } from '../../src/errors.js';
import { sourceItems } from '../../src/predict/index.js';
import { tempDir, writeJpegs } from '../helpers/fixtures.js';
import { call, startServer, statusOf, trainedFixture, until, type Fixture, type Running } from './helpers.js';

let fixture: Fixture;
let running: Running;
let root: string;
let outside: string;
let secrets: Set<string>;

const noS3 = () => {
  throw new Error('no S3 here');
};

before(async () => {
  fixture = await trainedFixture('serve-confined');
  root = path.join(fixture.root, 'root');
  fs.mkdirSync(root);
  // Outside every import root: photos nobody may read through the server, and a label folder of them.
  outside = tempDir(undefined, 'outside');
  const files = await writeJpegs(path.join(outside, 'boot'), 'secret', 6, 900);
  await writeJpegs(path.join(outside, 'shoe'), 'secret', 6, 950);
  secrets = new Set([...files, ...fs.readdirSync(path.join(outside, 'shoe')).map((f) => path.join(outside, 'shoe', f))].map((f) => sha256Hex(fs.readFileSync(f))));
  running = await startServer(fixture, {}, { importRoots: [root] });
  assert.equal((await call(running, 'StartProjectVersion', { ProjectVersionArn: fixture.arn })).status, 200);
  await statusOf(running, fixture.arn, 'RUNNING');
});
after(async () => {
  await running.server.close();
  fixture.registry.close();
});

/** A copy of the catalogue under the import root. */
function catalogueCopy(name: string): string {
  const dir = path.join(root, name);
  fs.cpSync(fixture.catalogue, dir, { recursive: true });
  return dir;
}

let mirrors = 0;
/** A folder outside the roots with the same file names as `dir`, holding other photos (what an attacker links to). */
function mirrorOf(dir: string): string {
  const mirror = path.join(outside, `mirror-${(mirrors += 1)}`);
  fs.mkdirSync(mirror);
  const secret = fs.readdirSync(path.join(outside, 'boot'));
  fs.readdirSync(dir).forEach((name, i) => fs.copyFileSync(path.join(outside, 'boot', secret[i % secret.length]!), path.join(mirror, name)));
  return mirror;
}

/** Replaces `dir` by a symlink to `target` (the attacker's move). */
function swap(dir: string, target: string): void {
  fs.renameSync(dir, `${dir}.moved`);
  fs.symlinkSync(target, dir);
}

const changed = (error: unknown): boolean => isSkulensError(error, 'ERR_PATH_CHANGED');

test('a label folder swapped for a symlink between the listing and the read reads nothing: ERR_PATH_CHANGED', async () => {
  const dir = catalogueCopy('listed');
  const { listing } = await listDataset(dir, {}, noS3);
  const label = fixture.labels[0]!;
  swap(path.join(dir, label), mirrorOf(path.join(dir, label)));
  for (const item of listing.items) {
    if (item.labels[0]!.label === label) await assert.rejects(item.read(), changed, item.ref);
    else assert.ok((await item.read()).length > 0);
  }
});

test('a CSV reference whose folder is swapped after the listing reads nothing', async () => {
  const dir = catalogueCopy('csv');
  const label = fixture.labels[1]!;
  const rows = fs.readdirSync(path.join(dir, label)).map((f) => `${label}/${f},${label}`);
  fs.writeFileSync(path.join(dir, 'labels.csv'), `path,label\n${rows.join('\n')}\n`);
  const { listing } = await listDataset(path.join(dir, 'labels.csv'), {}, noS3);
  swap(path.join(dir, label), mirrorOf(path.join(dir, label)));
  for (const item of listing.items) await assert.rejects(item.read(), changed, item.ref);
});

test('a batch source listed, then swapped, loads nothing from outside', async () => {
  const dir = catalogueCopy('batch-listed');
  const items = [];
  for await (const item of sourceItems(dir)) items.push(item);
  swap(path.join(dir, fixture.labels[0]!), mirrorOf(path.join(dir, fixture.labels[0]!)));
  for (const item of items) {
    if (item.image.includes(`${path.sep}${fixture.labels[0]}${path.sep}`)) await assert.rejects(item.load(), changed, item.image);
  }
});

test('a checked root swapped before the walk is refused, for imports and for batches', async () => {
  const dir = catalogueCopy('checked');
  const { dev, ino } = fs.statSync(dir);
  const identity = { dev, ino };
  swap(dir, outside);
  await assert.rejects(listDataset(dir, { checked: identity }, noS3), changed);
  await assert.rejects((async () => {
    for await (const _item of sourceItems(dir, undefined, { checked: identity })) break;
  })(), changed);
});

test('CreateDataset whose folder is swapped for a symlink right after the 200 imports nothing from outside', async () => {
  await call(running, 'CreateProject', { ProjectName: 'raced' });
  const dir = catalogueCopy('raced');
  const answer = await call(running, 'CreateDataset', { ProjectArn: 'raced', DatasetType: 'TRAIN', DatasetSource: { Uri: dir } });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  swap(dir, outside);
  const state = await until(async () => {
    const d = await call(running, 'DescribeDataset', { DatasetArn: answer.body.DatasetArn });
    return d.body.DatasetDescription.Status.endsWith('IN_PROGRESS') ? undefined : d.body.DatasetDescription;
  }, 'the import');
  const imported = fixture.registry.entries.list(fixture.registry.projects.get('raced').id);
  assert.deepEqual(imported.filter((e) => secrets.has(e.sha256)), []);
  assert.equal(state.Status, 'CREATE_FAILED');
  assert.equal(state.StatusMessage, 'raced changed after it was checked (it is no longer the regular file or folder inside the import root that was checked); nothing of it was read');
});

test('a batch whose source is swapped for a symlink right after the 200 predicts nothing from outside', async () => {
  const dir = catalogueCopy('batch-raced');
  const answer = await call(running, 'batches', { ProjectVersionArn: fixture.arn, Source: dir });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  swap(dir, path.join(outside, 'boot'));
  const status = await until(async () => {
    const s = await (await fetch(`${running.url}/v1/batches/${answer.body.BatchId}`, { headers: { authorization: running.bearer } })).json();
    return s.Status === 'IN_PROGRESS' ? undefined : s;
  }, 'the batch');
  const results = await (await fetch(`${running.url}/v1/batches/${answer.body.BatchId}/results`, { headers: { authorization: running.bearer } })).text();
  const lines = results.split('\n').filter(Boolean).map((line) => JSON.parse(line) as { Image: string; CustomLabels?: unknown });
  assert.deepEqual(lines.filter((line) => line.Image.includes('secret') && line.CustomLabels), [], JSON.stringify(status));
  assert.ok(!results.includes(root), 'results name images relative to the import root');
});
