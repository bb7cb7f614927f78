import assert from 'node:assert/strict';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { importDataset } from '../../src/dataset/index.js';
import { resolveHome, type HomeLayout } from '../../src/home/index.js';
import type { LabelType } from '../../src/labels/index.js';
import { Registry } from '../../src/registry/index.js';
import { put, tempDir, writeJpegs } from '../helpers/fixtures.js';

function setup(t: TestContext, labelType: LabelType): { home: HomeLayout; registry: Registry; src: string; id: number } {
  const root = tempDir(t, 'label-types');
  const home = resolveHome(path.join(root, 'home'), {});
  const registry = Registry.open(home.database);
  t.after(() => registry.close());
  const { id } = registry.projects.create('shop', labelType);
  return { home, registry, src: path.join(root, 'src'), id };
}

/** Labels of each imported photo, by file name. */
function labelSets(registry: Registry, id: number): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const e of registry.entries.list(id)) (out[path.basename(e.source)] ??= []).push(e.label);
  for (const labels of Object.values(out)) labels.sort();
  return out;
}

const meta = (name: string) => ({ 'class-name': name, confidence: 1, type: 'groundtruth/image-classification', 'human-annotated': 'yes' });

test('a CSV "labels" column gives a photo several labels separated by |', async (t) => {
  const { home, registry, src, id } = setup(t, 'multi');
  await writeJpegs(path.join(src, 'img'), 'p', 2, 10);
  put(path.join(src, 'list.csv'), 'path,labels\nimg/p-00.jpg,shorts|season:summer\nimg/p-01.jpg,pants\n');
  const report = await importDataset(registry, home, 'shop', path.join(src, 'list.csv'));
  assert.equal(report.imported, 3);
  assert.deepEqual(labelSets(registry, id), { 'p-00.jpg': ['season:summer', 'shorts'], 'p-01.jpg': ['pants'] });
  assert.equal(registry.projects.labelType(id), 'multi');
});

test('a manifest with several attributes imports each attribute as a group of a groups project', async (t) => {
  const { home, registry, src, id } = setup(t, 'groups');
  await writeJpegs(path.join(src, 'img'), 'p', 2, 30);
  const lines = [
    { 'source-ref': 'img/p-00.jpg', brand: 0, 'brand-metadata': meta('arla'), type: 1, 'type-metadata': meta('milk') },
    { 'source-ref': 'img/p-01.jpg', type: 2, 'type-metadata': meta('apple') },
  ];
  put(path.join(src, 'shop.manifest'), lines.map((l) => JSON.stringify(l)).join('\n'));
  await importDataset(registry, home, 'shop', path.join(src, 'shop.manifest'));
  assert.deepEqual(labelSets(registry, id), { 'p-00.jpg': ['brand:arla', 'type:milk'], 'p-01.jpg': ['type:apple'] });
});

test('the same manifest into a multi-label project keeps the class names as labels', async (t) => {
  const { home, registry, src, id } = setup(t, 'multi');
  await writeJpegs(path.join(src, 'img'), 'p', 1, 40);
  put(path.join(src, 'shop.manifest'), JSON.stringify({ 'source-ref': 'img/p-00.jpg', brand: 0, 'brand-metadata': meta('arla'), type: 1, 'type-metadata': meta('milk') }));
  await importDataset(registry, home, 'shop', path.join(src, 'shop.manifest'));
  assert.deepEqual(labelSets(registry, id), { 'p-00.jpg': ['arla', 'milk'] });
});

test('a groups project leaves out, named, a photo whose label is not group:value', async (t) => {
  const { home, registry, src, id } = setup(t, 'groups');
  await writeJpegs(path.join(src, 'img'), 'p', 2, 50);
  put(path.join(src, 'list.csv'), 'path,labels\nimg/p-00.jpg,brand:arla|type:milk\nimg/p-01.jpg,milk\n');
  const report = await importDataset(registry, home, 'shop', path.join(src, 'list.csv'));
  assert.equal(report.skipped.length, 1);
  assert.equal(report.skipped[0]!.code, 'ERR_LABEL_GROUP_INVALID');
  assert.match(report.skipped[0]!.reason, /p-01\.jpg.*group:value/);
  assert.deepEqual(Object.keys(labelSets(registry, id)), ['p-00.jpg']);
});

test('nested folders import the deepest folder as the label and set the project taxonomy from the folders above', async (t) => {
  const { home, registry, src, id } = setup(t, 'single');
  await writeJpegs(path.join(src, 'shop', 'Packages', 'Milk', 'Arla-Standard-Milk'), 'a', 2, 60);
  await writeJpegs(path.join(src, 'shop', 'Fruit', 'Banana'), 'b', 2, 70);
  await importDataset(registry, home, 'shop', path.join(src, 'shop'), { nested: true });
  assert.deepEqual([...new Set(registry.entries.list(id).map((e) => e.label))].sort(), ['Arla-Standard-Milk', 'Banana']);
  assert.deepEqual(registry.taxonomies.get(id), {
    levels: ['label', 'parent', 'grandparent'],
    parents: { 'Arla-Standard-Milk': ['Milk', 'Packages'], Banana: ['Fruit'] },
  });
});

test('without --nested the top folder stays the label, as before', async (t) => {
  const { home, registry, src, id } = setup(t, 'single');
  await writeJpegs(path.join(src, 'shop', 'Milk', 'Arla'), 'a', 2, 80);
  await importDataset(registry, home, 'shop', path.join(src, 'shop'));
  assert.deepEqual([...new Set(registry.entries.list(id).map((e) => e.label))], ['Milk']);
  assert.equal(registry.taxonomies.get(id), null);
});

test('the automatic split of a multi-label project moves a photo with all its labels', async (t) => {
  const { home, registry, src, id } = setup(t, 'multi');
  await writeJpegs(path.join(src, 'img'), 'p', 20, 90);
  const rows = Array.from({ length: 20 }, (_, i) => `img/p-${String(i).padStart(2, '0')}.jpg,${i % 2 ? 'shorts' : 'pants'}|season:${i % 3 ? 'summer' : 'winter'}`);
  put(path.join(src, 'list.csv'), `path,labels\n${rows.join('\n')}\n`);
  await importDataset(registry, home, 'shop', path.join(src, 'list.csv'));
  const splits = new Map<string, Set<string>>();
  for (const e of registry.entries.list(id)) (splits.get(e.sha256) ?? splits.set(e.sha256, new Set()).get(e.sha256)!).add(e.split);
  assert.equal(splits.size, 20);
  assert.ok([...splits.values()].every((s) => s.size === 1), 'no photo is in both splits');
  assert.ok([...splits.values()].some((s) => s.has('test')));
});
