import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test, type TestContext } from 'node:test';
import { exportDataset, importDataset } from '../../src/dataset/index.js';
import { isSkulensError } from '../../src/errors.js';
import { resolveHome, type HomeLayout } from '../../src/home/index.js';
import { Registry } from '../../src/registry/index.js';
import type { S3Store } from '../../src/storage/index.js';
import { jpeg, tempDir } from '../helpers/fixtures.js';
import { startS3Server, type S3Server } from '../helpers/s3.js';

let server: S3Server;
before(async () => {
  server = await startS3Server();
  await server.createBucket('shop-photos');
  for (let i = 0; i < 3; i += 1) {
    await server.put('shop-photos', `folder/train/boot/b${i}.jpg`, await jpeg(500 + i));
    await server.put('shop-photos', `folder/train/sandal/s${i}.jpg`, await jpeg(600 + i));
  }
  await server.put('shop-photos', 'folder/test/boot/t0.jpg', await jpeg(700));
  await server.put('shop-photos', 'folder/test/sandal/t1.jpg', await jpeg(701));
  await server.put('shop-photos', 'folder/test/sandal/broken.jpg', 'not a photo');
});
after(() => server.stop());

function setup(t: TestContext): { home: HomeLayout; registry: Registry; store: S3Store } {
  const home = resolveHome(path.join(tempDir(t, 's3-import'), 'home'), {});
  const registry = Registry.open(home.database);
  const store = server.store({ cacheDir: home.s3Cache, tmpDir: home.tmp });
  t.after(() => {
    store.destroy();
    registry.close();
  });
  registry.projects.create('shoes');
  return { home, registry, store };
}

test('an S3 prefix laid out as train/ and test/ folders per label imports into the blob store, bad objects skipped', async (t) => {
  const { home, registry, store } = setup(t);
  const report = await importDataset(registry, home, 'shoes', 's3://shop-photos/folder', { storage: store });
  assert.equal(report.format, 'folder');
  assert.equal(report.imported, 8);
  assert.deepEqual(report.skipped.map((s) => [s.file, s.code]), [['s3://shop-photos/folder/test/sandal/broken.jpg', 'ERR_IMAGE_FORMAT_UNSUPPORTED']]);
  assert.deepEqual(report.labels, { boot: { train: 3, test: 1 }, sandal: { train: 3, test: 1 } });
  const entries = registry.entries.list(registry.projects.get('shoes').id);
  assert.ok(entries.every((e) => e.source.startsWith('s3://shop-photos/folder/') && fs.existsSync(path.join(home.root, e.blob))));
});

test('a re-import of an S3 prefix is served from the ETag cache and adds nothing', async (t) => {
  const { home, registry, store } = setup(t);
  await importDataset(registry, home, 'shoes', 's3://shop-photos/folder/', { storage: store });
  const cached = fs.readdirSync(home.s3Cache, { recursive: true }).length;
  const again = await importDataset(registry, home, 'shoes', 's3://shop-photos/folder/', { storage: store });
  assert.deepEqual([again.imported, again.duplicates], [0, 8]);
  assert.equal(fs.readdirSync(home.s3Cache, { recursive: true }).length, cached);
});

test('a manifest in S3 reads s3:// source-refs and refs relative to its own folder, and refuses refs that climb out', async (t) => {
  const { home, registry, store } = setup(t);
  const meta = (label: string) => ({ 'class-name': label, confidence: 1, type: 'groundtruth/image-classification', 'human-annotated': 'yes', 'creation-date': '2024-01-01', 'job-name': 'j' });
  const lines = [
    { 'source-ref': 's3://shop-photos/folder/train/boot/b0.jpg', shoe: 0, 'shoe-metadata': meta('boot') },
    { 'source-ref': 'train/sandal/s0.jpg', shoe: 1, 'shoe-metadata': meta('sandal') },
    { 'source-ref': '../elsewhere/x.jpg', shoe: 1, 'shoe-metadata': meta('sandal') },
    { 'source-ref': 's3://shop-photos/folder/missing.jpg', shoe: 1, 'shoe-metadata': meta('sandal') },
  ];
  await server.put('shop-photos', 'folder/train.manifest', lines.map((l) => JSON.stringify(l)).join('\n'));
  const report = await importDataset(registry, home, 'shoes', 's3://shop-photos/folder/train.manifest', { storage: store });
  assert.equal(report.format, 'manifest');
  assert.equal(report.imported, 2);
  assert.deepEqual(report.skipped.map((s) => [s.line, s.code]), [[3, 'ERR_DATASET_PATH_ESCAPES'], [4, 'ERR_S3_NOT_FOUND']]);
  assert.match(report.skipped[0]!.reason, /line 3: path "\.\.\/elsewhere\/x\.jpg" escapes the dataset root s3:\/\/shop-photos\/folder\//);
});

test('an export to S3 uploads the images and a manifest that imports back to the same entries', async (t) => {
  const { home, registry, store } = setup(t);
  await importDataset(registry, home, 'shoes', 's3://shop-photos/folder/', { storage: store });
  const exported = await exportDataset(registry, home, 'shoes', 's3://shop-photos/export/shoes.manifest', { format: 'manifest', storage: store });
  assert.equal(exported.images, 8);
  registry.projects.create('copy');
  await importDataset(registry, home, 'copy', 's3://shop-photos/export/shoes.manifest', { storage: store });
  const key = (project: string) => registry.entries.list(registry.projects.get(project).id).map((e) => `${e.sha256} ${e.label} ${e.split}`).sort();
  assert.deepEqual(key('copy'), key('shoes'));
});

test('an s3:// source with an invalid bucket name is ERR_S3_URI_INVALID', async (t) => {
  const { home, registry, store } = setup(t);
  await assert.rejects(importDataset(registry, home, 'shoes', 's3://Bad_Bucket/x', { storage: store }), (e) => isSkulensError(e, 'ERR_S3_URI_INVALID'));
});

test('without the owner handing over an S3 store, an s3:// import or export is ERR_S3_NOT_CONFIGURED (no store is made from the process environment)', async (t) => {
  const { home, registry, store } = setup(t);
  await assert.rejects(importDataset(registry, home, 'shoes', 's3://shop-photos/folder/'), (e) => isSkulensError(e, 'ERR_S3_NOT_CONFIGURED') && e.message.includes('s3://shop-photos/folder/'));
  await importDataset(registry, home, 'shoes', 's3://shop-photos/folder/', { storage: () => store });
  await assert.rejects(exportDataset(registry, home, 'shoes', 's3://shop-photos/export/x.manifest', { format: 'manifest' }), (e) => isSkulensError(e, 'ERR_S3_NOT_CONFIGURED'));
});
