import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { isSkulensError } from '../../src/errors.js';
import { Limiter, S3Store, parseS3Uri, resolveKeyInside, s3SettingsFromEnv } from '../../src/storage/index.js';
import { tempDir } from '../helpers/fixtures.js';
import { startS3Server, type S3Server } from '../helpers/s3.js';

let server: S3Server;
before(async () => {
  server = await startS3Server();
  await server.createBucket('shop-photos');
});
after(() => server.stop());

function store(prefix: string, concurrency?: number): { store: S3Store; cacheDir: string } {
  const root = tempDir(undefined, prefix);
  const dirs = { cacheDir: path.join(root, 'cache'), tmpDir: path.join(root, 'tmp') };
  const s = server.store(dirs, concurrency);
  after(() => s.destroy());
  return { store: s, cacheDir: dirs.cacheDir };
}

const files = (dir: string): string[] => (fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => d.name) : []);

test('listing a prefix pages through every object in key order, with sizes and ETags', async () => {
  for (let i = 0; i < 5; i += 1) await server.put('shop-photos', `list/boot/${i}.jpg`, `photo ${i}`);
  await server.put('shop-photos', 'other/x.jpg', 'not listed');
  const { store: s } = store('s3-list');
  const listed = [];
  for await (const object of s.list({ bucket: 'shop-photos', key: 'list/' }, 2)) listed.push(object);
  assert.deepEqual(listed.map((o) => o.key), [0, 1, 2, 3, 4].map((i) => `list/boot/${i}.jpg`));
  assert.ok(listed.every((o) => o.size === 7 && /^"[0-9a-f]{32}"$/.test(o.etag)));
});

test('a downloaded object is cached by ETag, so a second download with the same ETag makes no request', async () => {
  await server.put('shop-photos', 'cache/a.jpg', 'first version');
  const { store: s, cacheDir } = store('s3-cache');
  const location = { bucket: 'shop-photos', key: 'cache/a.jpg' };
  const known = await s.head(location);
  assert.equal((await s.download(location, { known })).toString(), 'first version');
  assert.equal(files(cacheDir).length, 1);
  // The object changes on the server; the old ETag still names the cached bytes, which no request could return now.
  await server.put('shop-photos', 'cache/a.jpg', 'second version');
  assert.equal((await s.download(location, { known })).toString(), 'first version');
  assert.equal((await s.download(location)).toString(), 'second version');
  assert.equal(files(cacheDir).length, 2);
});

test('an object larger than maxBytes is refused with ERR_S3_OBJECT_TOO_LARGE and not cached', async () => {
  await server.put('shop-photos', 'big/b.jpg', Buffer.alloc(2048));
  const { store: s, cacheDir } = store('s3-big');
  await assert.rejects(s.download({ bucket: 'shop-photos', key: 'big/b.jpg' }, { maxBytes: 1024 }), (e) => isSkulensError(e, 'ERR_S3_OBJECT_TOO_LARGE') && e.message.includes('s3://shop-photos/big/b.jpg'));
  // A listing that under-reports the size is caught while streaming.
  await assert.rejects(s.download({ bucket: 'shop-photos', key: 'big/b.jpg' }, { maxBytes: 1024, known: { etag: '', size: 10 } }), (e) => isSkulensError(e, 'ERR_S3_OBJECT_TOO_LARGE'));
  assert.deepEqual(files(cacheDir), []);
});

test('a missing object or bucket is ERR_S3_NOT_FOUND naming the URI', async () => {
  const { store: s } = store('s3-missing');
  await assert.rejects(s.download({ bucket: 'shop-photos', key: 'nope.jpg' }), (e) => isSkulensError(e, 'ERR_S3_NOT_FOUND') && e.message.includes('s3://shop-photos/nope.jpg'));
  await assert.rejects(async () => {
    for await (const _ of s.list({ bucket: 'no-such-bucket', key: '' })) void _;
  }, (e) => isSkulensError(e, 'ERR_S3_NOT_FOUND') && /bucket "no-such-bucket"/.test(e.message));
});

test('an uploaded object downloads with the same bytes', async () => {
  const { store: s } = store('s3-upload');
  const bytes = Buffer.from([0, 1, 2, 254, 255]);
  await s.upload({ bucket: 'shop-photos', key: 'up/x.bin' }, bytes);
  assert.deepEqual(await s.download({ bucket: 'shop-photos', key: 'up/x.bin' }), bytes);
});

test('the limiter never runs more tasks at once than its limit, and runs them all', async () => {
  const limiter = new Limiter(3);
  let peak = 0;
  const results = await Promise.all(
    Array.from({ length: 10 }, (_, i) =>
      limiter.run(async () => {
        peak = Math.max(peak, limiter.running);
        await new Promise((resolve) => setTimeout(resolve, 2));
        return i;
      }),
    ),
  );
  assert.equal(peak, 3);
  assert.deepEqual(results, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.equal(limiter.running, 0);
});

test('s3 URIs parse into bucket and key, and bad ones are ERR_S3_URI_INVALID', () => {
  assert.deepEqual(parseS3Uri('s3://shop-photos/a/b.manifest'), { bucket: 'shop-photos', key: 'a/b.manifest' });
  assert.deepEqual(parseS3Uri('s3://shop-photos'), { bucket: 'shop-photos', key: '' });
  for (const bad of ['s3://UPPER/x', 's3:///x', 's3://ab/x', 's3://shop-photos/a/../b', 'http://x/y']) {
    assert.throws(() => parseS3Uri(bad), (e) => isSkulensError(e, 'ERR_S3_URI_INVALID'), bad);
  }
});

test('a relative key resolves inside its folder and is refused when it climbs out', () => {
  assert.equal(resolveKeyInside('sets/shoes/', 'img/a.jpg'), 'sets/shoes/img/a.jpg');
  assert.equal(resolveKeyInside('sets/shoes/', './img/../b.jpg'), 'sets/shoes/b.jpg');
  assert.equal(resolveKeyInside('sets/shoes/', '../hats/a.jpg'), null);
  assert.equal(resolveKeyInside('sets/shoes/', '/abs.jpg'), null);
  assert.equal(resolveKeyInside('', '../a.jpg'), null);
});

test('an endpoint in the environment turns on path-style addressing; AWS itself keeps virtual hosts', () => {
  assert.deepEqual(s3SettingsFromEnv({ SKULENS_S3_ENDPOINT: 'http://127.0.0.1:9000', AWS_REGION: 'eu-north-1' }), { endpoint: 'http://127.0.0.1:9000', region: 'eu-north-1', forcePathStyle: true });
  assert.deepEqual(s3SettingsFromEnv({}), { endpoint: undefined, region: 'us-east-1', forcePathStyle: false });
});
