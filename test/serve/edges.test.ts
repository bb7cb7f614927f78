// HTTP edges and exhaustion through a real server on 127.0.0.1: oversized headers and bodies and a
// truncated multipart form answer coded 4xx in Rekognition's shape; a full disk during an import is
// ERR_DISK_FULL and its orphan blobs are swept when the home is opened again; an import cut short by a
// kill reads as CREATE_FAILED after a restart.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { SkulensError } from '../../src/errors.js';
import { resolveHome, sweepOrphanBlobs } from '../../src/home/index.js';
import { Registry } from '../../src/registry/index.js';
import { importFolder } from '../../src/dataset/index.js';
import { generateSyntheticCatalogue } from '../../src/demo/index.js';
import { tempDir } from '../helpers/fixtures.js';
import { call, startServer, trainedFixture, until, type Fixture, type Running } from './helpers.js';

let fixture: Fixture;
let running: Running;

before(async () => {
  fixture = await trainedFixture('serve-edges');
  running = await startServer(fixture);
});
after(async () => {
  await running.server.close();
  fixture.registry.close();
});

/** Sends raw bytes and reads the whole answer (the server may close the connection). */
function rawRequest(url: string, bytes: Buffer): Promise<string> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.on('error', (error) => (chunks.length ? resolve(Buffer.concat(chunks).toString('utf8')) : reject(error)));
    socket.write(bytes);
    socket.setTimeout(10_000, () => socket.end());
  });
}

test('a 100 kB header is 431 with a Rekognition-shaped body and error headers', async () => {
  const request = Buffer.from(`GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(100_000)}\r\n\r\n`);
  const answer = await rawRequest(running.url, request);
  const [head, body] = answer.split('\r\n\r\n') as [string, string];
  assert.match(head, /^HTTP\/1\.1 431 /);
  assert.match(head, /x-amzn-errortype: InvalidParameterException/);
  assert.match(head, /x-skulens-error-code: ERR_HEADERS_TOO_LARGE/);
  assert.deepEqual(JSON.parse(body), { __type: 'InvalidParameterException', Message: new SkulensError('ERR_HEADERS_TOO_LARGE', { max: 16384 }).message });
});

test('a 50 MB JSON body to DescribeProjects is 413 LimitExceededException naming the operation, not ImageTooLargeException', async () => {
  const response = await fetch(`${running.url}/v1/DescribeProjects`, {
    method: 'POST',
    headers: { authorization: running.bearer, 'content-type': 'application/json' },
    body: `{"ProjectNames":["${'x'.repeat(50 * 1024 * 1024)}"]}`,
  });
  assert.equal(response.status, 413);
  assert.equal(response.headers.get('x-skulens-error-code'), 'ERR_REQUEST_TOO_LARGE');
  assert.deepEqual(await response.json(), { __type: 'LimitExceededException', Message: 'The request to /v1/DescribeProjects is too large: the body is over 6291456 bytes' });
});

test('a truncated multipart upload is 400 InvalidParameterException, not 500', async () => {
  const boundary = 'skulensboundary';
  const part = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="a.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`),
    fixture.image.subarray(0, 200),
  ]);
  // The declared length is the bytes sent: the form simply stops, with no closing boundary.
  const head = `POST /v1/detect?version=${encodeURIComponent(fixture.arn)} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${running.bearer}\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${part.length}\r\nConnection: close\r\n\r\n`;
  const answer = await rawRequest(running.url, Buffer.concat([Buffer.from(head), part]));
  const [status, body] = [answer.split('\r\n')[0]!, answer.slice(answer.indexOf('\r\n\r\n') + 4)];
  assert.match(status, /^HTTP\/1\.1 400 /);
  const parsed = JSON.parse(body) as { __type: string; Message: string };
  assert.equal(parsed.__type, 'InvalidParameterException');
  assert.match(parsed.Message, /^The multipart upload to POST \/v1\/detect is unusable: .*; send the whole form again$/);
});

test('an import cut short by a kill reads CREATE_FAILED after the server restarts, not 404', async (t) => {
  const root = tempDir(t, 'killed-import');
  const home = resolveHome(path.join(root, 'home'), {});
  const registry = Registry.open(home.database);
  const project = registry.projects.create('shop');
  // The row a server writes when an import starts, under a process that then dies.
  const dead = Number(execFileSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }));
  registry.imports.begin(project.id, 'train', dead);
  registry.close();
  const reopened = Registry.open(home.database);
  const server = await startServer({ home, registry: reopened });
  try {
    const described = await call(server, 'DescribeDataset', { DatasetArn: `arn:aws:rekognition:local:000000000000:project/shop/dataset/train/1` });
    assert.equal(described.status, 200, JSON.stringify(described.body));
    assert.equal(described.body.DatasetDescription.Status, 'CREATE_FAILED');
    assert.match(described.body.DatasetDescription.StatusMessage, /stopped before it finished/);
  } finally {
    await server.server.close();
    reopened.close();
  }
});

test('a disk that fills during an import is ERR_DISK_FULL, the database stays intact and orphan blobs are swept at the next open', async (t) => {
  // Cleaned up by hand: the small disk must be unmounted before its folder is removed.
  const root = tempDir(undefined, 'disk-full');
  const homeDir = path.join(root, 'home');
  fs.mkdirSync(homeDir, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=400k', 'tmpfs', homeDir], { stdio: 'ignore' });
  } catch {
    fs.rmSync(root, { recursive: true, force: true });
    return t.skip('cannot mount a small tmpfs here (needs root)');
  }
  let registry: Registry | undefined;
  t.after(() => {
    registry?.close();
    execFileSync('umount', ['-l', homeDir], { stdio: 'ignore' });
    fs.rmSync(root, { recursive: true, force: true });
  });
  const catalogue = path.join(root, 'catalogue');
  await generateSyntheticCatalogue(catalogue, { perLabel: 40, size: 160 });
  const home = resolveHome(homeDir, {});
  registry = Registry.open(home.database);
  registry.projects.create('shop');
  await assert.rejects(importFolder(registry, home, 'shop', catalogue), (error: unknown) => {
    assert.ok(error instanceof SkulensError);
    assert.equal(error.code, 'ERR_DISK_FULL');
    assert.equal(error.awsType, 'LimitExceededException');
    assert.match(error.message, /^No space left on the disk of the skulens home while importing /);
    return true;
  });
  const open = registry;
  const kept = open.entries.list(open.projects.get('shop').id);
  const blobFiles = (): string[] =>
    (fs.readdirSync(home.blobs, { recursive: true }) as string[]).filter((name) => /^[0-9a-f]{2}\/[0-9a-f]{64}\.\w+$/.test(name)).map((name) => `blobs/${name}`);
  const orphans = blobFiles().filter((blob) => !open.entries.blobInUse(blob));
  assert.ok(orphans.length > 0, `expected orphan blobs beside ${kept.length} committed entries`);
  const removed = await sweepOrphanBlobs(home, (blob) => open.entries.blobInUse(blob), 0);
  assert.equal(removed, orphans.length);
  // What was committed is all still there, each with its blob.
  assert.deepEqual(open.entries.list(open.projects.get('shop').id), kept);
  assert.deepEqual(blobFiles().filter((blob) => !open.entries.blobInUse(blob)), []);
  for (const entry of kept) assert.ok(fs.existsSync(path.join(home.root, entry.blob)), entry.blob);
});
