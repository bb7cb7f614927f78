// The error catalogue, its documentation and its use agree both ways (like fastify's errors test): every
// code is documented with its status, __type and message; every code is thrown somewhere; every thrown
// code is catalogued; and the HTTP error handler turns an unknown error into a logged 500 without a stack.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { pino } from 'pino';
import { z } from 'zod';
import { ERRORS, SkulensError, isSkulensError } from '../src/errors.js';
import { resolveHome } from '../src/home/index.js';
import { createServer } from '../src/serve/index.js';
import { tempDir } from './helpers/fixtures.js';

const docs = fs.readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');
const documented = new Map(
  [...docs.matchAll(/^\| `(ERR_[A-Z0-9_]+)` \| (\d+) \| (\w+) \| (.*) \|$/gm)].map((m) => [m[1]!, { status: Number(m[2]), awsType: m[3], message: m[4] }]),
);

/** Codes named as string literals in src/, outside the catalogue itself. */
function codesUsedInSrc(): Set<string> {
  const used = new Set<string>();
  const walk = (dir: URL): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(new URL(`${entry.name}/`, dir));
      else if (entry.name.endsWith('.ts') && !(dir.pathname.endsWith('/src/') && entry.name === 'errors.ts')) {
        for (const m of fs.readFileSync(new URL(entry.name, dir), 'utf8').matchAll(/'(ERR_[A-Z0-9_]+)'/g)) used.add(m[1]!);
      }
    }
  };
  walk(new URL('../src/', import.meta.url));
  return used;
}

test('every catalogue code is documented in docs/errors.md with its status, __type and message', () => {
  for (const [code, definition] of Object.entries(ERRORS)) {
    assert.deepEqual(documented.get(code), { status: definition.status, awsType: definition.awsType, message: definition.message }, code);
  }
});

test('docs/errors.md documents no code that the catalogue lacks', () => {
  for (const code of documented.keys()) assert.ok(code in ERRORS, `${code} is documented but not in src/errors.ts`);
});

test('every code used in src is in the catalogue', () => {
  for (const code of codesUsedInSrc()) assert.ok(code in ERRORS, `${code} is thrown but not in the catalogue`);
});

test('every catalogue code is used somewhere in src (no dead entries)', () => {
  const used = codesUsedInSrc();
  assert.deepEqual(Object.keys(ERRORS).filter((code) => !used.has(code)), []);
});

test('a SkulensError fills its message template and carries code, status and __type', () => {
  const error = new SkulensError('ERR_PROJECT_NOT_FOUND', { project: 'shoes' });
  assert.equal(error.message, 'Project "shoes" does not exist. Create it with `skulens projects create shoes`');
  assert.equal(error.code, 'ERR_PROJECT_NOT_FOUND');
  assert.equal(error.status, 404);
  assert.equal(error.awsType, 'ResourceNotFoundException');
  assert.ok(isSkulensError(error, 'ERR_PROJECT_NOT_FOUND'));
  assert.ok(!isSkulensError(new Error('x')));
});

test('over HTTP an unknown error is a logged 500 with a request id and no stack; a ZodError is a coded 400', async (t) => {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({ write: (chunk: Buffer, _encoding, done) => (lines.push(JSON.parse(chunk.toString('utf8'))), done()) });
  const home = resolveHome(path.join(tempDir(t, 'errors-http'), 'home'), {});
  const server = await createServer({ home, logger: pino({ level: 'info' }, sink) });
  t.after(() => server.close());
  server.app.get('/boom', { config: { role: 'public' } }, async () => {
    throw new Error('secret detail of a fault');
  });
  server.app.get('/zod', { config: { role: 'public' } }, async () => z.object({ n: z.number() }).parse({ n: 'x' }));

  const boom = await server.app.inject({ method: 'GET', url: '/boom' });
  const requestId = boom.headers['x-amzn-requestid'];
  assert.equal(boom.statusCode, 500);
  assert.equal(boom.headers['x-amzn-errortype'], 'InternalServerError');
  assert.equal(boom.headers['x-skulens-error-code'], 'ERR_INTERNAL');
  assert.deepEqual(JSON.parse(boom.body), { __type: 'InternalServerError', Message: `Internal server error (request ${requestId}); the server log has the details` });
  assert.doesNotMatch(boom.body, /secret detail|\bat\b.*\.ts/);
  const logged = lines.find((line) => line.msg === 'request failed') as { level: number; reqId: string; err: { message: string; stack: string } } | undefined;
  assert.ok(logged, 'the fault is logged');
  assert.equal(logged.level, 50);
  assert.equal(logged.reqId, requestId);
  assert.equal(logged.err.message, 'secret detail of a fault');
  assert.match(logged.err.stack, /errors\.test\.ts/);

  const zod = await server.app.inject({ method: 'GET', url: '/zod' });
  assert.equal(zod.statusCode, 400);
  assert.equal(zod.headers['x-skulens-error-code'], 'ERR_REQUEST_INVALID');
  assert.deepEqual(JSON.parse(zod.body), { __type: 'InvalidParameterException', Message: 'Invalid request to /zod: n: Invalid input: expected number, received string' });
});
