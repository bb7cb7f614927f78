import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { KeyStore, loadMasterKey, masterKeyPath } from '../../src/auth/index.js';
import { isSkulensError } from '../../src/errors.js';
import { resolveHome } from '../../src/home/index.js';
import { Registry } from '../../src/registry/index.js';
import { tempDir } from '../helpers/fixtures.js';

function store(t: Parameters<typeof tempDir>[0]) {
  const home = resolveHome(tempDir(t, 'keys'), {});
  const registry = Registry.open(home.database);
  t?.after(() => registry.close());
  return { home, registry, keys: new KeyStore(registry, home) };
}

test('a created key has an AWS-shaped id and a secret stored only as a hash and a sealed copy', (t) => {
  const { registry, keys } = store(t);
  const key = keys.create('shop backend');
  assert.match(key.id, /^SKL[A-Z2-7]{17}$/);
  assert.ok(key.secret.length >= 40);
  const row = registry.keys.find(key.id)!;
  assert.equal(row.secretSha256, createHash('sha256').update(key.secret).digest('hex'));
  assert.ok(!row.secretSealed.includes(key.secret));
  assert.deepEqual(keys.list().map((k) => [k.id, k.description]), [[key.id, 'shop backend']]);
});

test('checkSecret accepts the right secret and refuses a wrong one or an unknown id', (t) => {
  const { keys } = store(t);
  const key = keys.create();
  assert.equal(keys.checkSecret(key.id, key.secret), true);
  assert.equal(keys.checkSecret(key.id, `${key.secret}x`), false);
  assert.equal(keys.checkSecret('SKLAAAAAAAAAAAAAAAAA', key.secret), false);
  assert.equal(keys.checkSecret('not-an-id', key.secret), false);
});

test('secretOf opens the sealed secret with the master key, which is a 0600 file of 32 bytes', (t) => {
  const { home, keys } = store(t);
  const key = keys.create();
  assert.equal(keys.secretOf(key.id), key.secret);
  const file = masterKeyPath(home);
  assert.equal(fs.statSync(file).mode & 0o777, 0o600);
  assert.equal(fs.statSync(file).size, 32);
  assert.deepEqual(loadMasterKey(home), fs.readFileSync(file));
});

test('a replaced master key cannot open existing secrets and says so with a coded error', (t) => {
  const { home, registry, keys } = store(t);
  const key = keys.create();
  fs.writeFileSync(masterKeyPath(home), Buffer.alloc(32, 7));
  const fresh = new KeyStore(registry, home);
  assert.throws(() => fresh.secretOf(key.id), (error) => isSkulensError(error, 'ERR_MASTER_KEY_INVALID'));
});

test('a deleted key is no longer accepted, and deleting an unknown key is a not-found error', (t) => {
  const { keys } = store(t);
  const key = keys.create();
  keys.delete(key.id);
  assert.equal(keys.checkSecret(key.id, key.secret), false);
  assert.equal(keys.secretOf(key.id), undefined);
  assert.throws(() => keys.delete(key.id), (error) => isSkulensError(error, 'ERR_API_KEY_NOT_FOUND'));
});

test('two key stores of one home share one master key', (t) => {
  const { home, registry } = store(t);
  const a = new KeyStore(registry, home).create();
  const b = new KeyStore(registry, home);
  assert.equal(b.secretOf(a.id), a.secret);
  assert.equal(path.basename(masterKeyPath(home)), 'master.key');
});
