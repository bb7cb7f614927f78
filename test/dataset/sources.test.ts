import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { importDataset } from '../../src/dataset/index.js';
import { isSkulensError } from '../../src/errors.js';
import { resolveHome, type HomeLayout } from '../../src/home/index.js';
import { Registry } from '../../src/registry/index.js';
import { jpeg, put, tempDir, writeJpegs } from '../helpers/fixtures.js';

interface Setup {
  home: HomeLayout;
  registry: Registry;
  src: string;
  root: string;
}

function setup(t: TestContext): Setup {
  const root = tempDir(t, 'sources');
  const home = resolveHome(path.join(root, 'home'), {});
  const registry = Registry.open(home.database);
  t.after(() => registry.close());
  registry.projects.create('shoes');
  return { home, registry, src: path.join(root, 'src'), root };
}

const meta = (label: string) => ({ confidence: 1, 'class-name': label, type: 'groundtruth/image-classification', 'human-annotated': 'yes', 'creation-date': '2024-05-01T10:00:00', 'job-name': 'labeling-job/shoes' });

test('a CSV imports its rows with labels, keeps extra columns as metadata and resolves paths against its folder', async (t) => {
  const { home, registry, src } = setup(t);
  await writeJpegs(path.join(src, 'img'), 'p', 3, 10);
  put(path.join(src, 'list.csv'), 'path,label,sku,colour\nimg/p-00.jpg,boot,B-1,black\nimg/p-01.jpg,boot,B-2,\n"img/p-02.jpg","sandal, summer",S-9,red\n');
  const report = await importDataset(registry, home, 'shoes', path.join(src, 'list.csv'));
  assert.equal(report.format, 'csv');
  assert.equal(report.imported, 3);
  const entries = registry.entries.list(registry.projects.get('shoes').id);
  const bySource = Object.fromEntries(entries.map((e) => [path.basename(e.source), { label: e.label, metadata: e.metadata }]));
  assert.deepEqual(bySource, {
    'p-00.jpg': { label: 'boot', metadata: { sku: 'B-1', colour: 'black' } },
    'p-01.jpg': { label: 'boot', metadata: { sku: 'B-2' } },
    'p-02.jpg': { label: 'sandal, summer', metadata: { sku: 'S-9', colour: 'red' } },
  });
  assert.equal(entries[0]!.source, path.join(src, 'img', path.basename(entries[0]!.source)));
});

test('CSV column names are configurable and a split column is honoured', async (t) => {
  const { home, registry, src } = setup(t);
  await writeJpegs(path.join(src, 'img'), 'p', 2, 20);
  put(path.join(src, 'list.csv'), 'file,category,split\nimg/p-00.jpg,boot,train\nimg/p-01.jpg,boot,test\n');
  await importDataset(registry, home, 'shoes', path.join(src, 'list.csv'), { columns: { path: 'file', label: 'category' } });
  const splits = registry.entries.list(registry.projects.get('shoes').id).map((e) => [path.basename(e.source), e.split, e.splitOrigin]);
  assert.deepEqual(splits.sort(), [['p-00.jpg', 'train', 'given'], ['p-01.jpg', 'test', 'given']]);
});

test('a CSV without the path and label header is refused with ERR_DATASET_CSV_INVALID at line 1', async (t) => {
  const { home, registry, src } = setup(t);
  put(path.join(src, 'list.csv'), 'img/a.jpg,boot\nimg/b.jpg,boot\n');
  await assert.rejects(importDataset(registry, home, 'shoes', path.join(src, 'list.csv')), (e) => isSkulensError(e, 'ERR_DATASET_CSV_INVALID') && /line 1: the header row needs columns "path" and "label"/.test(e.message));
});

test('a CSV row with a missing cell or an empty label is skipped with its line number; the rest imports', async (t) => {
  const { home, registry, src } = setup(t);
  await writeJpegs(path.join(src, 'img'), 'p', 2, 30);
  put(path.join(src, 'list.csv'), 'path,label\nimg/p-00.jpg,boot\nimg/p-01.jpg\nimg/p-01.jpg,  \n');
  const report = await importDataset(registry, home, 'shoes', path.join(src, 'list.csv'));
  assert.equal(report.imported, 1);
  assert.deepEqual(report.skipped.map((s) => [s.line, s.code]), [[3, 'ERR_DATASET_CSV_INVALID'], [4, 'ERR_DATASET_CSV_INVALID']]);
  assert.match(report.skipped[0]!.reason, /line 3: 1 cells, the header has 2/);
});

test('a manifest imports local source-refs, several label attributes on one line and -metadata fields', async (t) => {
  const { home, registry, src } = setup(t);
  await writeJpegs(path.join(src, 'img'), 'p', 2, 40);
  const lines = [
    { 'source-ref': 'img/p-00.jpg', shoe: 0, 'shoe-metadata': meta('boot') },
    { 'source-ref': 'img/p-01.jpg', shoe: 1, 'shoe-metadata': meta('sandal'), colour: 0, 'colour-metadata': { ...meta('red'), confidence: 0.8 }, shop: 'north' },
  ];
  put(path.join(src, 'train.manifest'), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  const report = await importDataset(registry, home, 'shoes', path.join(src, 'train.manifest'), { split: 'train' });
  assert.equal(report.format, 'manifest');
  assert.deepEqual(report.skipped, []);
  const entries = registry.entries.list(registry.projects.get('shoes').id);
  assert.deepEqual(entries.map((e) => [path.basename(e.source), e.label, e.split]).sort(), [
    ['p-00.jpg', 'boot', 'train'],
    ['p-01.jpg', 'red', 'train'],
    ['p-01.jpg', 'sandal', 'train'],
  ]);
  const red = entries.find((e) => e.label === 'red')!;
  assert.deepEqual(red.metadata, { shop: 'north', confidence: '0.8', 'human-annotated': 'yes', 'creation-date': '2024-05-01T10:00:00', 'job-name': 'labeling-job/shoes' });
});

test('the multi-label manifest form with a class-map gives one entry per label', async (t) => {
  const { home, registry, src } = setup(t);
  await writeJpegs(path.join(src, 'img'), 'p', 1, 50);
  const line = { 'source-ref': 'img/p-00.jpg', tags: [0, 2], 'tags-metadata': { 'class-map': { '0': 'boot', '1': 'sandal', '2': 'leather' }, type: 'groundtruth/image-classification-multilabel', 'human-annotated': 'yes' } };
  put(path.join(src, 'tags.manifest'), JSON.stringify(line) + '\n');
  await importDataset(registry, home, 'shoes', path.join(src, 'tags.manifest'));
  assert.deepEqual(registry.entries.list(registry.projects.get('shoes').id).map((e) => e.label).sort(), ['boot', 'leather']);
});

test('bad manifest lines (malformed JSON, no source-ref, unknown label attribute) are skipped with their line numbers; the rest imports', async (t) => {
  const { home, registry, src } = setup(t);
  await writeJpegs(path.join(src, 'img'), 'p', 2, 60);
  const lines = [
    JSON.stringify({ 'source-ref': 'img/p-00.jpg', shoe: 0, 'shoe-metadata': meta('boot') }),
    '{"source-ref": "img/p-01.jpg", "shoe": 0,',
    JSON.stringify({ shoe: 0, 'shoe-metadata': meta('boot') }),
    JSON.stringify({ 'source-ref': 'img/p-01.jpg', shoe: 0 }),
    JSON.stringify({ 'source-ref': 'img/p-01.jpg', box: 0, 'box-metadata': { ...meta('boot'), type: 'groundtruth/object-detection' } }),
    '',
    JSON.stringify({ 'source-ref': 'img/p-01.jpg', shoe: 1, 'shoe-metadata': meta('sandal') }),
  ];
  put(path.join(src, 'train.manifest'), lines.join('\n'));
  const report = await importDataset(registry, home, 'shoes', path.join(src, 'train.manifest'));
  assert.equal(report.imported, 2);
  assert.deepEqual(report.skipped.map((s) => [s.line, s.code]), [2, 3, 4, 5].map((line) => [line, 'ERR_DATASET_MANIFEST_INVALID']));
  const reasons = report.skipped.map((s) => s.reason);
  assert.match(reasons[0]!, /line 2: malformed JSON/);
  assert.match(reasons[1]!, /line 3: missing "source-ref"/);
  assert.match(reasons[2]!, /line 4: unknown label attribute "shoe"/);
  assert.match(reasons[3]!, /line 5: label attribute "box" is of type "groundtruth\/object-detection"/);
});

test('--label-attribute reads only the named attributes', async (t) => {
  const { home, registry, src } = setup(t);
  await writeJpegs(path.join(src, 'img'), 'p', 1, 70);
  put(path.join(src, 'a.manifest'), JSON.stringify({ 'source-ref': 'img/p-00.jpg', shoe: 0, 'shoe-metadata': meta('boot'), colour: 0, 'colour-metadata': meta('red') }) + '\n');
  await importDataset(registry, home, 'shoes', path.join(src, 'a.manifest'), { labelAttributes: ['shoe'] });
  assert.deepEqual(registry.entries.list(registry.projects.get('shoes').id).map((e) => e.label), ['boot']);
});

test('a file that is neither a folder, a CSV nor a manifest is ERR_DATASET_FORMAT_UNKNOWN', async (t) => {
  const { home, registry, src } = setup(t);
  put(path.join(src, 'list.txt'), 'hello');
  await assert.rejects(importDataset(registry, home, 'shoes', path.join(src, 'list.txt')), (e) => isSkulensError(e, 'ERR_DATASET_FORMAT_UNKNOWN') && /--format/.test(e.message));
  // --format tells it.
  await writeJpegs(path.join(src, 'img'), 'p', 1, 80);
  put(path.join(src, 'list.txt'), 'path,label\nimg/p-00.jpg,boot\n');
  assert.equal((await importDataset(registry, home, 'shoes', path.join(src, 'list.txt'), { format: 'csv' })).imported, 1);
});

test('re-importing a CSV adds only new rows, and a copy of an image under the same label is recorded as an exact duplicate', async (t) => {
  const { home, registry, src } = setup(t);
  await writeJpegs(path.join(src, 'img'), 'p', 2, 90);
  fs.copyFileSync(path.join(src, 'img', 'p-00.jpg'), path.join(src, 'img', 'copy.jpg'));
  put(path.join(src, 'list.csv'), 'path,label\nimg/p-00.jpg,boot\nimg/copy.jpg,boot\n');
  const first = await importDataset(registry, home, 'shoes', path.join(src, 'list.csv'));
  assert.deepEqual([first.imported, first.duplicates], [1, 1]);
  put(path.join(src, 'list.csv'), 'path,label\nimg/p-00.jpg,boot\nimg/copy.jpg,boot\nimg/p-01.jpg,boot\n');
  const second = await importDataset(registry, home, 'shoes', path.join(src, 'list.csv'));
  assert.deepEqual([second.imported, second.duplicates], [1, 2]);
  const issues = registry.entries.listImportIssues(registry.projects.get('shoes').id);
  // Whichever copy was decoded first is the entry; the other is recorded as its duplicate, once.
  assert.deepEqual(issues.map((i) => [i.kind, [path.basename(i.file), path.basename(i.related ?? '')].sort()]), [['exact-duplicate', ['copy.jpg', 'p-00.jpg']]]);
  const entry = registry.entries.list(registry.projects.get('shoes').id).find((e) => e.source === issues[0]!.related);
  assert.ok(entry, 'the duplicate points at the entry that was kept');
});

test('a decompression bomb named by a CSV is refused before pixels are allocated', async (t) => {
  const { home, registry, src } = setup(t);
  const { pngWithClaimedSize } = await import('../helpers/fixtures.js');
  put(path.join(src, 'bomb.png'), pngWithClaimedSize(100_000, 100_000));
  put(path.join(src, 'ok.jpg'), await jpeg(99));
  put(path.join(src, 'list.csv'), 'path,label\nbomb.png,boot\nok.jpg,boot\n');
  const before = process.memoryUsage().rss;
  const report = await importDataset(registry, home, 'shoes', path.join(src, 'list.csv'));
  assert.deepEqual(report.skipped.map((s) => [path.basename(s.file), s.code]), [['bomb.png', 'ERR_IMAGE_TOO_LARGE']]);
  // 100000 x 100000 x 3 bytes would be 30 GB; the refusal comes from the header.
  assert.ok(process.memoryUsage().rss - before < 500 * 1024 * 1024);
  assert.equal(report.imported, 1);
});
