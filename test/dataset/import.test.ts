import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { importFolder, listFolderDataset, sha256Hex } from '../../src/dataset/index.js';
import { isSkulensError } from '../../src/errors.js';
import { resolveHome, type HomeLayout } from '../../src/home/index.js';
import { Registry } from '../../src/registry/index.js';
import { jpeg, png, pngWithClaimedSize, put, tempDir, webp, writeJpegs } from '../helpers/fixtures.js';

interface Setup {
  home: HomeLayout;
  registry: Registry;
  /** A folder for dataset sources, outside the home. */
  src: string;
}

function setup(t: TestContext, project = 'shoes'): Setup {
  const root = tempDir(t, 'import');
  const home = resolveHome(path.join(root, 'home'), {});
  const registry = Registry.open(home.database);
  t.after(() => registry.close());
  registry.projects.create(project);
  return { home, registry, src: path.join(root, 'src') };
}

/** boot: 3 good files (JPEG, PNG, WebP) and 5 bad ones; sandal: 3 good JPEGs, one in a sub-folder. */
async function mixedFixture(src: string): Promise<{ good: string[]; bad: Record<string, string> }> {
  const good = [
    put(path.join(src, 'boot', 'b1.jpg'), await jpeg(1)),
    put(path.join(src, 'boot', 'b2.png'), await png(2)),
    put(path.join(src, 'boot', 'b3.webp'), await webp(3)),
    put(path.join(src, 'sandal', 's1.jpg'), await jpeg(4)),
    put(path.join(src, 'sandal', 's2.jpg'), await jpeg(5)),
    put(path.join(src, 'sandal', 'more', 's3.jpg'), await jpeg(6)),
  ];
  const whole = await jpeg(7, 200, 160);
  const bad = {
    [put(path.join(src, 'boot', 'truncated.jpg'), whole.subarray(0, Math.floor(whole.length * 0.6)))]: 'ERR_IMAGE_TRUNCATED',
    [put(path.join(src, 'boot', 'notes.jpg'), 'these are my notes, not a photo\n')]: 'ERR_IMAGE_FORMAT_UNSUPPORTED',
    [put(path.join(src, 'boot', 'empty.jpg'), '')]: 'ERR_IMAGE_UNREADABLE',
    [put(path.join(src, 'sandal', 'tiny.jpg'), await jpeg(8, 32, 32))]: 'ERR_IMAGE_TOO_SMALL',
    [put(path.join(src, 'sandal', 'bomb.png'), pngWithClaimedSize(100_000, 100_000))]: 'ERR_IMAGE_TOO_LARGE',
  };
  return { good, bad };
}

test('each bad file of a folder is skipped once with its own code, and every good file is imported', async (t) => {
  const { home, registry, src } = setup(t);
  const { good, bad } = await mixedFixture(src);
  const skippedLive: string[] = [];
  const report = await importFolder(registry, home, 'shoes', src, { onSkip: (s) => skippedLive.push(s.file) });

  assert.equal(report.seen, good.length + Object.keys(bad).length);
  assert.equal(report.imported, good.length);
  assert.equal(report.duplicates, 0);
  const skipped = Object.fromEntries(report.skipped.map((s) => [s.file, s.code]));
  assert.equal(report.skipped.length, Object.keys(bad).length);
  assert.deepEqual(skipped, bad);
  for (const s of report.skipped) assert.ok(s.reason.includes(s.file), `reason names the file: ${s.reason}`);
  assert.deepEqual(skippedLive.sort(), Object.keys(bad).sort());

  const entries = registry.entries.list(registry.projects.get('shoes').id);
  assert.deepEqual(entries.map((e) => e.source).sort(), [...good].sort());
  assert.deepEqual(
    entries.map((e) => [path.basename(e.source), e.label, e.format]).sort(),
    [
      ['b1.jpg', 'boot', 'jpeg'],
      ['b2.png', 'boot', 'png'],
      ['b3.webp', 'boot', 'webp'],
      ['s1.jpg', 'sandal', 'jpeg'],
      ['s2.jpg', 'sandal', 'jpeg'],
      ['s3.jpg', 'sandal', 'jpeg'],
    ],
  );
});

test('imported images are copied into the content-addressed blob store', async (t) => {
  const { home, registry, src } = setup(t);
  await mixedFixture(src);
  await importFolder(registry, home, 'shoes', src);
  for (const entry of registry.entries.list(registry.projects.get('shoes').id)) {
    const ext = entry.format === 'jpeg' ? 'jpg' : entry.format;
    assert.equal(entry.blob, path.join('blobs', entry.sha256.slice(0, 2), `${entry.sha256}.${ext}`));
    const blob = fs.readFileSync(path.join(home.root, entry.blob));
    assert.equal(sha256Hex(blob), entry.sha256);
    assert.deepEqual(blob, fs.readFileSync(entry.source));
  }
});

test('progress is reported once per file, ending at the total', async (t) => {
  const { home, registry, src } = setup(t);
  const { good, bad } = await mixedFixture(src);
  const calls: [number, number][] = [];
  await importFolder(registry, home, 'shoes', src, { onProgress: (done, total) => calls.push([done, total]) });
  const total = good.length + Object.keys(bad).length;
  assert.deepEqual(calls, Array.from({ length: total }, (_, i) => [i + 1, total]));
});

test('re-running an import adds nothing and counts every good file as a duplicate', async (t) => {
  const { home, registry, src } = setup(t);
  const { good, bad } = await mixedFixture(src);
  await importFolder(registry, home, 'shoes', src);
  const again = await importFolder(registry, home, 'shoes', src);
  assert.equal(again.imported, 0);
  assert.equal(again.duplicates, good.length);
  assert.equal(again.skipped.length, Object.keys(bad).length);
  assert.equal(registry.entries.list(registry.projects.get('shoes').id).length, good.length);
});

test(
  'two copies of one image under one label in one import count as one import and one duplicate',
  async (t) => {
    const { home, registry, src } = setup(t);
    const bytes = await jpeg(11);
    put(path.join(src, 'boot', 'a.jpg'), bytes);
    put(path.join(src, 'boot', 'a-copy.jpg'), bytes);
    await writeJpegs(path.join(src, 'sandal'), 's', 2, 20);
    const report = await importFolder(registry, home, 'shoes', src);
    assert.equal(report.imported + report.duplicates + report.skipped.length, report.seen);
    assert.equal(report.duplicates, 1);
  },
);

test('the same image under two labels is imported once per label', async (t) => {
  const { home, registry, src } = setup(t);
  const bytes = await jpeg(12);
  put(path.join(src, 'boot', 'x.jpg'), bytes);
  put(path.join(src, 'sandal', 'x.jpg'), bytes);
  const report = await importFolder(registry, home, 'shoes', src);
  assert.equal(report.imported, 2);
  assert.deepEqual(registry.entries.list(registry.projects.get('shoes').id).map((e) => e.label), ['boot', 'sandal']);
});

test('train/ and test/ sub-roots give each image the split of its folder, marked as given', async (t) => {
  const { home, registry, src } = setup(t);
  await writeJpegs(path.join(src, 'train', 'boot'), 'b', 3, 100);
  await writeJpegs(path.join(src, 'train', 'sandal'), 's', 3, 200);
  await writeJpegs(path.join(src, 'test', 'boot'), 'b', 1, 300);
  await writeJpegs(path.join(src, 'TEST', 'sandal'), 's', 2, 400);
  const report = await importFolder(registry, home, 'shoes', src);
  assert.deepEqual(report.labels, { boot: { train: 3, test: 1 }, sandal: { train: 3, test: 2 } });
  for (const entry of registry.entries.list(registry.projects.get('shoes').id)) {
    assert.equal(entry.splitOrigin, 'given');
    assert.equal(entry.split, entry.source.includes(`${path.sep}train${path.sep}`) ? 'train' : 'test', entry.source);
  }
});

test('a train/ sub-root without test/ is split automatically like a flat folder', async (t) => {
  const { home, registry, src } = setup(t);
  await writeJpegs(path.join(src, 'train', 'boot'), 'b', 5, 500);
  await writeJpegs(path.join(src, 'train', 'sandal'), 's', 5, 600);
  const report = await importFolder(registry, home, 'shoes', src);
  assert.deepEqual(report.labels, { boot: { train: 4, test: 1 }, sandal: { train: 4, test: 1 } });
  assert.ok(registry.entries.list(registry.projects.get('shoes').id).every((e) => e.splitOrigin === 'auto'));
});

test('a flat folder gets a stratified 80/20 split with a test image for every label of two or more', async (t) => {
  const { home, registry, src } = setup(t);
  await writeJpegs(path.join(src, 'boot'), 'b', 10, 1000);
  await writeJpegs(path.join(src, 'sandal'), 's', 5, 1100);
  await writeJpegs(path.join(src, 'clog'), 'c', 2, 1200);
  await writeJpegs(path.join(src, 'hat'), 'h', 1, 1300);
  const report = await importFolder(registry, home, 'shoes', src);
  assert.deepEqual(report.labels, {
    boot: { train: 8, test: 2 },
    clog: { train: 1, test: 1 },
    hat: { train: 1, test: 0 },
    sandal: { train: 4, test: 1 },
  });
});

test('the same split seed gives the same split in another home, and another seed a different one', async (t) => {
  const root = tempDir(t, 'seed');
  const src = path.join(root, 'src');
  await writeJpegs(path.join(src, 'boot'), 'b', 10, 2000);
  await writeJpegs(path.join(src, 'sandal'), 's', 10, 2100);
  await writeJpegs(path.join(src, 'clog'), 'c', 10, 2200);
  const splitWith = async (name: string, seed: number): Promise<Record<string, string>> => {
    const home = resolveHome(path.join(root, name), {});
    const registry = Registry.open(home.database);
    try {
      registry.projects.create('shoes');
      await importFolder(registry, home, 'shoes', src, { splitSeed: seed });
      return Object.fromEntries(registry.entries.list(registry.projects.get('shoes').id).map((e) => [e.source, e.split]));
    } finally {
      registry.close();
    }
  };
  const first = await splitWith('a', 9);
  assert.deepEqual(await splitWith('b', 9), first);
  assert.notDeepEqual(await splitWith('c', 10), first);
});

test('the split option puts every image in the named split', async (t) => {
  const { home, registry, src } = setup(t);
  await writeJpegs(path.join(src, 'train', 'boot'), 'b', 2, 3000);
  await writeJpegs(path.join(src, 'test', 'boot'), 'b', 2, 3100);
  await importFolder(registry, home, 'shoes', src, { split: 'test' });
  const entries = registry.entries.list(registry.projects.get('shoes').id);
  assert.deepEqual(entries.map((e) => [e.split, e.splitOrigin]), Array(4).fill(['test', 'given']));
});

test('a symlink pointing outside the dataset root is refused with a notice and not imported', async (t) => {
  const { home, registry, src } = setup(t);
  await writeJpegs(path.join(src, 'boot'), 'b', 2, 4000);
  await writeJpegs(path.join(src, 'sandal'), 's', 2, 4100);
  const outside = put(path.join(path.dirname(src), 'private', 'secret.jpg'), await jpeg(4200));
  const link = path.join(src, 'boot', 'secret.jpg');
  fs.symlinkSync(outside, link);
  const report = await importFolder(registry, home, 'shoes', src);
  assert.equal(report.seen, 4);
  assert.equal(report.imported, 4);
  const notice = report.notices.find((n) => n.startsWith(link));
  assert.ok(notice, JSON.stringify(report.notices));
  assert.match(notice, /outside the dataset root/);
  assert.ok(!registry.entries.list(registry.projects.get('shoes').id).some((e) => e.sha256 === sha256Hex(fs.readFileSync(outside))));
});

test('a symlinked label folder inside the root is followed', async (t) => {
  const { src } = setup(t);
  await writeJpegs(path.join(src, 'boot'), 'b', 2, 4300);
  fs.symlinkSync(path.join(src, 'boot'), path.join(src, 'boots-alias'));
  const listing = await listFolderDataset(src);
  assert.deepEqual(listing.files.map((f) => f.label), ['boot', 'boot', 'boots-alias', 'boots-alias']);
  assert.deepEqual(listing.notices, []);
});

test('files loose in the root and hidden files are left out, the loose ones with a notice', async (t) => {
  const { src } = setup(t);
  await writeJpegs(path.join(src, 'boot'), 'b', 1, 4400);
  put(path.join(src, 'stray.jpg'), await jpeg(4401));
  put(path.join(src, 'boot', '.DS_Store'), 'junk');
  const listing = await listFolderDataset(src);
  assert.deepEqual(listing.files.map((f) => path.basename(f.file)), ['b-00.jpg']);
  assert.equal(listing.notices.length, 1);
  assert.match(listing.notices[0]!, /stray\.jpg: left out/);
});

test('a folder with no label folders is refused with ERR_DATASET_LAYOUT_INVALID', async (t) => {
  const { home, registry, src } = setup(t);
  put(path.join(src, 'loose.jpg'), await jpeg(4500));
  await assert.rejects(importFolder(registry, home, 'shoes', src), (e) => isSkulensError(e, 'ERR_DATASET_LAYOUT_INVALID'));
});

test('a missing source folder is refused with ERR_PATH_NOT_FOUND', async (t) => {
  const { home, registry, src } = setup(t);
  await assert.rejects(importFolder(registry, home, 'shoes', path.join(src, 'nope')), (e) => isSkulensError(e, 'ERR_PATH_NOT_FOUND'));
});

test('importing into an unknown project is refused with ERR_PROJECT_NOT_FOUND', async (t) => {
  const { home, registry, src } = setup(t);
  await writeJpegs(path.join(src, 'boot'), 'b', 1, 4600);
  await assert.rejects(importFolder(registry, home, 'ghost', src), (e) => isSkulensError(e, 'ERR_PROJECT_NOT_FOUND'));
});
