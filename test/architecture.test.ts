// The layering, checked: every import under src/ is read, and a domain (a folder of src/) may reach
// another only through that domain's index.ts, and domain imports may not form a circle. Top-level
// modules (src/errors.ts, src/random.ts, src/params.ts) are the shared floor every domain may use.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));

interface Import {
  from: string;
  to: string;
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** Relative imports of a module: static, `export ... from`, `import type` and dynamic `import()`. */
function importsOf(file: string): Import[] {
  const text = fs.readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|^\s*import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm)].map((m) => m[1]!);
  return specifiers.map((specifier) => ({ from: file, to: path.resolve(path.dirname(file), specifier).replace(/\.js$/, '.ts') }));
}

/** The domain of a module under src/ (its first folder), or null for a top-level shared module. */
function domainOf(file: string, src: string): string | null {
  const parts = path.relative(src, file).split(path.sep);
  return parts.length > 1 ? parts[0]! : null;
}

/** Every cross-domain import, and the domain graph they make. */
function readLayering(src = SRC): { past: string[]; edges: Map<string, Map<string, string>> } {
  const past: string[] = [];
  const edges = new Map<string, Map<string, string>>();
  const rel = (file: string): string => path.relative(path.join(src, '..'), file);
  for (const file of sourceFiles(src)) {
    const from = domainOf(file, src);
    for (const { to } of importsOf(file)) {
      const target = domainOf(to, src);
      if (from === null || target === null || from === target) continue;
      if (path.relative(path.join(src, target), to) !== 'index.ts') past.push(`${rel(file)} imports ${rel(to)}, past ${target}/index.ts`);
      const out = edges.get(from) ?? new Map<string, string>();
      if (!out.has(target)) out.set(target, rel(file));
      edges.set(from, out);
    }
  }
  return { past, edges };
}

/** A circle in the domain graph, as "a -> b (file) -> ... -> a", or null. */
function findCircle(edges: Map<string, Map<string, string>>): string | null {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): string | null => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of [...(edges.get(node)?.keys() ?? [])].sort()) {
      if (state.get(next) === 'open') {
        const loop = [...stack.slice(stack.indexOf(next)), next];
        return loop.slice(1).map((to, k) => `${loop[k]} -> ${to} (${edges.get(loop[k]!)!.get(to)})`).join(', ');
      }
      if (!state.has(next)) {
        const found = visit(next);
        if (found) return found;
      }
    }
    stack.pop();
    state.set(node, 'done');
    return null;
  };
  for (const node of [...edges.keys()].sort()) {
    if (!state.has(node)) {
      const found = visit(node);
      if (found) return found;
    }
  }
  return null;
}

test('a domain imports another domain only through its index.ts', () => {
  const { past } = readLayering();
  assert.deepEqual(past, []);
});

test('domain imports form no circle (data flows one way)', () => {
  const { edges } = readLayering();
  assert.equal(findCircle(edges), null);
});

test('the checker finds a circle and names its edges', () => {
  const edges = new Map([
    ['batch', new Map([['predict', 'src/batch/run-batch.ts']])],
    ['serve', new Map([['batch', 'src/serve/http/server.ts']])],
    ['predict', new Map([['serve', 'src/predict/x.ts']])],
  ]);
  assert.equal(findCircle(edges), 'batch -> predict (src/batch/run-batch.ts), predict -> serve (src/predict/x.ts), serve -> batch (src/serve/http/server.ts)');
});

test('the checker reads static, type-only, re-export and dynamic imports', () => {
  const dir = fs.mkdtempSync(path.join(fs.realpathSync(process.env.TMPDIR ?? '/tmp'), 'skulens-arch-'));
  try {
    for (const name of ['a', 'b', 'c', 'd']) fs.mkdirSync(path.join(dir, name));
    fs.writeFileSync(path.join(dir, 'a', 'index.ts'), "import type { B } from '../b/index.js';\nexport { C } from '../c/inner.js';\n");
    fs.writeFileSync(path.join(dir, 'b', 'index.ts'), "export const load = () => import('../d/index.js');\n");
    fs.writeFileSync(path.join(dir, 'd', 'index.ts'), "import '../a/index.js';\n");
    fs.writeFileSync(path.join(dir, 'c', 'inner.ts'), 'export const C = 1;\n');
    const { past, edges } = readLayering(dir);
    assert.equal(past.length, 1);
    assert.match(past[0]!, /a\/index\.ts imports .*c\/inner\.ts, past c\/index\.ts/);
    assert.match(findCircle(edges) ?? '', /^a -> b .*, b -> d .*, d -> a /);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
