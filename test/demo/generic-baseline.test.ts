// The generic-labels baseline of `skulens demo`'s report, on a small synthetic catalogue with the
// real shipped ImageNet classifier.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { importFolder } from '../../src/dataset/index.js';
import { formatGenericBaseline, generateSyntheticCatalogue, genericBaseline } from '../../src/demo/index.js';
import { resolveHome } from '../../src/home/index.js';
import { Registry } from '../../src/registry/index.js';
import { tempDir } from '../helpers/fixtures.js';

test('the generic baseline maps ImageNet classes to the catalogue labels and scores every test photo', async (t) => {
  const root = tempDir(t, 'generic-baseline');
  const catalogue = await generateSyntheticCatalogue(path.join(root, 'catalogue'), { perLabel: 6, size: 128 });
  const home = resolveHome(path.join(root, 'home'), {});
  const registry = Registry.open(home.database);
  t.after(() => registry.close());
  registry.createProject('demo');
  await importFolder(registry, home, 'demo', catalogue.root);
  const test = registry.listEntries(registry.getProject('demo').id, { split: 'test' });
  const baseline = await genericBaseline(registry, home, 'demo', { top: 3 });
  assert.equal(baseline.total, test.length);
  assert.equal(baseline.trainPhotos + baseline.total, catalogue.files);
  assert.ok(baseline.accuracy >= 0 && baseline.accuracy <= 1);
  // Every test photo's classes include ones seen in training only if the map knows them; most do.
  assert.ok(baseline.answered > 0);
  const labels = [...new Set(test.map((e) => e.label))].sort();
  assert.deepEqual(baseline.examples.map((e) => e.truth), labels.slice(0, 5));
  for (const example of baseline.examples) {
    assert.equal(example.generic.length, 3);
    assert.ok(example.mapped === null || catalogue.labels.includes(example.mapped));
  }
  const text = formatGenericBaseline(baseline, { accuracy: 0.9, version: 'demo/v1' });
  assert.match(text, /generic \(ImageNet classes, top 3, each mapped to the label it co-occurs with on \d+ training photos\): \d+\.\d%/);
  assert.match(text, /custom \(demo\/v1\): 90\.0%/);
});
