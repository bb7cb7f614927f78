import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { ERRORS, SkulensError, isSkulensError } from '../src/errors.js';

const docs = fs.readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');
const documented = new Map(
  [...docs.matchAll(/^\| `(ERR_[A-Z0-9_]+)` \| (\d+) \| (\w+) \|/gm)].map((m) => [m[1]!, { status: Number(m[2]), awsType: m[3] }]),
);

test('every catalogue code is documented in docs/errors.md with its status and __type', () => {
  for (const [code, definition] of Object.entries(ERRORS)) {
    assert.deepEqual(documented.get(code), { status: definition.status, awsType: definition.awsType }, code);
  }
});

test('docs/errors.md documents no code that the catalogue lacks', () => {
  for (const code of documented.keys()) assert.ok(code in ERRORS, `${code} is documented but not in src/errors.ts`);
});

test('every code used in src is in the catalogue', () => {
  const used = new Set<string>();
  const walk = (dir: URL): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(new URL(`${entry.name}/`, dir));
      else if (entry.name.endsWith('.ts')) {
        for (const m of fs.readFileSync(new URL(entry.name, dir), 'utf8').matchAll(/'(ERR_[A-Z0-9_]+)'/g)) used.add(m[1]!);
      }
    }
  };
  walk(new URL('../src/', import.meta.url));
  for (const code of used) assert.ok(code in ERRORS, `${code} is thrown but not in the catalogue`);
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
