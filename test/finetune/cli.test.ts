// `skulens train --mode fine-tune` through the real CLI program, on the small graph.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { smallProject, torchPython } from './fixtures.js';

const cli = runCli;

test('skulens train --mode fine-tune --epochs 1 writes a fine-tuned version and prints its metrics', async () => {
  const { home, registry } = await smallProject();
  registry.close();
  const run = await cli(home.root, 'train', 'p', '--mode', 'fine-tune', '--backbone', 'small-cnn', '--epochs', '1', '--workers', '1', '--json');
  assert.equal(run.code, 0, run.stderr);
  const printed = JSON.parse(run.stdout) as { version: string; metrics: { mode: string; epochsRun: number } };
  assert.equal(printed.version, 'p/v1');
  assert.equal(printed.metrics.mode, 'fine-tune');
  assert.equal(printed.metrics.epochsRun, 1);
  assert.match(run.stderr, /Fine-tuning p\/v1 from backbone small-cnn/);
  assert.match(run.stderr, /onnxruntime on cpu \(float32\): training/);
  assert.match(run.stderr, /Plan: 1 epoch, at 16 px, about \d+\.\d min on cpu \(\d+\.\d\d s\/step at 16, [12] threads?\)\n/);
  assert.match(run.stderr, /finetune: /);
});

test('skulens train --mode fine-tune --from v1 continues from that version and says so', async () => {
  const { home, registry } = await smallProject();
  registry.close();
  const first = await cli(home.root, 'train', 'p', '--mode', 'fine-tune', '--backbone', 'small-cnn', '--epochs', '1', '--workers', '1', '--json');
  assert.equal(first.code, 0, first.stderr);
  const run = await cli(home.root, 'train', 'p', '--mode', 'fine-tune', '--from', 'v1', '--epochs', '1', '--workers', '1');
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /Version p\/v2 \(fine-tuned\): accuracy \d\.\d{3}, coverage \d\.\d{3} at answered precision \d\.\d{3}, macro-F1 \d\.\d{3} on 9 test images; 1 epoch as planned, on cpu/);
  assert.match(run.stderr, /Fine-tuning p\/v2 from backbone small-cnn/);
});

test('--from belongs to --mode fast and fine-tune: frozen refuses it naming the modes', async () => {
  const { home, registry } = await smallProject();
  registry.close();
  const run = await cli(home.root, 'train', 'p', '--mode', 'frozen', '--from', 'v1');
  assert.equal(run.code, 1);
  assert.match(run.stderr, /Invalid value for --from: it does not apply to --mode frozen; --from is an option of --mode fast or fine-tune/);
});

test('skulens train --mode with an unknown mode fails naming the option', async () => {
  const { home, registry } = await smallProject();
  registry.close();
  const run = await cli(home.root, 'train', 'p', '--mode', 'deep');
  assert.equal(run.code, 1);
  assert.match(run.stderr, /--mode/);
  assert.match(run.stderr, /ERR_ARGUMENT_INVALID/);
});
