import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { importFolder, sha256Hex } from '../../src/dataset/index.js';
import { resolveHome } from '../../src/home/index.js';
import { Registry } from '../../src/registry/index.js';
import { exited, spawnNode, tempDir, waitForLine, writeJpegs } from '../helpers/fixtures.js';

const PER_LABEL = 70;
const TOTAL = 2 * PER_LABEL;
// Entries are committed 64 at a time, so killing after 70 files lands after the first commit.
const KILL_AFTER = 70;

test('an import SIGKILLed midway leaves a registry whose entries all have their blobs, and a re-run completes it', async (t) => {
  const root = tempDir(t, 'killed-import');
  const src = path.join(root, 'src');
  await writeJpegs(path.join(src, 'boot'), 'b', PER_LABEL, 0);
  await writeJpegs(path.join(src, 'sandal'), 's', PER_LABEL, 1000);
  const home = resolveHome(path.join(root, 'home'), {});

  const child = spawnNode(['test/helpers/import-child.ts', home.root, 'shoes', src]);
  t.after(() => child.kill('SIGKILL'));
  await waitForLine(child, (line) => line.startsWith('progress ') && Number(line.split(' ')[1]) >= KILL_AFTER);
  child.kill('SIGKILL');
  const { signal } = await exited(child);
  assert.equal(signal, 'SIGKILL', `the import finished before the kill: ${child.output().stdout.slice(-200)}`);

  const registry = Registry.open(home.database);
  t.after(() => registry.close());
  const project = registry.projects.get('shoes');
  const survivors = registry.entries.list(project.id);
  assert.ok(survivors.length >= 64 && survivors.length < TOTAL, `${survivors.length} entries survived`);
  for (const entry of survivors) {
    const blob = path.join(home.root, entry.blob);
    assert.ok(fs.existsSync(blob), `missing blob of ${entry.source}`);
    assert.equal(sha256Hex(fs.readFileSync(blob)), entry.sha256);
  }

  const report = await importFolder(registry, home, 'shoes', src);
  assert.equal(report.duplicates, survivors.length);
  assert.equal(report.imported, TOTAL - survivors.length);
  assert.deepEqual(report.skipped, []);
  const entries = registry.entries.list(project.id);
  assert.equal(entries.length, TOTAL);
  assert.equal(new Set(entries.map((e) => e.sha256)).size, TOTAL);
  assert.deepEqual(report.labels, { boot: { train: 56, test: 14 }, sandal: { train: 56, test: 14 } });
});
