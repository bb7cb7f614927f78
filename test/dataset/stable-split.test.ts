import assert from 'node:assert/strict';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import sharp from 'sharp';
import { checkDataset, distributeAutoSplit, importFolder } from '../../src/dataset/index.js';
import { resolveHome, type HomeLayout } from '../../src/home/index.js';
import { Registry } from '../../src/registry/index.js';
import { jpeg, put, tempDir, writeJpegs } from '../helpers/fixtures.js';

function setup(t: TestContext): { home: HomeLayout; registry: Registry; src: string } {
  const root = tempDir(t, 'stable-split');
  const home = resolveHome(path.join(root, 'home'), {});
  const registry = Registry.open(home.database);
  t.after(() => registry.close());
  registry.projects.create('shop');
  return { home, registry, src: path.join(root, 'src') };
}

const sides = (registry: Registry): Map<string, string> => new Map(registry.entries.list(registry.projects.get('shop').id).map((e) => [e.sha256, e.split]));

test('adding photos to an automatically split project never moves an earlier photo between train and test', async (t) => {
  const { home, registry, src } = setup(t);
  // The check: 120 photos in a folder per label, then 80 more.
  for (const [k, label] of ['boot', 'clog', 'hat', 'sandal'].entries()) await writeJpegs(path.join(src, 'first', label), label, 30, 100 * k);
  await importFolder(registry, home, 'shop', path.join(src, 'first'));
  const before = sides(registry);
  for (const [k, label] of ['boot', 'clog', 'hat', 'sandal'].entries()) await writeJpegs(path.join(src, 'more', label), `${label}-new`, 20, 100 * k + 50);
  const report = await importFolder(registry, home, 'shop', path.join(src, 'more'));
  const after = sides(registry);
  // On main, 5 of the 120 earlier photos changed side here.
  const moved = [...before].filter(([sha, side]) => after.get(sha) !== side);
  assert.deepEqual(moved, []);
  // Each label still holds round(20% of 50) test photos.
  assert.deepEqual(Object.values(report.labels), Array(4).fill({ train: 40, test: 10 }));
});

test('only datasets distribute re-draws the split, and its seed becomes the one later imports draw with', async (t) => {
  const { home, registry, src } = setup(t);
  await writeJpegs(path.join(src, 'boot'), 'b', 20, 0);
  await writeJpegs(path.join(src, 'sandal'), 's', 20, 100);
  await importFolder(registry, home, 'shop', src);
  const first = sides(registry);
  await importFolder(registry, home, 'shop', src);
  assert.deepEqual(sides(registry), first, 'a re-import changes nothing');
  const project = registry.projects.get('shop');
  distributeAutoSplit(registry, project.id, 7);
  assert.notDeepEqual(sides(registry), first);
  assert.equal(registry.projects.splitSeed(project.id), 7);
  const redrawn = sides(registry);
  distributeAutoSplit(registry, project.id);
  assert.deepEqual(sides(registry), redrawn, 'without --seed, the project keeps drawing with its own');
});

test('bursts of near-identical shots go whole to one side of the automatic split', async (t) => {
  const { home, registry, src } = setup(t);
  // Per label: 12 distinct photos and 3 bursts of 4 shots of one item (one picture saved at four JPEG qualities: dHashes within 2 bits).
  for (const [k, label] of ['boot', 'sandal'].entries()) {
    await writeJpegs(path.join(src, label), `${label}-single`, 12, 500 * k);
    for (let b = 0; b < 3; b++) {
      const item = await jpeg(500 * k + 100 + b);
      for (let shot = 0; shot < 4; shot++) put(path.join(src, label, `${label}-burst${b}-${shot}.jpg`), await sharp(item).jpeg({ quality: 60 + 10 * shot }).toBuffer());
    }
  }
  await importFolder(registry, home, 'shop', src);
  const entries = registry.entries.list(registry.projects.get('shop').id);
  for (const label of ['boot', 'sandal']) {
    for (let b = 0; b < 3; b++) {
      const burst = entries.filter((e) => e.source.includes(`${label}-burst${b}-`));
      assert.equal(burst.length, 4);
      assert.equal(new Set(burst.map((e) => e.split)).size, 1, `${label} burst ${b} straddles the split: ${burst.map((e) => e.split).join(', ')}`);
    }
    // Stratified as before: round(20% of 24) test photos, whole clusters.
    assert.equal(entries.filter((e) => e.label === label && e.split === 'test').length, 5);
  }
  // The health check, which warns that a straddling burst "flatters the test score", finds none.
  const health = checkDataset(registry, 'shop');
  assert.deepEqual(health.findings.filter((f) => f.kind === 'leakage'), []);
});
