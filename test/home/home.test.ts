import { spawnSync } from 'node:child_process';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { blobPath, publishDirAtomic, resolveHome, sweepTemp, versionDir, writeFileAtomic, writeFileAtomicSync } from '../../src/home/index.js';
import { killMidWrite, tempDir, tempNames } from '../helpers/fixtures.js';

test('resolveHome prefers the explicit folder over SKULENS_HOME and resolves it to an absolute path', () => {
  const home = resolveHome('relative/home', { SKULENS_HOME: '/elsewhere' });
  assert.equal(home.root, path.resolve('relative/home'));
  assert.equal(home.database, path.join(home.root, 'skulens.db'));
  assert.equal(home.blobs, path.join(home.root, 'blobs'));
  assert.equal(home.embeddingCache, path.join(home.root, 'cache', 'embeddings'));
  assert.equal(home.models, path.join(home.root, 'models'));
  assert.equal(home.tmp, path.join(home.root, 'tmp'));
});

test('resolveHome falls back to SKULENS_HOME, then to ~/.skulens', () => {
  assert.equal(resolveHome(undefined, { SKULENS_HOME: '/data/sku' }).root, '/data/sku');
  assert.equal(resolveHome(undefined, {}).root, path.join(os.homedir(), '.skulens'));
});

test('SKULENS_MODELS moves the models folder out of the home', () => {
  assert.equal(resolveHome('/h', { SKULENS_MODELS: '/shared/models' }).models, '/shared/models');
});

test('blobPath shards by the first two hex digits and versionDir nests under the project', () => {
  const home = resolveHome('/h', {});
  assert.equal(blobPath(home, 'abcdef0123', 'jpg'), '/h/blobs/ab/abcdef0123.jpg');
  assert.equal(versionDir(home, 'shoes', 'v3'), '/h/projects/shoes/versions/v3');
});

test('writeFileAtomic replaces the content of an existing file and leaves no temp file', async (t) => {
  const dir = tempDir(t, 'atomic');
  const target = path.join(dir, 'data.json');
  fs.writeFileSync(target, 'old content that is longer than the new one');
  await writeFileAtomic(target, 'new');
  assert.equal(fs.readFileSync(target, 'utf8'), 'new');
  assert.deepEqual(fs.readdirSync(dir), ['data.json']);
});

test('writeFileAtomic creates missing parent folders and writes bytes exactly', async (t) => {
  const dir = tempDir(t, 'atomic');
  const target = path.join(dir, 'a', 'b', 'blob.bin');
  const bytes = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7) % 256);
  await writeFileAtomic(target, bytes);
  assert.deepEqual(new Uint8Array(fs.readFileSync(target)), bytes);
  assert.deepEqual(tempNames(path.dirname(target)), []);
});

test('writeFileAtomicSync replaces the content and leaves no temp file', (t) => {
  const dir = tempDir(t, 'atomic');
  const target = path.join(dir, 'x.txt');
  fs.writeFileSync(target, 'old');
  writeFileAtomicSync(target, 'fresh');
  assert.equal(fs.readFileSync(target, 'utf8'), 'fresh');
  assert.deepEqual(fs.readdirSync(dir), ['x.txt']);
});

test('publishDirAtomic puts the built folder in place with every file the build wrote', async (t) => {
  const dir = tempDir(t, 'publish');
  const target = path.join(dir, 'versions', 'v1');
  await publishDirAtomic(target, async (temp) => {
    fs.writeFileSync(path.join(temp, 'a.json'), '{"a":1}');
    fs.writeFileSync(path.join(temp, 'b.bin'), Buffer.from([1, 2, 3]));
  });
  assert.deepEqual(fs.readdirSync(target).sort(), ['a.json', 'b.bin']);
  assert.deepEqual(tempNames(path.dirname(target)), []);
});

test('a failing publishDirAtomic build leaves the target untouched and removes its temp folder', async (t) => {
  const dir = tempDir(t, 'publish');
  const target = path.join(dir, 'v1');
  fs.mkdirSync(target);
  fs.writeFileSync(path.join(target, 'model.json'), 'original');
  await assert.rejects(
    publishDirAtomic(target, async (temp) => {
      fs.writeFileSync(path.join(temp, 'model.json'), 'half-built');
      throw new Error('build broke');
    }),
    /build broke/,
  );
  assert.deepEqual(fs.readdirSync(target), ['model.json']);
  assert.equal(fs.readFileSync(path.join(target, 'model.json'), 'utf8'), 'original');
  assert.deepEqual(fs.readdirSync(dir), ['v1']);
});

test('a failing publishDirAtomic build for a new target creates nothing', async (t) => {
  const dir = tempDir(t, 'publish');
  await assert.rejects(publishDirAtomic(path.join(dir, 'v2'), async () => Promise.reject(new Error('no'))), /no/);
  assert.deepEqual(fs.readdirSync(dir), []);
});

test('sweepTemp removes temp files and folders of dead writers and keeps everything else', async (t) => {
  const dir = tempDir(t, 'sweep');
  const dead = spawnSync(process.execPath, ['-e', '']).pid; // a pid whose process has exited
  fs.writeFileSync(path.join(dir, `.data.json.${dead}.abcd0123.tmp`), 'partial');
  fs.mkdirSync(path.join(dir, `.v1.${dead}.abcd0123.tmp`));
  fs.writeFileSync(path.join(dir, `.v1.${dead}.abcd0123.tmp`, 'head.bin'), 'x');
  fs.writeFileSync(path.join(dir, `.live.json.${process.pid}.abcd0123.tmp`), 'a live writer is mid-write');
  fs.writeFileSync(path.join(dir, 'data.json'), 'kept');
  fs.writeFileSync(path.join(dir, '.hidden'), 'kept');
  fs.writeFileSync(path.join(dir, 'visible.tmp'), 'kept');
  assert.equal(await sweepTemp(dir), 2);
  assert.deepEqual(fs.readdirSync(dir).sort(), ['.hidden', `.live.json.${process.pid}.abcd0123.tmp`, 'data.json', 'visible.tmp']);
});

test('sweepTemp of a missing folder removes nothing and does not throw', async (t) => {
  assert.equal(await sweepTemp(path.join(tempDir(t, 'sweep'), 'absent')), 0);
});

test('a process SIGKILLed in the middle of writeFileAtomic leaves the old content exactly', async (t) => {
  const dir = tempDir(t, 'kill');
  const target = path.join(dir, 'catalogue.json');
  const old = Buffer.from(`${JSON.stringify({ labels: ['boot', 'sandal'], note: 'old' })}\n`);
  fs.writeFileSync(target, old);

  const { signal, bytesSeen, stdout } = await killMidWrite(target, 768);

  assert.equal(signal, 'SIGKILL', `the child finished before it was killed: ${stdout}`);
  assert.ok(bytesSeen > 0, 'the temp file never received bytes');
  assert.deepEqual(fs.readFileSync(target), old);
  // The half-written temp file is what the kill left; sweepTemp clears it.
  assert.equal(tempNames(dir).length, 1);
  assert.equal(await sweepTemp(dir), 1);
  assert.deepEqual(fs.readdirSync(dir), ['catalogue.json']);
});
