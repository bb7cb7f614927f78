// The optional TF.js packages (COCO boxes, moderation, centernet) cost nothing until used: no module the
// CLI or the server loads at start imports them statically, `npm run install:optional` installs exactly
// the pinned set, and a missing package is one coded line with that command.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { INSTALL_COMMAND, OPTIONAL_PACKAGES, importOptional } from '../../src/backbone/index.js';
import { isSkulensError } from '../../src/errors.js';
import { REPO_ROOT } from '../helpers/fixtures.js';

const OPTIONAL_NAMES = /^(@tensorflow\/|@vladmandic\/|nsfwjs$)/;

/** Modules reached from `entry` by static imports only (not `import()`), with the packages each imports. */
function staticClosure(entry: string): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    const text = fs.readFileSync(file, 'utf8');
    // `import x from`, `import {..} from`, `export .. from` and bare `import '..'`; never `import(`; `import type` is erased.
    const specifiers = [...text.matchAll(/^\s*(?:import(?!\s+type\b)(?:[^'"()]*?\sfrom)?|export\s[^'"()]*?\sfrom)\s*['"]([^'"]+)['"]/gm)].map((m) => m[1]!);
    seen.set(file, specifiers.filter((s) => !s.startsWith('.') && !s.startsWith('node:')));
    for (const s of specifiers.filter((s) => s.startsWith('.'))) visit(path.resolve(path.dirname(file), s).replace(/\.js$/, '.ts'));
  };
  visit(entry);
  return seen;
}

test('the CLI and the server import no optional package at start: TF.js loads only behind import()', () => {
  const closure = staticClosure(path.join(REPO_ROOT, 'src/cli/main.ts'));
  assert.ok(closure.has(path.join(REPO_ROOT, 'src/serve/http/server.ts')), 'the closure reaches the server');
  const offenders = [...closure].flatMap(([file, packages]) => packages.filter((p) => OPTIONAL_NAMES.test(p)).map((p) => `${path.relative(REPO_ROOT, file)} imports ${p}`));
  assert.deepEqual(offenders, []);
  // The checker itself sees a static TF.js import where there is one.
  assert.ok(staticClosure(path.join(REPO_ROOT, 'src/backbone/runtime-tfjs.ts')).get(path.join(REPO_ROOT, 'src/backbone/runtime-tfjs.ts'))!.includes('@tensorflow/tfjs-core'));
});

test('`npm run install:optional` installs exactly the pinned optional packages, and none of them is a dependency', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string>; dependencies: Record<string, string> };
  assert.equal(INSTALL_COMMAND, 'npm run install:optional');
  const installed = pkg.scripts['install:optional']!.split(/\s+/).filter((word) => /^@?[a-z].*@\d/.test(word)).sort();
  assert.deepEqual(installed, [...new Set(Object.values(OPTIONAL_PACKAGES).flat())].sort());
  assert.deepEqual(Object.keys(pkg.dependencies).filter((name) => OPTIONAL_NAMES.test(name)), []);
});

test('a missing optional package is ERR_OPTIONAL_PACKAGE_MISSING naming the feature, the package and the install command', async () => {
  const absent = 'skulens-test-absent-package';
  await assert.rejects(
    importOptional(() => import(absent), 'Moderation (DetectModerationLabels)', [`${absent}@1.0.0`]),
    (error) =>
      isSkulensError(error, 'ERR_OPTIONAL_PACKAGE_MISSING') &&
      error.status === 501 &&
      error.message === `Moderation (DetectModerationLabels) needs the optional npm packages ${absent}@1.0.0, which are not installed; in skulens's folder run \`npm run install:optional\``,
  );
});

test('a missing module that is not the optional package is rethrown as it is', async () => {
  const other = 'skulens-test-other-absent';
  await assert.rejects(importOptional(() => import(other), 'Feature', ['nsfwjs@4.4.0']), (error) => !isSkulensError(error) && (error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND');
});
