// The model host's bookkeeping that needs no trained model: recovery of statuses a dead server left,
// and refusing to start a version that has not finished training.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { isSkulensError } from '../../src/errors.js';
import { resolveHome } from '../../src/home/index.js';
import { Registry } from '../../src/registry/index.js';
import { createServer, ModelHost } from '../../src/serve/index.js';
import { tempDir } from '../helpers/fixtures.js';

function homeWithVersion(t: Parameters<typeof tempDir>[0]) {
  const home = resolveHome(path.join(tempDir(t, 'model-host'), 'home'), {});
  const registry = Registry.open(home.database);
  t?.after(() => registry.close());
  const project = registry.projects.create('shop');
  const version = registry.versions.create(project.id, { backbone: 'tiny', params: {}, seed: 1 });
  return { home, registry, version };
}

test('a server that starts marks versions a dead server left RUNNING, STARTING or STOPPING as STOPPED', async (t) => {
  const { home, registry, version } = homeWithVersion(t);
  registry.versions.setStatus(version.id, 'RUNNING');
  const server = await createServer({ home, registry, env: {} });
  await server.close();
  const after = registry.versions.byId(version.id);
  assert.deepEqual([after.status, after.statusMessage], ['STOPPED', 'The server that had started it stopped']);
});

test('starting a version still in training is ResourceNotReadyException and changes nothing', (t) => {
  const { home, registry, version } = homeWithVersion(t);
  const host = new ModelHost(registry, home);
  assert.throws(
    () => host.start(version),
    (error) => isSkulensError(error, 'ERR_VERSION_NOT_READY') && error.message === 'Model version "shop/v1" is TRAINING_IN_PROGRESS, not TRAINING_COMPLETED or STOPPED',
  );
  assert.equal(registry.versions.byId(version.id).status, 'TRAINING_IN_PROGRESS');
  assert.equal(host.holds(version.id), false);
});

test('stopping a version that is not started is ResourceNotReadyException', (t) => {
  const { home, registry, version } = homeWithVersion(t);
  registry.versions.setStatus(version.id, 'STOPPED');
  const host = new ModelHost(registry, home);
  assert.throws(() => host.stop(registry.versions.byId(version.id)), (error) => isSkulensError(error, 'ERR_VERSION_NOT_READY') && error.awsType === 'ResourceNotReadyException');
});
