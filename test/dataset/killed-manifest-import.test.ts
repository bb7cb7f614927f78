import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { importDataset, sha256Hex } from '../../src/dataset/index.js';
import { resolveHome } from '../../src/home/index.js';
import { Registry } from '../../src/registry/index.js';
import { exited, put, spawnNode, tempDir, waitForLine, writeJpegs } from '../helpers/fixtures.js';

const TOTAL = 140;

test('a manifest import SIGKILLed midway keeps the earlier state whole, and a re-run completes it', async (t) => {
  const root = tempDir(t, 'killed-manifest');
  const src = path.join(root, 'src');
  const files = [...(await writeJpegs(path.join(src, 'img'), 'b', TOTAL / 2, 5000)), ...(await writeJpegs(path.join(src, 'img'), 's', TOTAL / 2, 6000))];
  const meta = (label: string) => ({ 'class-name': label, type: 'groundtruth/image-classification' });
  const manifest = files.map((f) => JSON.stringify({ 'source-ref': path.relative(src, f), a: 0, 'a-metadata': meta(path.basename(f).startsWith('b') ? 'boot' : 'sandal') }));
  put(path.join(src, 'train.manifest'), [...manifest, '{"broken": '].join('\n'));
  const home = resolveHome(path.join(root, 'home'), {});

  // An earlier import the killed one must not disturb.
  const setupRegistry = Registry.open(home.database);
  setupRegistry.projects.create('shoes');
  const earlier = await writeJpegs(path.join(root, 'earlier', 'hat'), 'h', 3, 7000);
  await importDataset(setupRegistry, home, 'shoes', path.join(root, 'earlier'));
  setupRegistry.close();

  const child = spawnNode(['test/helpers/import-child.ts', home.root, 'shoes', path.join(src, 'train.manifest')]);
  t.after(() => child.kill('SIGKILL'));
  await waitForLine(child, (line) => line.startsWith('progress ') && Number(line.split(' ')[1]) >= 70);
  child.kill('SIGKILL');
  assert.equal((await exited(child)).signal, 'SIGKILL', 'the import finished before the kill');

  const registry = Registry.open(home.database);
  t.after(() => registry.close());
  const project = registry.projects.get('shoes');
  const survivors = registry.entries.list(project.id);
  assert.equal(survivors.filter((e) => e.label === 'hat').length, earlier.length);
  assert.ok(survivors.length - earlier.length >= 64 && survivors.length - earlier.length < TOTAL, `${survivors.length} entries survived`);
  for (const entry of survivors) assert.equal(sha256Hex(fs.readFileSync(path.join(home.root, entry.blob))), entry.sha256);

  const report = await importDataset(registry, home, 'shoes', path.join(src, 'train.manifest'));
  assert.equal(report.imported + report.duplicates, TOTAL);
  assert.deepEqual(report.skipped.map((s) => [s.line, s.code]), [[TOTAL + 1, 'ERR_DATASET_MANIFEST_INVALID']]);
  assert.equal(registry.entries.list(project.id).length, TOTAL + earlier.length);
});
