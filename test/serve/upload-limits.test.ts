// One request cannot freeze or fill the server (issue 26, finding 3): an upload holding more zip entries
// than one upload may is refused with a coded 413 before a member is written; uploads draw on a
// server-wide budget of bytes and files in flight (429 with Retry-After when it is spent, all of it given
// back after); a member that inflates past 15 MB stops there; and the health report of 60,000 import
// issues is built in linear time. (The stall itself, /health p99 with a bomb in flight, is measured by
// `npm run bench:soak -- --mode upload-bomb`.)
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { zipSync } from 'fflate';
import { KeyStore } from '../../src/auth/index.js';
import { call, multipartForm, startServer, trainedFixture, type Fixture, type Running } from './helpers.js';

let fixture: Fixture;
let running: Running;

before(async () => {
  fixture = await trainedFixture('serve-upload-limits');
  running = await startServer(fixture, {}, { uploads: { maxEntriesPerUpload: 50, maxBytesInFlight: 4 * 1024 * 1024 } });
  await call(running, 'CreateProject', { ProjectName: 'limits' });
});
after(async () => {
  await running.server.close();
  fixture.registry.close();
});

const uploadsDir = (): string => path.join(fixture.home.tmp, 'uploads');
const uploadsLeft = (): string[] => (fs.existsSync(uploadsDir()) ? fs.readdirSync(uploadsDir()) : []);

async function upload(zip: Uint8Array, project = 'limits'): Promise<{ status: number; code: string | null; retryAfter: string | null; body: { Message?: string; Files?: number } }> {
  const form = multipartForm([{ file: 'file', name: 'photos.zip', bytes: zip }]);
  const response = await fetch(`${running.url}/v1/datasets/upload?project=${project}`, { method: 'POST', headers: { authorization: running.bearer, 'content-type': form.contentType }, body: form.body });
  return { status: response.status, code: response.headers.get('x-skulens-error-code'), retryAfter: response.headers.get('retry-after'), body: await response.json() };
}

const photo = (): Uint8Array => new Uint8Array(fixture.image);

test('an upload of more zip entries than one upload may hold is 413 ERR_UPLOAD_TOO_MANY_ENTRIES, and nothing is written', async () => {
  const files: Record<string, Uint8Array> = {};
  for (let i = 0; i < 60; i += 1) files[`label-${i % 3}/empty-${i}.jpg`] = new Uint8Array(0);
  const answer = await upload(zipSync(files));
  assert.deepEqual([answer.status, answer.code], [413, 'ERR_UPLOAD_TOO_MANY_ENTRIES']);
  assert.equal(answer.body.Message, 'The upload to POST /v1/datasets/upload holds 60 zip entries; one upload may hold at most 50. Split it into several uploads');
  assert.deepEqual(uploadsLeft(), []);
  assert.deepEqual(running.server.uploads.inFlight(), { bytes: 0, entries: 0 });
});

test('uploads draw on a server-wide budget: past it, 429 ERR_UPLOAD_BUSY with Retry-After; every byte is given back', async () => {
  // 6 MB of noise: more than the 4 MB this server keeps for uploads in flight.
  const noise = new Uint8Array(6 * 1024 * 1024);
  for (let i = 0; i < noise.length; i += 1) noise[i] = (i * 2654435761) >>> 24;
  const answer = await upload(zipSync({ 'a/big.jpg': noise, 'b/one.jpg': photo() }, { level: 0 }));
  assert.deepEqual([answer.status, answer.code, answer.retryAfter], [429, 'ERR_UPLOAD_BUSY', '30']);
  assert.match(answer.body.Message!, /^The server has no room for another upload now \(other uploads hold the room for uploads in flight: /);
  assert.deepEqual(uploadsLeft(), []);
  assert.deepEqual(running.server.uploads.inFlight(), { bytes: 0, entries: 0 });
  // A smaller one goes through.
  const small = await upload(zipSync({ 'a/one.jpg': photo(), 'b/two.jpg': photo() }));
  assert.deepEqual([small.status, small.body.Files], [200, 2], JSON.stringify(small.body));
});

test('a member that claims to be small but inflates past 15 MB is refused once it reaches the limit', async () => {
  const zip = zipSync({ 'a/bomb.jpg': new Uint8Array(20 * 1024 * 1024) });
  // Patch the declared size (central directory and local header) to 1 kB: the unpacker must not trust it.
  const view = Buffer.from(zip.buffer, zip.byteOffset, zip.byteLength);
  view.writeUInt32LE(1024, 22);
  const central = view.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
  view.writeUInt32LE(1024, central + 24);
  await call(running, 'CreateProject', { ProjectName: 'bombed' });
  const answer = await upload(zip, 'bombed');
  assert.deepEqual([answer.status, answer.code], [400, 'ERR_MULTIPART_INVALID']);
  assert.match(answer.body.Message!, /"a\/bomb\.jpg" unpacks to more than 15728640 bytes/);
  assert.deepEqual(running.server.uploads.inFlight().bytes >= 0, true);
});

test('DescribeDatasetHealth over 60,000 import issues answers at once, listing 200 files and the full count', { timeout: 20_000 }, async () => {
  await call(running, 'CreateProject', { ProjectName: 'junk' });
  const project = fixture.registry.projects.get('junk');
  const issues = Array.from({ length: 60_000 }, (_, i) => ({ file: `upload:junk/${i}.jpg`, line: null, kind: 'unreadable', code: 'ERR_IMAGE_UNREADABLE', reason: 'not an image', related: null }));
  fixture.registry.entries.replaceImportIssues(project.id, 'upload:junk', issues);
  const trainer = new KeyStore(fixture.registry, fixture.home).create('curator', 'train');
  const started = Date.now();
  const answer = await call(running, 'DescribeDatasetHealth', { ProjectArn: 'junk' }, `Bearer ${trainer.id}:${trainer.secret}`);
  assert.equal(answer.status, 200);
  const finding = answer.body.Findings.find((f: { Kind: string }) => f.Kind === 'unreadable');
  assert.match(finding.Message, /^60000 unreadable file\(s\)/);
  assert.equal(finding.Files.length, 200);
  assert.equal(answer.body.SkippedAtImport, 60_000);
  assert.ok(Date.now() - started < 15_000, `${Date.now() - started} ms`);
});
