import { createHash } from 'node:crypto';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import Database from 'better-sqlite3';
import { isSkulensError } from '../../src/errors.js';
import { resolveHome } from '../../src/home/index.js';
import { parseVersionRef, readModel, Registry, versionArn, versionId, writeVersionArtefacts, type ModelManifest, type NewEntry } from '../../src/registry/index.js';
import { exited, spawnNode, tempDir } from '../helpers/fixtures.js';

function openTemp(t: TestContext): { registry: Registry; file: string } {
  const file = path.join(tempDir(t, 'registry'), 'skulens.db');
  const registry = Registry.open(file);
  t.after(() => {
    try {
      registry.close();
    } catch {
      // already closed by the test
    }
  });
  return { registry, file };
}

function entry(n: number, label: string, split: 'train' | 'test' = 'train'): NewEntry {
  const sha256 = n.toString(16).padStart(64, '0');
  return {
    sha256,
    blob: `blobs/${sha256.slice(0, 2)}/${sha256}.jpg`,
    source: `/photos/${label}/${n}.jpg`,
    label,
    split,
    splitOrigin: 'given',
    format: 'jpeg',
    width: 640,
    height: 480,
    bytes: 1000 + n,
    dhash: '00ff00ff00ff00ff',
    metadata: n % 2 === 0 ? { sku: `SKU-${n}` } : null,
  };
}

const manifest = (overrides: Partial<ModelManifest> = {}): ModelManifest => ({
  format: 'skulens-model/1',
  project: 'shoes',
  version: 'v1',
  backbone: { id: 'test-backbone', dim: 4 },
  labels: ['boot', 'sandal'],
  thresholds: [0.5, 0.25],
  // sha256 of the bytes 9, 8, 7, 6 that the artefact tests write as head.bin
  head: { file: 'head.bin', kind: 'logistic', sha256: createHash('sha256').update(Uint8Array.of(9, 8, 7, 6)).digest('hex') },
  params: { C: 10 },
  seed: 1,
  images: { train: 8, test: 2 },
  createdAt: '2024-05-01T12:00:00.000Z',
  ...overrides,
});

test('projects, entries and versions survive closing and re-opening the SQLite file', (t) => {
  const { registry, file } = openTemp(t);
  const shoes = registry.projects.create('shoes');
  registry.projects.create('bags');
  registry.entries.add(shoes.id, [entry(1, 'boot'), entry(2, 'sandal', 'test'), entry(3, 'boot')]);
  const version = registry.versions.create(shoes.id, { backbone: 'test-backbone', params: { C: 10 }, seed: 7 });
  registry.versions.complete(version.id, { dir: 'projects/shoes/versions/v1', metrics: { accuracy: 0.75 } });
  registry.close();

  const reopened = Registry.open(file);
  t.after(() => reopened.close());
  assert.deepEqual(reopened.projects.list().map((p) => p.name), ['bags', 'shoes']);
  const entries = reopened.entries.list(reopened.projects.get('shoes').id);
  assert.equal(entries.length, 3);
  const { id, projectId, importedAt, ...first } = entries[0]!;
  assert.equal(projectId, shoes.id);
  assert.ok(id > 0 && !Number.isNaN(Date.parse(importedAt)));
  assert.deepEqual(first, entry(1, 'boot'));
  assert.deepEqual(entries[1]!.metadata, null);
  const [v1] = reopened.versions.list(shoes.id);
  assert.equal(v1!.name, 'v1');
  assert.equal(v1!.status, 'TRAINING_COMPLETED');
  assert.equal(v1!.project, 'shoes');
  assert.equal(v1!.seed, 7);
  assert.deepEqual(v1!.params, { C: 10 });
  assert.deepEqual(v1!.metrics, { accuracy: 0.75 });
  assert.equal(v1!.dir, 'projects/shoes/versions/v1');
  assert.ok(v1!.completedAt !== null);
});

test('listEntries filters by split and by label', (t) => {
  const { registry } = openTemp(t);
  const p = registry.projects.create('shoes');
  registry.entries.add(p.id, [entry(1, 'boot'), entry(2, 'boot', 'test'), entry(3, 'sandal', 'test')]);
  assert.deepEqual(registry.entries.list(p.id, { split: 'test' }).map((e) => e.sha256.slice(-1)), ['2', '3']);
  assert.deepEqual(registry.entries.list(p.id, { label: 'boot' }).map((e) => e.sha256.slice(-1)), ['1', '2']);
  assert.deepEqual(registry.entries.list(p.id, { split: 'test', label: 'boot' }).map((e) => e.sha256.slice(-1)), ['2']);
});

test('addEntries skips an entry already present with the same image and label and counts only new ones', (t) => {
  const { registry } = openTemp(t);
  const p = registry.projects.create('shoes');
  assert.equal(registry.entries.add(p.id, [entry(1, 'boot'), entry(2, 'boot')]), 2);
  assert.equal(registry.entries.add(p.id, [entry(1, 'boot'), entry(1, 'sandal')]), 1);
  assert.equal(registry.entries.has(p.id, entry(1, 'boot').sha256, 'sandal'), true);
  assert.equal(registry.entries.list(p.id).length, 3);
});

test('setSplits moves entries between train and test', (t) => {
  const { registry } = openTemp(t);
  const p = registry.projects.create('shoes');
  registry.entries.add(p.id, [entry(1, 'boot'), entry(2, 'boot')]);
  const [a] = registry.entries.list(p.id);
  registry.entries.setSplits([{ id: a!.id, split: 'test' }]);
  assert.deepEqual(registry.entries.list(p.id).map((e) => e.split), ['test', 'train']);
});

test('an invalid project name is refused with ERR_PROJECT_NAME_INVALID', (t) => {
  const { registry } = openTemp(t);
  for (const name of ['', '-starts-with-dash', 'has space', 'slash/name', 'x'.repeat(65), 'émoji']) {
    assert.throws(() => registry.projects.create(name), (e) => isSkulensError(e, 'ERR_PROJECT_NAME_INVALID') && e.details.project === name, name);
  }
  assert.deepEqual(registry.projects.list(), []);
});

test('project names of 1 to 64 letters, digits, dots, dashes and underscores are accepted', (t) => {
  const { registry } = openTemp(t);
  for (const name of ['a', 'Shoes_2024', 'shop.v2-eu', 'x'.repeat(64)]) registry.projects.create(name);
  assert.equal(registry.projects.list().length, 4);
});

test('creating a project twice is refused with ERR_PROJECT_EXISTS', (t) => {
  const { registry } = openTemp(t);
  registry.projects.create('shoes');
  assert.throws(() => registry.projects.create('shoes'), (e) => isSkulensError(e, 'ERR_PROJECT_EXISTS') && e.status === 409);
});

test('getProject and deleteProject of an unknown project throw ERR_PROJECT_NOT_FOUND', (t) => {
  const { registry } = openTemp(t);
  assert.equal(registry.projects.find('ghost'), undefined);
  assert.throws(() => registry.projects.get('ghost'), (e) => isSkulensError(e, 'ERR_PROJECT_NOT_FOUND') && e.message.includes('"ghost"'));
  assert.throws(() => registry.projects.delete('ghost'), (e) => isSkulensError(e, 'ERR_PROJECT_NOT_FOUND'));
});

test('deleting a project removes its entries and versions', (t) => {
  const { registry } = openTemp(t);
  const p = registry.projects.create('shoes');
  registry.entries.add(p.id, [entry(1, 'boot')]);
  const v = registry.versions.create(p.id, { backbone: 'b', params: {}, seed: 1 });
  registry.projects.delete('shoes');
  assert.deepEqual(registry.entries.list(p.id), []);
  assert.throws(() => registry.versions.byId(v.id), (e) => isSkulensError(e, 'ERR_VERSION_NOT_FOUND'));
});

test('versions are named v1, v2, ... per project, continuing after the highest even when one is deleted', (t) => {
  const { registry } = openTemp(t);
  const shoes = registry.projects.create('shoes');
  const bags = registry.projects.create('bags');
  const init = { backbone: 'b', params: {}, seed: 1 };
  assert.equal(registry.versions.create(shoes.id, init).name, 'v1');
  const v2 = registry.versions.create(shoes.id, init);
  assert.equal(v2.name, 'v2');
  assert.equal(registry.versions.create(bags.id, init).name, 'v1');
  registry.versions.delete(registry.versions.get('shoes', 'v1').id);
  assert.equal(registry.versions.create(shoes.id, init).name, 'v3');
  assert.equal(v2.status, 'TRAINING_IN_PROGRESS');
});

test('getVersion of a missing version throws ERR_VERSION_NOT_FOUND naming it', (t) => {
  const { registry } = openTemp(t);
  registry.projects.create('shoes');
  assert.throws(() => registry.versions.get('shoes', 'v9'), (e) => isSkulensError(e, 'ERR_VERSION_NOT_FOUND') && e.message.includes('shoes/v9'));
});

test('a training whose process has exited is marked TRAINING_FAILED on the next open', async (t) => {
  const { registry, file } = openTemp(t);
  registry.projects.create('shoes');
  registry.close();
  const child = spawnNode(['test/helpers/create-version-child.ts', file, 'shoes']);
  const { code } = await exited(child);
  assert.equal(code, 0, child.output().stderr);
  const made = JSON.parse(child.output().stdout) as { name: string; status: string; pid: number };
  assert.equal(made.status, 'TRAINING_IN_PROGRESS');

  const reopened = Registry.open(file);
  t.after(() => reopened.close());
  const version = reopened.versions.get('shoes', made.name);
  assert.equal(version.status, 'TRAINING_FAILED');
  assert.match(version.statusMessage ?? '', /stopped before it finished/);
  const db = new Database(file, { readonly: true });
  t.after(() => db.close());
  assert.deepEqual(db.prepare('SELECT pid FROM versions WHERE name = ?').get(made.name), { pid: null });
});

test('a training whose pid was set by hand to a dead process is failed on open, a live one is kept', (t) => {
  const { registry, file } = openTemp(t);
  const p = registry.projects.create('shoes');
  const init = { backbone: 'b', params: {}, seed: 1 };
  const dead = registry.versions.create(p.id, init);
  const mine = registry.versions.create(p.id, init);
  const parent = registry.versions.create(p.id, init);
  registry.close();
  const db = new Database(file);
  // 2^22 + 1 is above Linux's pid_max ceiling, so no process can have it.
  db.prepare('UPDATE versions SET pid = ? WHERE id = ?').run(4_194_305, dead.id);
  db.prepare('UPDATE versions SET pid = ? WHERE id = ?').run(process.ppid, parent.id);
  db.close();

  const reopened = Registry.open(file);
  t.after(() => reopened.close());
  assert.equal(reopened.versions.byId(dead.id).status, 'TRAINING_FAILED');
  assert.equal(reopened.versions.byId(mine.id).status, 'TRAINING_IN_PROGRESS');
  assert.equal(reopened.versions.byId(parent.id).status, 'TRAINING_IN_PROGRESS');
});

test('parseVersionRef reads the short form shoes/v3', () => {
  assert.deepEqual(parseVersionRef('shoes/v3'), { project: 'shoes', name: 'v3' });
  assert.deepEqual(parseVersionRef('shop.eu-2_x/v120'), { project: 'shop.eu-2_x', name: 'v120' });
});

test('parseVersionRef reads the ARN form and versionArn round-trips through it', () => {
  const version = { project: 'shoes', name: 'v3', createdAt: '2024-11-25T01:20:00.000Z' };
  const arn = versionArn(version);
  assert.equal(arn, `arn:aws:rekognition:local:000000000000:project/shoes/version/v3/${Date.parse(version.createdAt)}`);
  assert.deepEqual(parseVersionRef(arn), { project: 'shoes', name: 'v3', createdMs: Date.parse(version.createdAt) });
  assert.deepEqual(parseVersionRef('arn:aws:rekognition:us-east-1:123456789012:project/bags/version/v1/1732500000000'), { project: 'bags', name: 'v1', createdMs: 1732500000000 });
  assert.equal(versionId(version), 'shoes/v3');
});

test('parseVersionRef rejects junk with ERR_VERSION_ID_INVALID', () => {
  for (const junk of ['', 'shoes', 'shoes/', 'shoes/v3/extra', '/v3', 'sho es/v3', 'shoes/-v3', 'shoes/v 3', 'shoes/../v3', 'arn:aws:rekognition:local:0:project/shoes/version/v3', 'arn:aws:s3:::project/shoes/version/v3/1']) {
    assert.throws(() => parseVersionRef(junk), (e) => isSkulensError(e, 'ERR_VERSION_ID_INVALID') && e.details.version === junk, junk);
  }
});

test('writeVersionArtefacts writes every artefact and readModel reads the manifest and head back', async (t) => {
  const home = resolveHome(tempDir(t, 'artefacts'), {});
  const head = Uint8Array.of(9, 8, 7, 6);
  const dir = await writeVersionArtefacts(home, {
    manifest: manifest(),
    head,
    evaluationSummary: { Version: 1 },
    report: { accuracy: 1 },
    snapshot: [{ sha256: 'aa', label: 'boot', split: 'train', source: '/x.jpg' }],
    extra: { 'tuning.json': { tried: 3 } },
  });
  assert.equal(dir, path.join('projects', 'shoes', 'versions', 'v1'));
  assert.deepEqual(fs.readdirSync(path.join(home.root, dir)).sort(), ['evaluation.json', 'head.bin', 'model.json', 'report.json', 'snapshot.json', 'tuning.json']);
  const model = await readModel(home, dir);
  assert.deepEqual(model.manifest, manifest());
  assert.deepEqual(new Uint8Array(model.head), head);
});

test('readModel rejects a head.bin whose sha256 differs from model.json with ERR_ARTEFACT_CORRUPT', async (t) => {
  const home = resolveHome(tempDir(t, 'artefacts'), {});
  const dir = await writeVersionArtefacts(home, { manifest: manifest(), head: Uint8Array.of(9, 8, 7, 6), evaluationSummary: {}, report: {}, snapshot: [] });
  fs.writeFileSync(path.join(home.root, dir, 'head.bin'), Uint8Array.of(9, 8, 7, 5));
  await assert.rejects(readModel(home, dir), (e: unknown) => isSkulensError(e, 'ERR_ARTEFACT_CORRUPT') && /sha256/.test((e as Error).message));
});

test('readModel rejects a model.json that is not JSON with ERR_ARTEFACT_CORRUPT naming the file', async (t) => {
  const home = resolveHome(tempDir(t, 'artefacts'), {});
  const dir = await writeVersionArtefacts(home, { manifest: manifest(), head: Uint8Array.of(1), evaluationSummary: {}, report: {}, snapshot: [] });
  const file = path.join(home.root, dir, 'model.json');
  fs.writeFileSync(file, '{"format": "skulens-model/1", "proj');
  await assert.rejects(readModel(home, dir), (e) => isSkulensError(e, 'ERR_ARTEFACT_CORRUPT') && e.details.path === file);
});

test('readModel rejects a model.json of the wrong shape with ERR_ARTEFACT_CORRUPT', async (t) => {
  const home = resolveHome(tempDir(t, 'artefacts'), {});
  const dir = await writeVersionArtefacts(home, { manifest: manifest(), head: Uint8Array.of(1), evaluationSummary: {}, report: {}, snapshot: [] });
  fs.writeFileSync(path.join(home.root, dir, 'model.json'), JSON.stringify({ ...manifest(), labels: [], thresholds: [2] }));
  await assert.rejects(readModel(home, dir), (e) => isSkulensError(e, 'ERR_ARTEFACT_CORRUPT') && e.status === 500);
});

test('readModel of a folder without model.json rejects with ERR_ARTEFACT_CORRUPT', async (t) => {
  const home = resolveHome(tempDir(t, 'artefacts'), {});
  await assert.rejects(readModel(home, 'projects/shoes/versions/v7'), (e) => isSkulensError(e, 'ERR_ARTEFACT_CORRUPT'));
});

test(
  'readModel of a version whose head file is missing rejects with ERR_ARTEFACT_CORRUPT',
  async (t) => {
    const home = resolveHome(tempDir(t, 'artefacts'), {});
    const dir = await writeVersionArtefacts(home, { manifest: manifest(), head: Uint8Array.of(1), evaluationSummary: {}, report: {}, snapshot: [] });
    fs.rmSync(path.join(home.root, dir, 'head.bin'));
    await assert.rejects(readModel(home, dir), (e) => isSkulensError(e, 'ERR_ARTEFACT_CORRUPT'));
  },
);

test('createProject returns the same createdAt that it stores, so ARNs built from either agree', (t) => {
  const { registry } = openTemp(t);
  for (let i = 0; i < 20; i++) {
    const created = registry.projects.create(`p${i}`);
    assert.equal(created.createdAt, registry.projects.get(`p${i}`).createdAt);
  }
});
