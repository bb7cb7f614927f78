// Tests of the seeded synthetic catalogue behind `skulens demo`: layout, decodability, determinism,
// variety, option checks, and that a machine without fonts still gets its photos.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { generateSyntheticCatalogue, PRODUCTS } from '../../src/demo/index.js';
import { isSkulensError } from '../../src/errors.js';

const SMALL = { perLabel: 3, size: 96 } as const;

async function withTempDir<T>(run: (dir: string) => Promise<T>): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skulens-demo-'));
  try {
    return await run(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Every file under `root` as relative path -> sha256. */
function hashTree(root: string): Map<string, string> {
  const hashes = new Map<string, string>();
  for (const label of fs.readdirSync(root).sort()) {
    for (const name of fs.readdirSync(path.join(root, label)).sort()) {
      const bytes = fs.readFileSync(path.join(root, label, name));
      hashes.set(`${label}/${name}`, createHash('sha256').update(bytes).digest('hex'));
    }
  }
  return hashes;
}

test('it writes perLabel JPEGs per label in a folder per label', async () => {
  await withTempDir(async (dir) => {
    const out = path.join(dir, 'catalogue');
    const catalogue = await generateSyntheticCatalogue(out, SMALL);

    assert.equal(catalogue.root, path.resolve(out));
    assert.deepEqual(catalogue.labels, PRODUCTS.map((p) => p.label));
    assert.equal(catalogue.labels.length, 5);
    assert.equal(catalogue.files, 5 * SMALL.perLabel);
    assert.deepEqual(fs.readdirSync(out).sort(), [...catalogue.labels].sort());
    for (const label of catalogue.labels) {
      assert.match(label, /^[A-Za-z0-9 .-]+$/);
      assert.deepEqual(fs.readdirSync(path.join(out, label)).sort(), [`${label}-001.jpg`, `${label}-002.jpg`, `${label}-003.jpg`]);
    }
  });
});

test('every file decodes with sharp as a JPEG whose long side is the requested size', async () => {
  await withTempDir(async (dir) => {
    const catalogue = await generateSyntheticCatalogue(dir, { ...SMALL, size: 120 });
    for (const label of catalogue.labels) {
      for (const name of fs.readdirSync(path.join(dir, label))) {
        const file = path.join(dir, label, name);
        const meta = await sharp(file).metadata();
        assert.equal(meta.format, 'jpeg', file);
        assert.equal(Math.max(meta.width ?? 0, meta.height ?? 0), 120, file);
        assert.ok(Math.min(meta.width ?? 0, meta.height ?? 0) >= 80, file);
        const { info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
        assert.equal(info.channels, 3, file);
      }
    }
  });
});

test('the same seed gives byte-identical files and a different seed gives different ones', async () => {
  await withTempDir(async (dir) => {
    const first = await generateSyntheticCatalogue(path.join(dir, 'a'), { ...SMALL, seed: 11 });
    const again = await generateSyntheticCatalogue(path.join(dir, 'b'), { ...SMALL, seed: 11 });
    const other = await generateSyntheticCatalogue(path.join(dir, 'c'), { ...SMALL, seed: 12 });

    const a = hashTree(first.root);
    assert.equal(a.size, first.files);
    assert.deepEqual(hashTree(again.root), a);
    const c = hashTree(other.root);
    assert.deepEqual([...c.keys()], [...a.keys()]);
    for (const [name, hash] of c) assert.notEqual(hash, a.get(name), name);
  });
});

test('photos of one label vary in bytes and in pixel statistics', async () => {
  await withTempDir(async (dir) => {
    const catalogue = await generateSyntheticCatalogue(dir, { perLabel: 4, size: 96 });
    const hashes = hashTree(dir);
    for (const label of catalogue.labels) {
      const names = fs.readdirSync(path.join(dir, label));
      assert.equal(new Set(names.map((n) => hashes.get(`${label}/${n}`))).size, names.length, label);

      const means = await Promise.all(
        names.map(async (n) => (await sharp(path.join(dir, label, n)).stats()).channels.slice(0, 3).map((c) => c.mean)),
      );
      const brightness = means.map((rgb) => (rgb[0]! + rgb[1]! + rgb[2]!) / 3);
      assert.ok(Math.max(...brightness) - Math.min(...brightness) > 5, `${label}: brightness ${brightness.join(', ')}`);
    }
  });
});

test('it rejects out-of-range options with ERR_ARGUMENT_INVALID and writes nothing', async () => {
  await withTempDir(async (dir) => {
    const out = path.join(dir, 'never');
    for (const options of [{ perLabel: 0 }, { size: 10 }, { seed: 1.5 }]) {
      await assert.rejects(generateSyntheticCatalogue(out, options), (error) => isSkulensError(error, 'ERR_ARGUMENT_INVALID'));
    }
    assert.equal(fs.existsSync(out), false);
  });
});

test('it still writes every photo on a machine where no fonts can be found', async () => {
  await withTempDir(async (dir) => {
    // An empty fontconfig setup stands in for a bare machine; fontconfig reads it once per process.
    fs.mkdirSync(path.join(dir, 'no-fonts'));
    const config = path.join(dir, 'fonts.conf');
    fs.writeFileSync(config, `<?xml version="1.0"?><fontconfig><dir>${path.join(dir, 'no-fonts')}</dir><cachedir>${path.join(dir, 'cache')}</cachedir></fontconfig>`);
    const entry = pathToFileURL(fileURLToPath(new URL('../../src/demo/index.ts', import.meta.url))).href;
    const script = `const { generateSyntheticCatalogue } = await import(${JSON.stringify(entry)});
      const c = await generateSyntheticCatalogue(${JSON.stringify(path.join(dir, 'out'))}, { perLabel: 1, size: 64 });
      console.log(c.files);`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      env: { ...process.env, FONTCONFIG_FILE: config, FONTCONFIG_PATH: dir },
    });
    assert.equal(stdout.trim(), '5');
    for (const product of PRODUCTS) assert.ok(fs.existsSync(path.join(dir, 'out', product.label, `${product.label}-001.jpg`)));
  });
});
