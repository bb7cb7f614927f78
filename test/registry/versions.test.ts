// Version names are never reused within a project (a per-project counter, migrated into older homes),
// and one resolver turns a short name or an ARN into a stored version, refusing a stale ARN.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import Database from 'better-sqlite3';
import { isSkulensError } from '../../src/errors.js';
import { Registry, versionArn } from '../../src/registry/index.js';
import { MIGRATIONS } from '../../src/registry/schema.js';
import { tempDir } from '../helpers/fixtures.js';

const init = { backbone: 'b', params: {}, seed: 1 };

function openTemp(t: TestContext, file = path.join(tempDir(t, 'versions'), 'skulens.db')): Registry {
  const registry = Registry.open(file);
  t.after(() => registry.close());
  return registry;
}

test('deleting the newest version does not free its number: the next one is v3, not v2 again', (t) => {
  const registry = openTemp(t);
  const shoes = registry.projects.create('shoes');
  registry.versions.create(shoes.id, init);
  const v2 = registry.versions.create(shoes.id, init);
  registry.versions.delete(v2.id);
  assert.equal(registry.versions.create(shoes.id, init).name, 'v3');
  assert.deepEqual(registry.versions.list(shoes.id).map((v) => v.name), ['v1', 'v3']);
});

test('a home made before the counter migrates and continues after its highest stored version', (t) => {
  const file = path.join(tempDir(t, 'versions-old'), 'skulens.db');
  const db = new Database(file);
  for (const [step, sql] of MIGRATIONS.slice(0, 3).entries()) {
    db.exec(sql);
    db.pragma(`user_version = ${step + 1}`);
  }
  db.prepare("INSERT INTO projects (id, name, created_at) VALUES (1, 'shoes', '2026-01-01T00:00:00.000Z'), (2, 'bags', '2026-01-01T00:00:00.000Z')").run();
  const insert = db.prepare("INSERT INTO versions (project_id, name, status, backbone, params, seed, created_at) VALUES (?, ?, 'TRAINING_COMPLETED', 'b', '{}', 1, '2026-01-02T00:00:00.000Z')");
  for (const name of ['v1', 'v4', 'v10']) insert.run(1, name);
  db.close();
  const registry = openTemp(t, file);
  assert.equal(registry.versions.create(1, init).name, 'v11');
  assert.equal(registry.versions.create(2, init).name, 'v1');
});

test('resolve finds a version by its short name and by its ARN', (t) => {
  const registry = openTemp(t);
  const shoes = registry.projects.create('shoes');
  const v1 = registry.versions.create(shoes.id, init);
  assert.equal(registry.versions.resolve('shoes/v1').id, v1.id);
  assert.equal(registry.versions.resolve(versionArn(v1)).id, v1.id);
});

test("resolve refuses a deleted project's version ARN even when a new project of that name has a v1", async (t) => {
  const registry = openTemp(t);
  const old = registry.versions.create(registry.projects.create('shoes').id, init);
  const staleArn = versionArn(old);
  registry.projects.delete('shoes');
  await new Promise((resolve) => setTimeout(resolve, 5));
  const fresh = registry.versions.create(registry.projects.create('shoes').id, init);
  assert.equal(fresh.name, 'v1');
  assert.notEqual(versionArn(fresh), staleArn);
  assert.throws(() => registry.versions.resolve(staleArn), (e) => isSkulensError(e, 'ERR_VERSION_NOT_FOUND') && e.message.includes(staleArn));
  assert.equal(registry.versions.resolve(versionArn(fresh)).id, fresh.id);
});

test('resolve refuses a malformed name with ERR_VERSION_ID_INVALID and a missing one with ERR_VERSION_NOT_FOUND', (t) => {
  const registry = openTemp(t);
  registry.projects.create('shoes');
  assert.throws(() => registry.versions.resolve('shoes'), (e) => isSkulensError(e, 'ERR_VERSION_ID_INVALID'));
  assert.throws(() => registry.versions.resolve('shoes/v1'), (e) => isSkulensError(e, 'ERR_VERSION_NOT_FOUND'));
});
