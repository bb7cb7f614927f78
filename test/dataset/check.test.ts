import assert from 'node:assert/strict';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import sharp from 'sharp';
import { checkDataset, formatHealthSummary, importFolder, type Finding } from '../../src/dataset/index.js';
import { isSkulensError } from '../../src/errors.js';
import { resolveHome } from '../../src/home/index.js';
import { Registry } from '../../src/registry/index.js';
import { jpeg, png, put, tempDir, writeJpegs } from '../helpers/fixtures.js';

/** Imports the folder that `build` writes into a fresh project and returns its health summary. */
async function check(t: TestContext, build: (src: string) => Promise<void>) {
  const root = tempDir(t, 'check');
  const home = resolveHome(path.join(root, 'home'), {});
  const registry = Registry.open(home.database);
  t.after(() => registry.close());
  registry.projects.create('shoes');
  const src = path.join(root, 'src');
  await build(src);
  await importFolder(registry, home, 'shoes', src);
  return { summary: checkDataset(registry, 'shoes'), src };
}

const kinds = (findings: readonly Finding[]): string[] => findings.map((f) => `${f.severity}:${f.kind}`).sort();

test('a healthy dataset of two labels with ten images each has no findings', async (t) => {
  const { summary } = await check(t, async (src) => {
    await writeJpegs(path.join(src, 'boot'), 'b', 10, 100);
    await writeJpegs(path.join(src, 'sandal'), 's', 10, 200);
  });
  assert.deepEqual(summary.findings, []);
  assert.deepEqual(summary.images, { train: 16, test: 4 });
  assert.deepEqual(summary.labels, [
    { label: 'boot', train: 8, test: 2 },
    { label: 'sandal', train: 8, test: 2 },
  ]);
  assert.equal(summary.imbalanceRatio, 1);
  assert.match(formatHealthSummary(summary), /No problems found\./);
});

test('a label with fewer than ten images gets a label-small warning', async (t) => {
  const { summary } = await check(t, async (src) => {
    await writeJpegs(path.join(src, 'boot'), 'b', 10, 300);
    await writeJpegs(path.join(src, 'sandal'), 's', 9, 400);
  });
  assert.deepEqual(kinds(summary.findings), ['warning:label-small']);
  assert.match(summary.findings[0]!.message, /"sandal" has 9 images/);
});

test('a label with one image gets a label-too-small error', async (t) => {
  const { summary } = await check(t, async (src) => {
    await writeJpegs(path.join(src, 'boot'), 'b', 10, 500);
    await writeJpegs(path.join(src, 'hat'), 'h', 1, 600);
  });
  const finding = summary.findings.find((f) => f.kind === 'label-too-small');
  assert.equal(finding?.severity, 'error');
  assert.match(finding!.message, /"hat" has 1 image/);
  assert.ok(!summary.findings.some((f) => f.kind === 'label-small' && f.message.includes('"hat"')));
});

test('the same image under two labels is an error naming both files', async (t) => {
  const { summary, src } = await check(t, async (src) => {
    await writeJpegs(path.join(src, 'boot'), 'b', 10, 700);
    await writeJpegs(path.join(src, 'sandal'), 's', 10, 800);
    const bytes = await jpeg(900);
    put(path.join(src, 'boot', 'twin.jpg'), bytes);
    put(path.join(src, 'sandal', 'twin.jpg'), bytes);
  });
  const duplicates = summary.findings.filter((f) => f.kind === 'duplicate-across-labels');
  assert.equal(duplicates.length, 1);
  assert.equal(duplicates[0]!.severity, 'error');
  assert.deepEqual([...duplicates[0]!.files].sort(), [path.join(src, 'boot', 'twin.jpg'), path.join(src, 'sandal', 'twin.jpg')]);
});

test('a test image that is the same picture as a training image is flagged as leakage', async (t) => {
  const { summary, src } = await check(t, async (src) => {
    await writeJpegs(path.join(src, 'train', 'boot'), 'b', 10, 1000);
    await writeJpegs(path.join(src, 'train', 'sandal'), 's', 10, 1100);
    await writeJpegs(path.join(src, 'test', 'boot'), 'tb', 2, 1200);
    await writeJpegs(path.join(src, 'test', 'sandal'), 'ts', 2, 1300);
    // The same pixels as train/boot/leak.png, saved with other PNG settings: other bytes, same picture.
    const picture = await png(1400, 120, 100);
    put(path.join(src, 'train', 'boot', 'leak.png'), picture);
    put(path.join(src, 'test', 'boot', 'leak.png'), await sharp(picture).png({ compressionLevel: 0 }).toBuffer());
  });
  assert.deepEqual(kinds(summary.findings), ['warning:leakage']);
  assert.deepEqual(summary.findings[0]!.files, [path.join(src, 'test', 'boot', 'leak.png'), path.join(src, 'train', 'boot', 'leak.png')]);
  assert.match(summary.findings[0]!.message, /nearly identical/);
});

test('a test image byte-identical to a training image of another label is both leakage and a duplicate', async (t) => {
  const { summary } = await check(t, async (src) => {
    await writeJpegs(path.join(src, 'train', 'boot'), 'b', 10, 1500);
    await writeJpegs(path.join(src, 'train', 'sandal'), 's', 10, 1600);
    await writeJpegs(path.join(src, 'test', 'boot'), 'tb', 2, 1700);
    await writeJpegs(path.join(src, 'test', 'sandal'), 'ts', 2, 1800);
    const bytes = await jpeg(1900);
    put(path.join(src, 'train', 'boot', 'same.jpg'), bytes);
    put(path.join(src, 'test', 'sandal', 'same.jpg'), bytes);
  });
  assert.deepEqual(kinds(summary.findings), ['error:duplicate-across-labels', 'warning:leakage']);
  assert.match(summary.findings.find((f) => f.kind === 'leakage')!.message, /is identical/);
});

test('a label with only training images is an error: it cannot be evaluated', async (t) => {
  const { summary } = await check(t, async (src) => {
    await writeJpegs(path.join(src, 'train', 'boot'), 'b', 10, 2000);
    await writeJpegs(path.join(src, 'train', 'sandal'), 's', 10, 2100);
    await writeJpegs(path.join(src, 'test', 'boot'), 'tb', 2, 2200);
  });
  assert.deepEqual(kinds(summary.findings), ['error:label-untested']);
  assert.match(summary.findings[0]!.message, /"sandal" has no test images/);
});

test('one label only is a too-few-labels error', async (t) => {
  const { summary } = await check(t, async (src) => {
    await writeJpegs(path.join(src, 'boot'), 'b', 10, 2300);
  });
  assert.deepEqual(kinds(summary.findings), ['error:too-few-labels']);
});

test('classes more than 3:1 apart get an imbalance warning with the ratio', async (t) => {
  const { summary } = await check(t, async (src) => {
    await writeJpegs(path.join(src, 'boot'), 'b', 40, 2400);
    await writeJpegs(path.join(src, 'sandal'), 's', 10, 2500);
  });
  assert.equal(summary.imbalanceRatio, 4);
  assert.deepEqual(kinds(summary.findings), ['warning:imbalance']);
  assert.match(summary.findings[0]!.message, /4\.0:1/);
});

test('checking an unknown project throws ERR_PROJECT_NOT_FOUND', (t) => {
  const home = resolveHome(tempDir(t, 'check'), {});
  const registry = Registry.open(home.database);
  t.after(() => registry.close());
  assert.throws(() => checkDataset(registry, 'ghost'), (e) => isSkulensError(e, 'ERR_PROJECT_NOT_FOUND'));
});
