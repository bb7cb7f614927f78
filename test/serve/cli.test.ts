// `skulens keys` in-process and `skulens serve` as a real child process: loopback by default, the
// URL on stdout, a key from `keys create` accepted, and a clean exit on SIGTERM.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { MIGRATIONS } from '../../src/registry/schema.js';
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
  assert.match(listed.stdout, new RegExp(`^${id}\\tdetect\\t.*\\tbackend\\n$`));
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
  // The default role is detect: it may ask who it is (and detect), not list projects.
  const answer = await fetch(`${url}/v1/caller`, { headers: { authorization: `Bearer ${key.KeyId}:${key.Secret}` } });
  assert.deepEqual([answer.status, await answer.json()], [200, { KeyId: key.KeyId, Role: 'detect', Allows: ['detect'] }]);
  child.kill('SIGTERM');
  assert.deepEqual(await exited(child), { code: 0, signal: null });
});

test('keys create --role sets the role (detect by default), keys list shows it, and an unknown role is ERR_ROLE_INVALID', async (t) => {
  const home = tempDir(t, 'cli-roles');
  const plain = JSON.parse((await cli(home, 'keys', 'create', '--json')).stdout) as { KeyId: string; Role: string };
  assert.equal(plain.Role, 'detect');
  const trainer = await cli(home, 'keys', 'create', '--role', 'train', '--description', 'ci');
  assert.match(trainer.stdout, /^Role: {3}train$/m);
  const listed = (await cli(home, 'keys', 'list')).stdout.trim().split('\n').map((line) => line.split('\t'));
  assert.deepEqual(listed.map((cells) => [cells[1], cells[3]]), [['detect', ''], ['train', 'ci']]);
  const bad = await cli(home, 'keys', 'create', '--role', 'root');
  assert.equal(bad.code, 1);
  assert.equal(bad.stderr, 'skulens: Role "root" is invalid. Should be one of: admin, train, detect [ERR_ROLE_INVALID]\n');
});

test('keys made before roles existed become admin, with a notice the first time the home is opened', async (t) => {
  const home = tempDir(t, 'cli-old-keys');
  const db = new Database(path.join(home, 'skulens.db'));
  for (const [step, sql] of MIGRATIONS.slice(0, 4).entries()) {
    db.exec(sql);
    db.pragma(`user_version = ${step + 1}`);
  }
  db.prepare("INSERT INTO api_keys (id, secret_sha256, secret_sealed, description, created_at) VALUES ('SKLAAAAAAAAAAAAAAAAA', 'x', 'v1:x:x:x', 'old', '2026-01-01T00:00:00.000Z')").run();
  db.close();
  const first = await cli(home, 'keys', 'list');
  assert.equal(first.stdout, 'SKLAAAAAAAAAAAAAAAAA\tadmin\t2026-01-01T00:00:00.000Z\told\n');
  assert.match(first.stderr, /^Notice: Keys now have roles: the 1 existing API key\(s\) became role admin/);
  const second = await cli(home, 'keys', 'list');
  assert.equal(second.stderr, '');
});

test('serve off loopback warns that keys travel in clear without TLS; with --tls-cert/--tls-key it serves HTTPS and says nothing of the kind', async (t) => {
  const dir = tempDir(t, 'cli-tls');
  const home = path.join(dir, 'home');
  const [cert, key] = [path.join(dir, 'cert.pem'), path.join(dir, 'key.pem')];
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.2', '-addext', 'subjectAltName=IP:127.0.0.2'], { stdio: 'ignore' });

  const plain = spawnNode(['src/cli/main.ts', '--home', home, 'serve', '--host', '127.0.0.2', '--port', '0', '--log-level', 'warn']);
  t.after(() => plain.kill('SIGKILL'));
  await waitForLine(plain, (l) => l.startsWith('Listening on '));
  plain.kill('SIGTERM');
  await exited(plain);
  assert.match(plain.output().stderr, /Warning: listening on 127\.0\.0\.2, not loopback/);
  assert.match(plain.output().stderr, /Warning: no TLS: keys and images travel in clear/);

  const secure = spawnNode(['src/cli/main.ts', '--home', home, 'serve', '--host', '127.0.0.2', '--port', '0', '--log-level', 'warn', '--tls-cert', cert, '--tls-key', key]);
  t.after(() => secure.kill('SIGKILL'));
  const line = await waitForLine(secure, (l) => l.startsWith('Listening on '));
  const url = new URL(line.slice('Listening on '.length));
  assert.equal(url.protocol, 'https:');
  const body = await new Promise<string>((resolve, reject) => {
    https
      .get({ host: '127.0.0.2', port: url.port, path: '/health', ca: fs.readFileSync(cert) }, (response) => {
        let text = '';
        response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk)).on('end', () => resolve(text));
      })
      .on('error', reject);
  });
  assert.equal(JSON.parse(body).status, 'ok');
  secure.kill('SIGTERM');
  await exited(secure);
  assert.doesNotMatch(secure.output().stderr, /no TLS/);
});
