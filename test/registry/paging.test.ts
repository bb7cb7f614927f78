// Entry listings at scale: offset pages and keyset pages walk every entry once in (label, sha256)
// order, with and without a split or label filter, and SQLite answers them from an index rather than
// sorting the project's entries for each page.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import Database from 'better-sqlite3';
import { Registry, type Entry, type NewEntry } from '../../src/registry/index.js';
import { tempDir } from '../helpers/fixtures.js';

const LABELS = ['boot', 'clog', 'sandal', 'sneaker'];

function entry(n: number): NewEntry {
  // sha256 values out of insertion order, so the order has to come from the index or a sort.
  const sha256 = ((n * 2654435761) >>> 0).toString(16).padStart(64, '0');
  return {
    sha256,
    blob: `blobs/${sha256.slice(0, 2)}/${sha256}.jpg`,
    source: `/photos/${n}.jpg`,
    label: LABELS[n % LABELS.length]!,
    split: n % 5 === 0 ? 'test' : 'train',
    splitOrigin: 'auto',
    format: 'jpeg',
    width: 64,
    height: 64,
    bytes: 100,
    dhash: '0000000000000000',
    metadata: null,
  };
}

function filled(t: TestContext, count: number): { registry: Registry; file: string; projectId: number } {
  const file = path.join(tempDir(t, 'paging'), 'skulens.db');
  const registry = Registry.open(file);
  t.after(() => registry.close());
  const project = registry.projects.create('shoes');
  registry.entries.add(project.id, Array.from({ length: count }, (_, n) => entry(n)));
  return { registry, file, projectId: project.id };
}

const key = (e: Entry): string => `${e.label}/${e.sha256}`;

test('keyset pages and offset pages both walk every entry once, in (label, sha256) order', (t) => {
  const { registry, projectId } = filled(t, 1000);
  for (const filter of [{}, { split: 'train' as const }, { split: 'test' as const, label: 'clog' }]) {
    const expected = registry.entries.list(projectId, filter).map(key);
    assert.deepEqual(expected, [...expected].sort());
    const keyset: string[] = [];
    let last: Entry | undefined;
    for (;;) {
      const page = registry.entries.pageAfter(projectId, { ...filter, after: last && { label: last.label, sha256: last.sha256 }, limit: 97 });
      if (page.length === 0) break;
      keyset.push(...page.map(key));
      last = page.at(-1);
    }
    const offset: string[] = [];
    for (let start = 0; ; start += 97) {
      const page = registry.entries.page(projectId, { ...filter, offset: start, limit: 97 });
      if (page.length === 0) break;
      offset.push(...page.map(key));
    }
    assert.deepEqual(keyset, expected, JSON.stringify(filter));
    assert.deepEqual(offset, expected, JSON.stringify(filter));
  }
});

test('listings, pages and the blob lookup use an index: no table scan, no sort per page', (t) => {
  const { file } = filled(t, 200);
  const db = new Database(file, { readonly: true });
  t.after(() => db.close());
  const plan = (sql: string): string => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((row) => row.detail).join('; ');
  const queries = [
    'SELECT * FROM entries WHERE project_id = 1 ORDER BY label, sha256 LIMIT 100 OFFSET 5000',
    "SELECT * FROM entries WHERE project_id = 1 AND split = 'train' ORDER BY label, sha256 LIMIT 100",
    "SELECT * FROM entries WHERE project_id = 1 AND split = 'train' AND label = 'boot' AND (label, sha256) > ('boot', 'ab') ORDER BY label, sha256 LIMIT 100",
    "SELECT 1 FROM entries WHERE blob = 'blobs/ab/ab.jpg' LIMIT 1",
  ];
  for (const sql of queries) {
    const detail = plan(sql);
    assert.match(detail, /USING (COVERING )?INDEX entries_by_/, `${sql}: ${detail}`);
    assert.doesNotMatch(detail, /TEMP B-TREE/, `${sql}: ${detail}`);
  }
});
