// A read-only or full home at every write (issue 26, finding 8): `skulens serve` on a read-only home says
// ERR_HOME_READ_ONLY naming the home, with no stack; mid-run, uploads, batches, trainings and imports
// answer ERR_HOME_READ_ONLY (503) or ERR_DISK_FULL (507) naming the operation, and thumbnails are still
// served, uncached. The homes are small tmpfs mounts (skipped where mounting is not allowed).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { zipSync } from 'fflate';
import { SkulensError } from '../../src/errors.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/fixtures.js';
import { call, multipartForm, startServer, statusOf, trainedFixture, until, type Fixture, type Running } from './helpers.js';

/** A tmpfs of `size` at a fresh folder and its cleanup (unmount, remove); undefined where mounting is not allowed. */
function mounted(size: string): { dir: string; cleanup(): void } | undefined {
  const root = tempDir(undefined, 'home-room');
  const dir = path.join(root, 'mnt');
  fs.mkdirSync(dir);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    fs.rmSync(root, { recursive: true, force: true });
    return undefined;
  }
  return {
    dir,
    cleanup() {
      execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}

/**
 * Makes `dir` read-only from now on, the way an operator's mount does: a read-only bind mount over it.
 * Files the server already holds open for writing (its database) stay writable; nothing new can be.
 */
function readOnly(dir: string): () => void {
  execFileSync('mount', ['--bind', dir, dir], { stdio: 'ignore' });
  execFileSync('mount', ['-o', 'remount,bind,ro', dir], { stdio: 'ignore' });
  return () => execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
}

const message = (code: 'ERR_HOME_READ_ONLY' | 'ERR_DISK_FULL', operation: string): string => new SkulensError(code, { operation, path: '<home>' }).message;

test('skulens serve on a read-only home says ERR_HOME_READ_ONLY naming the home, with no stack', async (t) => {
  const disk = mounted('8m');
  if (!disk) return t.skip('cannot mount a tmpfs here (needs root)');
  const home = path.join(disk.dir, 'home');
  const undo = readOnly(disk.dir);
  t.after(() => {
    undo();
    disk.cleanup();
  });
  const run = await runCli(home, 'serve', '--port', '0');
  assert.equal(run.code, 1, run.stderr);
  assert.equal(run.stderr.trim(), `skulens: ${new SkulensError('ERR_HOME_READ_ONLY', { operation: 'opening the home', path: home }).message} [ERR_HOME_READ_ONLY]`);
});

/** A trained fixture on a tmpfs, served, with v1 running. */
async function servedOn(t: TestContext, size: string): Promise<{ dir: string; fixture: Fixture; running: Running; undo: (() => void)[] } | undefined> {
  const disk = mounted(size);
  if (!disk) return undefined;
  const dir = disk.dir;
  const fixture = await trainedFixture('home-room', dir);
  const running = await startServer(fixture, {}, { importRoots: [fixture.catalogue] });
  const undo: (() => void)[] = [];
  // One after hook, in order: the server and registry close before the disk goes.
  t.after(async () => {
    await running.server.close();
    fixture.registry.close();
    for (const step of undo.reverse()) step();
    disk.cleanup();
  });
  assert.equal((await call(running, 'StartProjectVersion', { ProjectVersionArn: fixture.arn })).status, 200);
  await statusOf(running, fixture.arn, 'RUNNING');
  return { dir, fixture, running, undo };
}

async function uploadZip(running: Running, fixture: Fixture): Promise<Response> {
  const form = multipartForm([{ file: 'file', name: 'c.zip', bytes: zipSync({ 'a/1.jpg': new Uint8Array(fixture.image), 'b/2.jpg': new Uint8Array(fixture.image) }) }]);
  return fetch(`${running.url}/v1/datasets/upload?project=shop`, { method: 'POST', headers: { authorization: running.bearer, 'content-type': form.contentType }, body: form.body });
}

test('mid-run on a home that became read-only: uploads, batches, trainings and imports say ERR_HOME_READ_ONLY naming the operation; thumbnails are served uncached', async (t) => {
  const served = await servedOn(t, '64m');
  if (!served) return t.skip('cannot mount a tmpfs here (needs root)');
  const { dir, fixture, running } = served;
  served.undo.push(readOnly(dir));

  const entry = fixture.registry.entries.list(fixture.registry.projects.get('shop').id)[0]!;
  const thumbnail = await fetch(`${running.url}/v1/thumbnails/${entry.sha256}?size=96`, { headers: { authorization: running.bearer } });
  assert.deepEqual([thumbnail.status, thumbnail.headers.get('content-type')], [200, 'image/webp']);

  const cases: [string, () => Promise<Response>, string][] = [
    ['upload', () => uploadZip(running, fixture), 'receiving an upload'],
    ['batch', () => fetch(`${running.url}/v1/batches`, { method: 'POST', headers: { authorization: running.bearer, 'content-type': 'application/json' }, body: JSON.stringify({ ProjectVersionArn: fixture.arn, Source: fixture.catalogue }) }), 'starting a batch'],
    ['training', () => fetch(`${running.url}/v1/CreateProjectVersion`, { method: 'POST', headers: { authorization: running.bearer, 'content-type': 'application/json' }, body: JSON.stringify({ ProjectArn: 'shop', Backbone: 'tiny' }) }), 'training shop'],
  ];
  for (const [what, send, operation] of cases) {
    const response = await send();
    const body = await response.json();
    assert.deepEqual([response.status, response.headers.get('x-skulens-error-code'), body], [503, 'ERR_HOME_READ_ONLY', { __type: 'InternalServerError', Message: message('ERR_HOME_READ_ONLY', operation) }], what);
  }
  // An import is accepted by the server (its row is in the open database) and fails in its process, saying why.
  const created = await call(running, 'CreateDataset', { ProjectArn: 'shop', DatasetType: 'TEST', DatasetSource: { Uri: fixture.catalogue } });
  assert.equal(created.status, 200, JSON.stringify(created.body));
  const state = await until(async () => {
    const d = await call(running, 'DescribeDataset', { DatasetArn: created.body.DatasetArn });
    return d.body.DatasetDescription.Status.endsWith('IN_PROGRESS') ? undefined : d.body.DatasetDescription;
  }, 'the import');
  assert.deepEqual([state.Status, state.StatusMessage], ['CREATE_FAILED', message('ERR_HOME_READ_ONLY', 'importing .')]);
});

test('mid-run on a full home: an upload is ERR_DISK_FULL naming it, a batch ends FAILED saying so, thumbnails are served uncached', async (t) => {
  const served = await servedOn(t, '24m');
  if (!served) return t.skip('cannot mount a tmpfs here (needs root)');
  const { dir, fixture, running } = served;
  // Fill what is left of the disk.
  const filler = fs.openSync(path.join(dir, 'filler'), 'w');
  const block = Buffer.alloc(1024 * 1024, 1);
  try {
    for (;;) fs.writeSync(filler, block);
  } catch {
    for (;;) {
      try {
        fs.writeSync(filler, block.subarray(0, 4096));
      } catch {
        break;
      }
    }
  } finally {
    fs.closeSync(filler);
  }
  served.undo.push(() => fs.rmSync(path.join(dir, 'filler'), { force: true }));

  const entry = fixture.registry.entries.list(fixture.registry.projects.get('shop').id)[1]!;
  const thumbnail = await fetch(`${running.url}/v1/thumbnails/${entry.sha256}?size=160`, { headers: { authorization: running.bearer } });
  assert.deepEqual([thumbnail.status, thumbnail.headers.get('content-type')], [200, 'image/webp']);

  const upload = await uploadZip(running, fixture);
  assert.deepEqual([upload.status, upload.headers.get('x-skulens-error-code'), await upload.json()], [507, 'ERR_DISK_FULL', { __type: 'LimitExceededException', Message: message('ERR_DISK_FULL', 'receiving an upload') }]);

  const started = await call(running, 'batches', { ProjectVersionArn: fixture.arn, Source: fixture.catalogue });
  if (started.status === 200) {
    const status = await until(async () => {
      const s = await (await fetch(`${running.url}/v1/batches/${started.body.BatchId}`, { headers: { authorization: running.bearer } })).json();
      return s.Status === 'IN_PROGRESS' ? undefined : s;
    }, 'the batch');
    assert.deepEqual([status.Status, status.StatusMessage], ['FAILED', message('ERR_DISK_FULL', 'writing batch results')]);
  } else {
    assert.deepEqual([started.status, started.body], [507, { __type: 'LimitExceededException', Message: message('ERR_DISK_FULL', 'starting a batch') }]);
  }
});
