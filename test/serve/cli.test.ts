// `skulens keys` in-process and `skulens serve` as a real child process: loopback by default, the
// URL on stdout, a key from `keys create` accepted, and a clean exit on SIGTERM.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { exited, spawnNode, tempDir, waitForLine } from '../helpers/fixtures.js';

const cli = runCli;

test('keys create prints the id and secret once, keys list shows only the id, keys delete removes it', async (t) => {
  const home = tempDir(t, 'cli-keys');
  const created = await cli(home, 'keys', 'create', '--description', 'backend');
  assert.equal(created.code, 0, created.stderr);
  const [idLine, secretLine] = created.stdout.trim().split('\n');
  const id = /^Key id: (SKL[A-Z2-7]{17})$/.exec(idLine!)![1]!;
  const secret = /^Secret: (\S+)$/.exec(secretLine!)![1]!;
  assert.match(created.stderr, /Store the secret now: it is not shown again\./);
  const listed = await cli(home, 'keys', 'list');
  assert.match(listed.stdout, new RegExp(`^${id}\\t.*\\tbackend\\n$`));
  assert.ok(!listed.stdout.includes(secret));
  assert.equal((await cli(home, 'keys', 'delete', id)).stdout, `Deleted key ${id}\n`);
  const again = await cli(home, 'keys', 'delete', id);
  assert.equal(again.code, 1);
  assert.equal(again.stderr, `skulens: API key "${id}" does not exist. List keys with \`skulens keys list\` [ERR_API_KEY_NOT_FOUND]\n`);
});

test('skulens serve listens on loopback, accepts a key from keys create, and exits 0 on SIGTERM', async (t) => {
  const home = path.join(tempDir(t, 'cli-serve'), 'home');
  const created = await cli(home, 'keys', 'create', '--json');
  const key = JSON.parse(created.stdout) as { KeyId: string; Secret: string };
  const child = spawnNode(['src/cli/main.ts', '--home', home, 'serve', '--port', '0', '--log-level', 'warn']);
  t.after(() => child.kill('SIGKILL'));
  const line = await waitForLine(child, (l) => l.startsWith('Listening on '));
  const url = line.slice('Listening on '.length);
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.equal((await fetch(`${url}/health`)).status, 200);
  const denied = await fetch(`${url}/v1/DescribeProjects`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  assert.equal(denied.status, 403);
  const answer = await fetch(`${url}/v1/DescribeProjects`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key.KeyId}:${key.Secret}` },
    body: '{}',
  });
  assert.deepEqual([answer.status, await answer.json()], [200, { ProjectDescriptions: [] }]);
  child.kill('SIGTERM');
  assert.deepEqual(await exited(child), { code: 0, signal: null });
});
