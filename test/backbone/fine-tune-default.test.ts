// Acceptance on a fresh install: `skulens train <p> --mode fine-tune --epochs 1` runs on the default
// backbone (the shipped TFLite, converted at first use) with an empty models folder.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { importFolder } from '../../src/dataset/index.js';
import { resolveHome } from '../../src/home/index.js';
import { Registry } from '../../src/registry/index.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from './fixtures.js';

function hasTorch(): boolean {
  const found = ['/usr/bin/python3', 'python3'].some((python) => spawnSync(python, ['-c', 'import torch, onnx'], { stdio: 'ignore' }).status === 0);
  if (!found && process.env.SKULENS_REQUIRE_TORCH === '1') throw new Error('SKULENS_REQUIRE_TORCH=1 but no python with torch and onnx was found');
  return found;
}

/** Two labels of eight 96 px photos each: warm noise vs cool noise. */
async function writePhotos(root: string): Promise<void> {
  for (const [label, background] of [['warm', { r: 220, g: 90, b: 40 }], ['cool', { r: 40, g: 90, b: 220 }]] as const) {
    fs.mkdirSync(path.join(root, label), { recursive: true });
    for (let k = 0; k < 8; k++) {
      const image = sharp({ create: { width: 96, height: 80, channels: 3, background, noise: { type: 'gaussian', mean: 60 + 10 * k, sigma: 30 } } });
      fs.writeFileSync(path.join(root, label, `${k}.jpg`), await image.jpeg().toBuffer());
    }
  }
}

test('train --mode fine-tune --epochs 1 runs on the default backbone with an empty models folder', { skip: hasTorch() ? false : 'no python with torch and onnx', timeout: 600_000 }, async () => {
  const root = tempDir('fine-tune-default');
  await writePhotos(path.join(root, 'photos'));
  const home = resolveHome(path.join(root, 'home'), {});
  const registry = Registry.open(home.database);
  registry.createProject('p');
  await importFolder(registry, home, 'p', path.join(root, 'photos'));
  registry.close();
  const run = await runCli(home.root, 'train', 'p', '--mode', 'fine-tune', '--epochs', '1', '--workers', '1', '--json');
  assert.equal(run.code, 0, run.stderr);
  const printed = JSON.parse(run.stdout) as { version: string; metrics: { mode: string; epochsRun: number } };
  assert.equal(printed.version, 'p/v1');
  assert.equal(printed.metrics.mode, 'fine-tune');
  assert.equal(printed.metrics.epochsRun, 1);
  assert.match(run.stderr, /from backbone mobilenet-v2-imagenet/);
  assert.deepEqual(fs.readdirSync(path.join(home.models, 'converted')).filter((f) => f.endsWith('.onnx')).length, 1);
});
