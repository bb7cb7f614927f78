// The role matrix (issue 26, finding 6): every route in Fastify's route table declares its role, every
// JSON operation declares its own, docs/security.md lists the same matrix, and calling every route and
// operation with each role through a real server gets exactly what the matrix says: a storefront's
// detect key detects and describes versions, and reads no photo, dataset or batch.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { KeyStore, type KeyRole } from '../../src/auth/index.js';
import { OPERATIONS, createServer } from '../../src/serve/index.js';
import { REPO_ROOT } from '../helpers/fixtures.js';
import { startServer, trainedFixture, type Fixture, type Running } from './helpers.js';

/** What a storefront's key may call: the matrix of docs/security.md. */
const DETECT_OPERATIONS = ['DetectCustomLabels', 'DetectLabels', 'DetectModerationLabels', 'DescribeProjectVersions', 'DescribeProjectVersionReport'];
const EXPECTED_ROUTES: Readonly<Record<string, string>> = {
  'GET /health': 'public',
  'GET /*': 'public',
  'GET /v1/openapi.json': 'public',
  'GET /v1/caller': 'detect',
  'POST /v1/detect': 'detect',
  'POST /v1/:operation': 'operation',
  'POST /': 'operation',
  'POST /v1/datasets/upload': 'train',
  'POST /v1/batches': 'train',
  'GET /v1/batches': 'train',
  'GET /v1/batches/:id': 'train',
  'POST /v1/batches/:id/stop': 'train',
  'GET /v1/batches/:id/results': 'train',
  'GET /v1/thumbnails/:sha256': 'train',
  'GET /v1/review-images/:project/:id': 'train',
  'GET /v1/versions/export': 'train',
};

let fixture: Fixture;
let running: Running;
const keys: Partial<Record<KeyRole, string>> = {};

before(async () => {
  fixture = await trainedFixture('serve-roles');
  running = await startServer(fixture, {}, { throttle: { keyRequests: 0 } });
  const store = new KeyStore(fixture.registry, fixture.home);
  for (const role of ['detect', 'train', 'admin'] as const) {
    const key = store.create(`role ${role}`, role);
    keys[role] = `Bearer ${key.id}:${key.secret}`;
  }
});
after(async () => {
  await running.server.close();
  fixture.registry.close();
});

const allows = (held: KeyRole, needed: string): boolean => needed === 'public' || ['detect', 'train', 'admin'].indexOf(held) >= ['detect', 'train', 'admin'].indexOf(needed);

test('every route in the route table declares its role, and the table is the matrix (HEAD routes as their GET)', () => {
  const declared: Record<string, string> = {};
  for (const route of running.server.routes) {
    const key = `${route.method === 'HEAD' ? 'GET' : route.method} ${route.url}`;
    assert.ok(route.role, key);
    if (declared[key] !== undefined) assert.equal(route.role, declared[key], `${route.method} ${route.url}`);
    declared[key] = route.role;
  }
  assert.deepEqual(declared, EXPECTED_ROUTES);
});

test('a route registered without a role is refused when it is added', async () => {
  const other = await createServer({ home: fixture.home, registry: fixture.registry, workers: 1, env: {} });
  try {
    assert.throws(() => other.app.get('/v1/forgot-its-role', async () => 'open'), /route GET \/v1\/forgot-its-role declares no role/);
    assert.doesNotThrow(() => other.app.get('/v1/remembered-its-role', { config: { role: 'train' } }, async () => 'closed'));
  } finally {
    await other.close();
  }
});

test('every JSON operation declares its role: detect for what a storefront calls, train for the rest', () => {
  const roles = Object.fromEntries(Object.entries(OPERATIONS).map(([name, op]) => [name, op.role]));
  assert.deepEqual(roles, Object.fromEntries(Object.keys(OPERATIONS).map((name) => [name, DETECT_OPERATIONS.includes(name) ? 'detect' : 'train'])));
});

test('docs/security.md lists the same role for every operation and route', () => {
  const doc = fs.readFileSync(path.join(REPO_ROOT, 'docs', 'security.md'), 'utf8');
  const rows = new Map([...doc.matchAll(/^\| `([^`]+)` \| (public|detect|train|admin) \|/gm)].map((m) => [m[1]!, m[2]!]));
  for (const [name, op] of Object.entries(OPERATIONS)) assert.equal(rows.get(name), op.role, name);
  for (const [route, role] of Object.entries(EXPECTED_ROUTES)) if (role !== 'operation') assert.equal(rows.get(route), role, route);
});

/** A request that reaches the route (bodies empty or invalid on purpose: the role is what is checked). */
async function send(method: string, url: string, authorization: string | undefined, target?: string): Promise<{ status: number; code: string | null }> {
  const concrete = url.replace(':sha256', '0'.repeat(64)).replace(':project', 'shop').replace(':id', '1').replace('*', 'index.html');
  const headers: Record<string, string> = authorization ? { authorization } : {};
  let body: string | undefined;
  if (method === 'POST') {
    const multipart = url === '/v1/detect' || url === '/v1/datasets/upload';
    headers['content-type'] = multipart ? 'multipart/form-data; boundary=x' : 'application/json';
    body = multipart ? '--x--\r\n' : '{}';
    if (target) headers['x-amz-target'] = `RekognitionService.${target}`;
  }
  const response = await fetch(`${running.url}${concrete}`, { method, headers, body });
  await response.arrayBuffer();
  return { status: response.status, code: response.headers.get('x-skulens-error-code') };
}

test('every route, called with each role, answers as the matrix says', async () => {
  for (const [route, needed] of Object.entries(EXPECTED_ROUTES)) {
    if (needed === 'operation') continue;
    const [method, url] = route.split(' ') as [string, string];
    for (const role of ['detect', 'train', 'admin'] as const) {
      const answer = await send(method, url, keys[role]);
      if (allows(role, needed)) assert.notEqual(answer.status === 403 ? answer.code : '', 'ERR_ROLE_REQUIRED', `${route} as ${role}`);
      else assert.deepEqual([answer.status, answer.code], [403, 'ERR_ROLE_REQUIRED'], `${route} as ${role}`);
    }
    const anonymous = await send(method, url, undefined);
    if (needed === 'public') assert.notEqual(anonymous.status, 403, `${route} without a key`);
    else assert.deepEqual([anonymous.status, anonymous.code], [403, 'ERR_AUTH_MISSING'], `${route} without a key`);
  }
});

test('every JSON operation, called with each role by path and by X-Amz-Target, answers as the matrix says', async () => {
  for (const [name, op] of Object.entries(OPERATIONS)) {
    for (const role of ['detect', 'train', 'admin'] as const) {
      for (const [url, target] of [[`/v1/${name}`, undefined], ['/', name]] as const) {
        const answer = await send('POST', url, keys[role], target);
        const where = `${name} via ${url} as ${role}`;
        if (allows(role, op.role)) assert.ok(answer.status !== 403 && answer.status < 500, `${where}: ${answer.status} ${answer.code}`);
        else assert.deepEqual([answer.status, answer.code], [403, 'ERR_ROLE_REQUIRED'], where);
      }
    }
  }
});
