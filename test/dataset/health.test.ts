import assert from 'node:assert/strict';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import sharp from 'sharp';
import { checkDataset, formatHealthSummary, importFolder, nearDuplicateClusters, type HealthSummary } from '../../src/dataset/index.js';
import { resolveHome } from '../../src/home/index.js';
import { Registry } from '../../src/registry/index.js';
import { jpeg, png, pngWithClaimedSize, put, tempDir, writeJpegs } from '../helpers/fixtures.js';

/** Imports the folder that `build` writes (two healthy labels of ten, plus whatever it adds) and checks it. */
async function check(t: TestContext, build: (src: string) => Promise<void>): Promise<{ summary: HealthSummary; src: string; registry: Registry }> {
  const root = tempDir(t, 'health');
  const home = resolveHome(path.join(root, 'home'), {});
  const registry = Registry.open(home.database);
  t.after(() => registry.close());
  registry.projects.create('shoes');
  const src = path.join(root, 'src');
  await writeJpegs(path.join(src, 'train', 'boot'), 'b', 10, 3000);
  await writeJpegs(path.join(src, 'train', 'sandal'), 's', 10, 3100);
  await writeJpegs(path.join(src, 'test', 'boot'), 'tb', 2, 3200);
  await writeJpegs(path.join(src, 'test', 'sandal'), 'ts', 2, 3300);
  await build(src);
  await importFolder(registry, home, 'shoes', src);
  return { summary: checkDataset(registry, 'shoes'), src, registry };
}

const finding = (summary: HealthSummary, kind: string) => summary.findings.find((f) => f.kind === kind);

test('files left out at import are reported after it, one finding per kind naming each file', async (t) => {
  const whole = await jpeg(1, 200, 160);
  const cases: Record<string, (src: string) => Promise<string>> = {
    unreadable: async (src) => put(path.join(src, 'train', 'boot', 'empty.jpg'), ''),
    truncated: async (src) => put(path.join(src, 'train', 'boot', 'cut.jpg'), whole.subarray(0, 900)),
    // A vector drawing, which sharp reads but skulens does not take as a photo.
    'unsupported-format': async (src) => put(path.join(src, 'train', 'boot', 'logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><rect width="100" height="100"/></svg>'),
    animated: async (src) => put(path.join(src, 'train', 'boot', 'spin.webp'), await sharp([await png(3), await png(4)], { join: { animated: true } }).webp().toBuffer()),
    'too-small': async (src) => put(path.join(src, 'train', 'boot', 'tiny.jpg'), await jpeg(5, 40, 40)),
  };
  const { summary } = await check(t, async (src) => {
    for (const make of Object.values(cases)) await make(src);
  });
  for (const kind of Object.keys(cases)) {
    const f = finding(summary, kind);
    assert.ok(f, `no ${kind} finding`);
    assert.equal(f.severity, 'warning');
    assert.equal(f.files.length, 1, kind);
    assert.match(f.message, /^1 .+: .+\. [A-Z].+\.$/, `says what, why and what to do: ${f.message}`);
  }
  assert.equal(summary.skippedAtImport, 5);
});

test('a decompression bomb and a file over 15 MB are too-large findings', async (t) => {
  const { summary } = await check(t, async (src) => {
    put(path.join(src, 'train', 'boot', 'bomb.png'), pngWithClaimedSize(100_000, 100_000));
    put(path.join(src, 'train', 'boot', 'huge.jpg'), Buffer.concat([await jpeg(6), Buffer.alloc(15 * 1024 * 1024)]));
  });
  assert.deepEqual(finding(summary, 'too-large')?.files.map((f) => path.basename(f)).sort(), ['bomb.png', 'huge.jpg']);
});

test('an image more than 20:1 long is imported but flagged as extreme-aspect', async (t) => {
  const { summary } = await check(t, async (src) => {
    put(path.join(src, 'train', 'boot', 'strip.jpg'), await jpeg(7, 1400, 64));
  });
  assert.deepEqual(finding(summary, 'extreme-aspect')?.files.map((f) => path.basename(f)), ['strip.jpg (1400x64)']);
});

test('an exact copy under the same label is a note naming both files', async (t) => {
  const { summary, src } = await check(t, async (src) => {
    const bytes = await jpeg(8);
    put(path.join(src, 'train', 'boot', 'a.jpg'), bytes);
    put(path.join(src, 'train', 'boot', 'a-copy.jpg'), bytes);
  });
  const f = finding(summary, 'exact-duplicate');
  assert.equal(f?.severity, 'info');
  assert.equal(f.files.length, 1);
  assert.ok([path.join(src, 'train', 'boot', 'a.jpg'), path.join(src, 'train', 'boot', 'a-copy.jpg')].includes(f.files[0]!));
});

test('nearly identical photos under two labels are a near-duplicate-across-labels warning', async (t) => {
  const { summary } = await check(t, async (src) => {
    const picture = await png(9, 120, 100);
    put(path.join(src, 'train', 'boot', 'twin.png'), picture);
    put(path.join(src, 'train', 'sandal', 'twin.png'), await sharp(picture).png({ compressionLevel: 0 }).toBuffer());
  });
  const f = finding(summary, 'near-duplicate-across-labels');
  assert.equal(f?.severity, 'warning');
  assert.match(f.message, /"boot" and "sandal"/);
  assert.equal(f.files.length, 2);
  assert.equal(finding(summary, 'duplicate-across-labels'), undefined, 'not byte-identical');
});

test('near-duplicate clusters in the training set are reported with their sizes, as training groups them', async (t) => {
  const { summary, registry } = await check(t, async (src) => {
    const burst = await png(10, 120, 100);
    for (let level = 0; level < 3; level += 1) put(path.join(src, 'train', 'boot', `burst-${level}.png`), await sharp(burst).png({ compressionLevel: level * 4 }).toBuffer());
    const pair = await png(11, 120, 100);
    for (let level = 0; level < 2; level += 1) put(path.join(src, 'train', 'sandal', `pair-${level}.png`), await sharp(pair).png({ compressionLevel: level * 9 }).toBuffer());
  });
  assert.deepEqual(summary.trainClusters.sizes, { '2': 1, '3': 1 });
  assert.equal(summary.trainClusters.clusters, 2);
  assert.equal(summary.trainClusters.largest, 3);
  const train = registry.entries.list(registry.projects.get('shoes').id, { split: 'train' });
  assert.equal(summary.trainClusters.groups, new Set(nearDuplicateClusters(train.map((e) => e.dhash))).size);
  assert.equal(finding(summary, 'near-duplicate-clusters')?.files.length, 2);
  assert.match(formatHealthSummary(summary), /Near-duplicate clusters in train \(dHash <= 4 bits\): 2 \(sizes 1x2, 1x3\)/);
});

test('imbalance names the largest and smallest label and the strategy training will use', async (t) => {
  const { summary } = await check(t, async (src) => {
    await writeJpegs(path.join(src, 'train', 'boot'), 'more', 40, 4000);
  });
  assert.equal(summary.imbalanceStrategy, 'class weights (balanced)');
  assert.match(finding(summary, 'imbalance')!.message, /4\.3:1 \(largest\/smallest: "boot" 52, "sandal" 12\); training compensates with class weights \(balanced\)/);
});

test('the ten-second summary shows counts, shares and one line per finding kind with a few files', async (t) => {
  const { summary } = await check(t, async (src) => {
    for (let i = 0; i < 5; i += 1) put(path.join(src, 'train', 'boot', `tiny-${i}.jpg`), await jpeg(50 + i, 40, 40));
  });
  const text = formatHealthSummary(summary);
  assert.match(text, /boot\s+10\s+2\s+50\.0%/);
  assert.match(text, /WARNING 5 image\(s\) under 64 px on a side, left out/);
  assert.match(text, /\.\.\. and 2 more \(--json lists all\)/);
  assert.ok(text.split('\n').length < 20);
});
