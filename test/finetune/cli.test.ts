// `skulens train --mode fine-tune` through the real CLI program, on the small graph.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { smallProject, torchPython } from './fixtures.js';

const cli = runCli;

test('skulens train --mode fine-tune --epochs 1 writes a fine-tuned version and prints its metrics', { skip: torchPython() ? false : 'no python with torch and onnx' }, async () => {
  const { home, registry } = await smallProject();
  registry.close();
  const run = await cli(home.root, 'train', 'p', '--mode', 'fine-tune', '--backbone', 'small-cnn', '--epochs', '1', '--workers', '1', '--json');
  assert.equal(run.code, 0, run.stderr);
  const printed = JSON.parse(run.stdout) as { version: string; metrics: { mode: string; epochsRun: number } };
  assert.equal(printed.version, 'p/v1');
  assert.equal(printed.metrics.mode, 'fine-tune');
  assert.equal(printed.metrics.epochsRun, 1);
  assert.match(run.stderr, /Fine-tuning p\/v1 from backbone small-cnn/);
  assert.match(run.stderr, /finetune: /);
});

test('skulens train --mode with an unknown mode fails naming the option', async () => {
  const { home, registry } = await smallProject();
  registry.close();
  const run = await cli(home.root, 'train', 'p', '--mode', 'deep');
  assert.equal(run.code, 1);
  assert.match(run.stderr, /--mode/);
  assert.match(run.stderr, /ERR_ARGUMENT_INVALID/);
});
