// The dataset upload route proves its caller before it reads a byte of the body (issue 26, finding 1):
// a forged SigV4 upload is refused while its body is still being sent, whatever project it names; an
// honest SigV4 upload (the AWS SDK way of signing) is unpacked and imported; a body that differs from its
// signed hash is refused before it is parsed; UNSIGNED-PAYLOAD is for this streaming route only.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { zipSync } from 'fflate';
import { KeyStore } from '../../src/auth/index.js';
import { call, multipartForm, sigV4Headers, startServer, trainedFixture, until, type Fixture, type Running } from './helpers.js';

let fixture: Fixture;
let running: Running;
let detect: { keyId: string; secret: string };
let trainer: { keyId: string; secret: string };

before(async () => {
  fixture = await trainedFixture('serve-upload-auth');
  running = await startServer(fixture);
  const keys = new KeyStore(fixture.registry, fixture.home);
  const d = keys.create('storefront', 'detect');
  const t = keys.create('curator', 'train');
  detect = { keyId: d.id, secret: d.secret };
  trainer = { keyId: t.id, secret: t.secret };
});
after(async () => {
  await running.server.close();
  fixture.registry.close();
});

/** A zip of label folders holding the catalogue's photos (two labels, three photos each). */
function catalogueZip(): Uint8Array {
  const files: Record<string, Uint8Array> = {};
  for (const label of fixture.labels.slice(0, 2)) {
    const dir = path.join(fixture.catalogue, label);
    for (const name of fs.readdirSync(dir).sort().slice(0, 3)) files[`${label}/${name}`] = new Uint8Array(fs.readFileSync(path.join(dir, name)));
  }
  return zipSync(files);
}

const uploadsDir = (): string => path.join(fixture.home.tmp, 'uploads');
const uploadsLeft = (): string[] => (fs.existsSync(uploadsDir()) ? fs.readdirSync(uploadsDir()) : []);

/**
 * Sends the headers and only the first half of `body`, then waits up to `waitMs` for an answer: a server
 * that proves the caller from the headers answers while the rest of the body is still owed.
 */
function halfSent(pathAndQuery: string, headers: Record<string, string>, body: Uint8Array, waitMs = 8000): Promise<{ status: number; body: string } | 'no answer while the body was incomplete'> {
  const { port } = new URL(running.url);
  return new Promise((resolve, reject) => {
    const request = http.request({ host: '127.0.0.1', port: Number(port), method: 'POST', path: pathAndQuery, headers: { ...headers, 'content-length': String(body.length) } });
    const timer = setTimeout(() => {
      request.destroy();
      resolve('no answer while the body was incomplete');
    }, waitMs);
    request.on('response', (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      response.on('end', () => {
        clearTimeout(timer);
        request.destroy();
        resolve({ status: response.statusCode ?? 0, body: text });
      });
    });
    request.on('error', (error) => (String(error).includes('socket hang up') ? undefined : reject(error)));
    request.write(body.subarray(0, body.length >> 1));
  });
}

test('a forged SigV4 upload (a real detect key id, no secret) is refused from its headers, before its body arrives, for an existing or a missing project', async () => {
  // A zip bomb in spirit: 8 MB of zeros named as photos, compressed to a few kB.
  const bomb = zipSync({ 'boot/a.jpg': new Uint8Array(8 * 1024 * 1024), 'shoe/b.jpg': new Uint8Array(8 * 1024 * 1024) });
  const form = multipartForm([{ file: 'file', name: 'bomb.zip', bytes: bomb }]);
  for (const project of ['shop', 'no-such-project']) {
    const headers = await sigV4Headers(running, { method: 'POST', path: '/v1/datasets/upload', query: { project }, headers: { 'content-type': form.contentType }, body: form.body }, { keyId: detect.keyId, secret: 'not-the-secret' });
    const answer = await halfSent(`/v1/datasets/upload?project=${project}`, headers, form.body);
    assert.notEqual(answer, 'no answer while the body was incomplete', project);
    assert.equal((answer as { status: number }).status, 403, project);
    assert.deepEqual(JSON.parse((answer as { body: string }).body), { __type: 'AccessDeniedException', Message: 'Access denied: the request signature does not match; check the access key id, the secret access key and the signing method' }, project);
  }
  assert.deepEqual(uploadsLeft(), []);
});

test('a detect key with its right secret may not upload: refused from the headers, nothing written', async () => {
  const form = multipartForm([{ file: 'file', name: 'c.zip', bytes: catalogueZip() }]);
  const headers = await sigV4Headers(running, { method: 'POST', path: '/v1/datasets/upload', query: { project: 'shop' }, headers: { 'content-type': form.contentType }, body: form.body }, detect);
  const answer = await halfSent('/v1/datasets/upload?project=shop', headers, form.body);
  assert.notEqual(answer, 'no answer while the body was incomplete');
  assert.equal((answer as { status: number }).status, 403);
  assert.match((answer as { body: string }).body, /POST \/v1\/datasets\/upload needs a key with role train or above; this key has role detect/);
  assert.deepEqual(uploadsLeft(), []);
});

test('an honest SigV4 upload, signed as the AWS SDKs sign, is unpacked and imported', async () => {
  await call(running, 'CreateProject', { ProjectName: 'signed' });
  const form = multipartForm([{ file: 'file', name: 'catalogue.zip', bytes: catalogueZip() }]);
  const headers = await sigV4Headers(running, { method: 'POST', path: '/v1/datasets/upload', query: { project: 'signed' }, headers: { 'content-type': form.contentType }, body: form.body }, trainer);
  const response = await fetch(`${running.url}/v1/datasets/upload?project=signed`, { method: 'POST', headers, body: form.body });
  const body = await response.json();
  assert.deepEqual([response.status, body.Files], [200, 6], JSON.stringify(body));
  const imported = await until(async () => {
    const d = await call(running, 'DescribeDataset', { DatasetArn: body.DatasetArn });
    return d.body.DatasetDescription.Status.endsWith('IN_PROGRESS') ? undefined : d.body.DatasetDescription;
  }, 'the import');
  assert.equal(imported.Status, 'CREATE_COMPLETE', JSON.stringify(imported));
  assert.equal(imported.StatusMessage, 'Imported 6 new image(s), 0 already there, 0 skipped');
});

test('an upload whose body differs from its signed X-Amz-Content-Sha256 is refused before the form is parsed', async () => {
  const form = multipartForm([{ file: 'file', name: 'catalogue.zip', bytes: catalogueZip() }]);
  const headers = await sigV4Headers(running, { method: 'POST', path: '/v1/datasets/upload', query: { project: 'signed' }, headers: { 'content-type': form.contentType }, body: form.body }, trainer);
  const tampered = new Uint8Array(form.body);
  tampered[tampered.length - 40] = tampered[tampered.length - 40]! ^ 0xff;
  const response = await fetch(`${running.url}/v1/datasets/upload?project=signed`, { method: 'POST', headers, body: tampered });
  assert.deepEqual([response.status, await response.json()], [403, { __type: 'AccessDeniedException', Message: 'Access denied: the body does not match its X-Amz-Content-Sha256 header' }]);
  assert.deepEqual(uploadsLeft().filter((name) => !fs.existsSync(path.join(uploadsDir(), name, '.body')) && fs.readdirSync(path.join(uploadsDir(), name)).length === 0), []);
});

test('a SigV4 upload must sign its payload hash; UNSIGNED-PAYLOAD is accepted there and nowhere else', async () => {
  const form = multipartForm([{ file: 'file', name: 'catalogue.zip', bytes: catalogueZip() }]);
  const request = { method: 'POST', path: '/v1/datasets/upload', query: { project: 'signed', type: 'TEST' }, headers: { 'content-type': form.contentType }, body: form.body };
  const bare = await fetch(`${running.url}/v1/datasets/upload?project=signed&type=TEST`, { method: 'POST', headers: await sigV4Headers(running, request, trainer, { applyChecksum: false }), body: form.body });
  assert.equal(bare.status, 403);
  assert.match((await bare.json()).Message, /a SigV4 upload must sign X-Amz-Content-Sha256/);
  const unsigned = await fetch(`${running.url}/v1/datasets/upload?project=signed&type=TEST`, { method: 'POST', headers: await sigV4Headers(running, request, trainer, { unsignedPayload: true }), body: form.body });
  assert.equal(unsigned.status, 200, JSON.stringify(await unsigned.clone().json()));
  // A JSON operation signed with UNSIGNED-PAYLOAD could carry any body: refused.
  const json = JSON.stringify({ ProjectName: 'smuggled' });
  const headers = await sigV4Headers(running, { method: 'POST', path: '/v1/CreateProject', headers: { 'content-type': 'application/json' }, body: json }, trainer, { unsignedPayload: true });
  const smuggled = await fetch(`${running.url}/v1/CreateProject`, { method: 'POST', headers, body: JSON.stringify({ ProjectName: 'other' }) });
  assert.equal(smuggled.status, 403);
  assert.match((await smuggled.json()).Message, /UNSIGNED-PAYLOAD is accepted only by the dataset upload route/);
  assert.equal(fixture.registry.projects.find('other'), undefined);
});
