import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { exportDataset, importDataset } from '../../src/dataset/index.js';
import { resolveHome, type HomeLayout } from '../../src/home/index.js';
import { Registry } from '../../src/registry/index.js';
import { jpeg, put, tempDir, writeJpegs } from '../helpers/fixtures.js';

function setup(t: TestContext): { home: HomeLayout; registry: Registry; root: string; src: string } {
  const root = tempDir(t, 'safety');
  const home = resolveHome(path.join(root, 'home'), {});
  const registry = Registry.open(home.database);
  t.after(() => registry.close());
  registry.projects.create('shoes');
  return { home, registry, root, src: path.join(root, 'src') };
}

test('CSV paths that climb out with ../, absolute paths and symlinks leading out are refused, each naming its line', async (t) => {
  const { home, registry, root, src } = setup(t);
  put(path.join(root, 'secret', 'outside.jpg'), await jpeg(1));
  put(path.join(src, 'inside.jpg'), await jpeg(2));
  fs.symlinkSync(path.join(root, 'secret', 'outside.jpg'), path.join(src, 'link.jpg'));
  fs.symlinkSync(path.join(root, 'secret'), path.join(src, 'linkdir'));
  put(path.join(src, 'list.csv'), ['path,label', 'inside.jpg,boot', '../secret/outside.jpg,boot', `${path.join(root, 'secret', 'outside.jpg')},boot`, 'link.jpg,boot', 'linkdir/outside.jpg,boot', 'file:///etc/passwd,boot'].join('\n'));
  const report = await importDataset(registry, home, 'shoes', path.join(src, 'list.csv'));
  assert.equal(report.imported, 1);
  assert.deepEqual(report.skipped.map((s) => [s.line, s.code]), [3, 4, 5, 6, 7].map((line) => [line, 'ERR_DATASET_PATH_ESCAPES']));
  for (const skipped of report.skipped) assert.match(skipped.reason, new RegExp(`list\\.csv line ${skipped.line}: path ".+" escapes the dataset root`));
  assert.deepEqual(registry.entries.list(registry.projects.get('shoes').id).map((e) => path.basename(e.source)), ['inside.jpg']);
});

test('manifest source-refs that climb out or are absolute are refused with their line numbers', async (t) => {
  const { home, registry, root, src } = setup(t);
  put(path.join(root, 'outside.jpg'), await jpeg(3));
  await writeJpegs(path.join(src, 'img'), 'p', 1, 4);
  const meta = { 'class-name': 'boot', type: 'groundtruth/image-classification' };
  const lines = [
    { 'source-ref': 'img/p-00.jpg', a: 0, 'a-metadata': meta },
    { 'source-ref': '../outside.jpg', a: 0, 'a-metadata': meta },
    { 'source-ref': path.join(root, 'outside.jpg'), a: 0, 'a-metadata': meta },
    { 'source-ref': 'img/../../outside.jpg', a: 0, 'a-metadata': meta },
  ];
  put(path.join(src, 'x.manifest'), lines.map((l) => JSON.stringify(l)).join('\n'));
  const report = await importDataset(registry, home, 'shoes', path.join(src, 'x.manifest'));
  assert.equal(report.imported, 1);
  assert.deepEqual(report.skipped.map((s) => [s.line, s.code]), [[2, 'ERR_DATASET_PATH_ESCAPES'], [3, 'ERR_DATASET_PATH_ESCAPES'], [4, 'ERR_DATASET_PATH_ESCAPES']]);
});

test('a manifest export copies the images beside it and imports back to the same entries, metadata included', async (t) => {
  const { home, registry, root, src } = setup(t);
  await writeJpegs(path.join(src, 'img'), 'p', 4, 10);
  const meta = (label: string) => ({ 'class-name': label, confidence: 1, type: 'groundtruth/image-classification', 'human-annotated': 'yes', 'creation-date': '2024-02-02T00:00:00', 'job-name': 'shoes-job' });
  const lines = [
    { 'source-ref': 'img/p-00.jpg', a: 0, 'a-metadata': meta('boot'), sku: 'B1' },
    { 'source-ref': 'img/p-01.jpg', a: 0, 'a-metadata': meta('boot'), b: 0, 'b-metadata': meta('black') },
    { 'source-ref': 'img/p-02.jpg', a: 1, 'a-metadata': meta('sandal') },
    { 'source-ref': 'img/p-03.jpg', a: 1, 'a-metadata': meta('sandal') },
  ];
  put(path.join(src, 'in.manifest'), lines.map((l) => JSON.stringify(l)).join('\n'));
  await importDataset(registry, home, 'shoes', path.join(src, 'in.manifest'));
  const out = path.join(root, 'out', 'shoes.manifest');
  const report = await exportDataset(registry, home, 'shoes', out, { format: 'manifest' });
  assert.deepEqual([report.entries, report.images], [5, 4]);
  assert.equal(fs.readdirSync(path.join(root, 'out', 'images')).length, 4);
  registry.projects.create('back');
  await importDataset(registry, home, 'back', out);
  const view = (project: string) => registry.entries.list(registry.projects.get(project).id).map((e) => [e.sha256, e.label, e.split, e.metadata]);
  assert.deepEqual(view('back'), view('shoes'));
});

test('a CSV export imports back to the same entries, metadata included', async (t) => {
  const { home, registry, root, src } = setup(t);
  await writeJpegs(path.join(src, 'img'), 'p', 3, 20);
  put(path.join(src, 'in.csv'), 'path,label,sku,note\nimg/p-00.jpg,boot,B1,"has, comma"\nimg/p-01.jpg,boot,B2,\nimg/p-02.jpg,sandal,,\n');
  await importDataset(registry, home, 'shoes', path.join(src, 'in.csv'));
  const out = path.join(root, 'out', 'shoes.csv');
  await exportDataset(registry, home, 'shoes', out, { format: 'csv' });
  registry.projects.create('back');
  await importDataset(registry, home, 'back', out);
  const view = (project: string) => registry.entries.list(registry.projects.get(project).id).map((e) => [e.sha256, e.label, e.split, e.metadata]);
  assert.deepEqual(view('back'), view('shoes'));
});
