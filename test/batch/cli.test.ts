import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { main } from '../../src/cli/main.js';
import { solidPng } from '../backbone/fixtures.js';
import { Capture, put, tempDir } from '../helpers/fixtures.js';
import { trainedHome } from './fixtures.js';

test('skulens batch labels a folder into JSON Lines and a second run skips every image', async (t) => {
  const homeDir = tempDir(t, 'cli-batch');
  const { registry, ref } = await trainedHome(homeDir);
  registry.close();
  const photos = tempDir(t, 'photos');
  put(path.join(photos, 'red.png'), await solidPng(10, 10, [230, 20, 20]));
  put(path.join(photos, 'blue.png'), await solidPng(10, 10, [20, 20, 230]));
  const out = path.join(tempDir(t, 'out'), 'r.jsonl');
  const run = async (): Promise<{ code: number; stdout: string; stderr: string }> => {
    const stdout = new Capture();
    const stderr = new Capture();
    const code = await main(['node', 'skulens', '--home', homeDir, 'batch', ref, photos, '--out', out, '--workers', '1', '--json'], { stdout, stderr });
    return { code, stdout: stdout.text, stderr: stderr.text };
  };
  const first = await run();
  assert.equal(first.code, 0, first.stderr);
  assert.deepEqual(JSON.parse(first.stdout), { total: 2, processed: 2, skipped: 0, failed: 0 });
  const second = await run();
  assert.deepEqual(JSON.parse(second.stdout), { total: 2, processed: 0, skipped: 2, failed: 0 });
  assert.equal(fs.readFileSync(out, 'utf8').trim().split('\n').length, 2);
});

test('skulens export writes model.onnx, labels.json and README.md', async (t) => {
  const homeDir = tempDir(t, 'cli-export');
  const { registry, ref } = await trainedHome(homeDir);
  registry.close();
  const out = path.join(tempDir(t, 'out'), 'bundle');
  const stderr = new Capture();
  const code = await main(['node', 'skulens', '--home', homeDir, 'export', ref, '--out', out], { stdout: new Capture(), stderr });
  assert.equal(code, 0, stderr.text);
  assert.deepEqual(fs.readdirSync(out).sort(), ['README.md', 'labels.json', 'model.onnx']);
  assert.match(stderr.text, /backbone tiny and head in one graph/);
});
