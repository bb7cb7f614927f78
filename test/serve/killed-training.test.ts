// A training started over the API and cut short by the server's end is marked TRAINING_FAILED with the
// reason, as an import is marked CREATE_FAILED (issue 26, finding 9): when the server process is killed
// (kill -9) and when it is closed. The training child is held (SIGSTOP) while the server goes, so the
// order of events is fixed: the server is gone before the training could finish.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import { processAlive } from '../../src/home/index.js';
import { exited, spawnNode, waitForLine } from '../helpers/fixtures.js';
import { call, startServer, trainedFixture, until, type Fixture } from './helpers.js';

let fixture: Fixture;

before(async () => {
  fixture = await trainedFixture('serve-killed-training');
});
after(() => fixture.registry.close());

/** The pid of the process training version `name` of shop (the row records it). */
function trainerOf(name: string): number {
  const db = new Database(fixture.home.database, { readonly: true });
  try {
    const row = db.prepare("SELECT pid FROM versions WHERE name = ? AND project_id = (SELECT id FROM projects WHERE name = 'shop')").get(name) as { pid: number | null };
    return row.pid!;
  } finally {
    db.close();
  }
}

const nameOf = (arn: string): string => /\/version\/([^/]+)\//.exec(arn)![1]!;
const gone = (pid: number): Promise<true> => until(async () => (processAlive(pid) ? undefined : true), `process ${pid} to end`);

test('kill -9 of the server during a training started over the API leaves the version TRAINING_FAILED, saying the server ended', async () => {
  const server = spawnNode(['test/helpers/server-child.ts', fixture.home.root]);
  const { url, bearer } = JSON.parse(await waitForLine(server, (line) => line.startsWith('{'))) as { url: string; bearer: string };
  const created = await call({ url, bearer } as never, 'CreateProjectVersion', { ProjectArn: 'shop', Backbone: 'tiny' });
  assert.equal(created.status, 200, JSON.stringify(created.body));
  const name = nameOf(created.body.ProjectVersionArn);
  const trainer = trainerOf(name);
  assert.notEqual(trainer, server.pid);
  process.kill(trainer, 'SIGSTOP');
  server.kill('SIGKILL');
  await exited(server);
  process.kill(trainer, 'SIGCONT');
  await gone(trainer);
  const version = fixture.registry.versions.get('shop', name);
  assert.deepEqual([version.status, version.statusMessage], ['TRAINING_FAILED', 'The server process ended during the training; train again']);
});

test('closing the server during a training marks it TRAINING_FAILED, saying the server was stopped', async () => {
  const running = await startServer(fixture);
  const created = await call(running, 'CreateProjectVersion', { ProjectArn: 'shop', Backbone: 'tiny' });
  assert.equal(created.status, 200, JSON.stringify(created.body));
  const name = nameOf(created.body.ProjectVersionArn);
  const trainer = trainerOf(name);
  process.kill(trainer, 'SIGSTOP');
  const closing = running.server.close();
  process.kill(trainer, 'SIGCONT');
  await closing;
  await gone(trainer);
  const version = fixture.registry.versions.get('shop', name);
  assert.deepEqual([version.status, version.statusMessage], ['TRAINING_FAILED', 'The server was stopped during the training; train again']);
});
