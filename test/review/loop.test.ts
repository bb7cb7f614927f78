// The review loop end to end on a real (tiny) backbone and real frozen trainings: the finder ranks the
// planted mislabelled photos first, relabel/remove/keep are recorded, two versions are compared on the
// same test photos, and versions evaluated on different test photos are refused.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { isSkulensError } from '../../src/errors.js';
import { importFolder } from '../../src/dataset/index.js';
import { trainVersion } from '../../src/jobs/index.js';
import type { Registry, Version } from '../../src/registry/index.js';
import { compareVersions, mislabelledRanking } from '../../src/review/index.js';
import type { HomeLayout } from '../../src/home/index.js';
import { tempDir } from '../backbone/fixtures.js';
import { QUICK, reviewHome, writePhotos } from './fixtures.js';

let root: string;
let home: HomeLayout;
let registry: Registry;
let v1: Version;

before(async () => {
  root = tempDir('review-loop');
  ({ home, registry } = await reviewHome(root));
  v1 = (await trainVersion(registry, home, 'shop', QUICK)).version;
});
after(() => {
  registry.close();
  fs.rmSync(root, { recursive: true, force: true });
});

const by = { actor: 'cli:test', origin: 'cli' as const };

test('the finder ranks the two photos filed under a wrong colour first, suggesting their colour, from the version\'s stored out-of-fold probabilities', async () => {
  const ranking = await mislabelledRanking(registry, home, 'shop');
  assert.equal(ranking.version, 'shop/v1');
  assert.match(ranking.method, /version's own tuned head/);
  assert.equal(ranking.photos, 38);
  assert.deepEqual(
    ranking.ranked.slice(0, 2).map((p) => [path.basename(p.source), p.label, p.suggested]).sort(),
    [
      ['blue-50.png', 'red', 'blue'],
      ['red-50.png', 'green', 'red'],
    ],
  );
  assert.ok(ranking.ranked[0]!.selfConfidence <= ranking.ranked[1]!.selfConfidence);
});

test('relabel, keep and remove are recorded with who and the entry as it was, and reviewed photos leave the ranking', async () => {
  const before = await mislabelledRanking(registry, home, 'shop');
  const [first, second] = before.ranked;
  const projectId = v1.projectId;
  const relabelled = registry.entries.relabel(projectId, first!.entryId, first!.suggested, by);
  assert.equal(relabelled.label, first!.suggested);
  registry.entries.keep(projectId, second!.entryId, by);
  const changes = registry.entries.changes(projectId);
  assert.deepEqual(
    changes.map((c) => [c.action, c.oldLabel, c.newLabel, c.actor, c.origin]),
    [
      ['relabel', first!.label, first!.suggested, 'cli:test', 'cli'],
      ['keep', second!.label, second!.label, 'cli:test', 'cli'],
    ],
  );
  assert.equal(changes[0]!.entry!.label, first!.label);
  const after = await mislabelledRanking(registry, home, 'shop');
  assert.ok(!after.ranked.some((p) => p.sha256 === first!.sha256 || p.sha256 === second!.sha256));
  // Put the kept one right too, so the next version learns from clean labels.
  registry.entries.relabel(projectId, second!.entryId, second!.suggested, by);
});

test('a removed entry is recorded whole and its blob stays in use while a version made before the removal exists', () => {
  const entry = registry.entries.list(v1.projectId, { split: 'train', label: 'blue' })[0]!;
  const removed = registry.entries.remove(v1.projectId, entry.id, by);
  assert.equal(removed.id, entry.id);
  assert.equal(registry.entries.find(v1.projectId, entry.sha256, 'blue'), undefined);
  assert.equal(registry.entries.changes(v1.projectId, { action: 'remove' })[0]!.entry!.source, entry.source);
  assert.equal(registry.entries.blobInUse(entry.blob), true, 'v1 may have trained on it');
  assert.throws(() => registry.entries.get(v1.projectId, entry.id), (e) => isSkulensError(e, 'ERR_ENTRY_NOT_FOUND'));
});

test('two versions on the same test photos compare: per-label F1 deltas, fixed and broken photos, McNemar', async () => {
  const v2 = (await trainVersion(registry, home, 'shop', QUICK)).version;
  const c = await compareVersions(registry, home, v1, v2);
  assert.equal(c.a, 'shop/v1');
  assert.equal(c.b, 'shop/v2');
  assert.equal(c.testImages, 9);
  assert.deepEqual(c.labels.map((l) => l.label), ['blue', 'green', 'red']);
  for (const l of c.labels) assert.ok(Math.abs(l.delta! - (l.f1B! - l.f1A!)) < 1e-12);
  const right = (acc: number) => Math.round(acc * 9);
  assert.equal(right(c.accuracyB) - right(c.accuracyA), c.fixed.length - c.broken.length);
  assert.equal(c.mcnemar.b, c.broken.length);
  assert.equal(c.mcnemar.c, c.fixed.length);
  assert.match(c.verdict, /shop\/v1|shop\/v2/);
});

test('versions evaluated on different test photos are refused with a coded error naming the difference', async () => {
  await writePhotos(path.join(root, 'more'), 'green', 2, 200);
  await importFolder(registry, home, 'shop', path.join(root, 'more'), { split: 'test' });
  const v3 = (await trainVersion(registry, home, 'shop', QUICK)).version;
  await assert.rejects(compareVersions(registry, home, v1, v3), (e: unknown) => {
    assert.ok(isSkulensError(e, 'ERR_VERSIONS_NOT_COMPARABLE'));
    assert.match((e as Error).message, /0 only in shop\/v1, 2 only in shop\/v3, 0 with another label/);
    return true;
  });
});

test('multi-label projects are refused by the finder with ERR_LABEL_TYPE_UNSUPPORTED', async () => {
  registry.projects.create('tags', 'multi');
  await assert.rejects(mislabelledRanking(registry, home, 'tags'), (e: unknown) => isSkulensError(e, 'ERR_LABEL_TYPE_UNSUPPORTED'));
});

test('a version without stored out-of-fold probabilities (fast, fine-tuned) is ranked by a cross-validated frozen head, stored under the home', async () => {
  const { version } = await trainVersion(registry, home, 'shop', QUICK);
  fs.rmSync(path.join(home.root, version.dir!, 'out-of-fold.json'));
  const ranking = await mislabelledRanking(registry, home, 'shop', { version: version.name, backbone: 'tiny' });
  assert.match(ranking.method, /logistic head \(C 0\.1\) cross-validated in 3 grouped folds on tiny embeddings/);
  assert.equal(ranking.version, `shop/${version.name}`);
  assert.ok(fs.existsSync(path.join(home.review, 'rankings', 'shop', `${version.name}.json`)));
  // Read back from the stored file the second time, the same ranking.
  assert.deepEqual(await mislabelledRanking(registry, home, 'shop', { version: version.name, backbone: 'tiny' }), ranking);
});
