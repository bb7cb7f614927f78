// `skulens train` in its default mode, fast, through the real CLI program: it trains the fast path on the
// ONNX Runtime engine with no Python anywhere; on a backbone it cannot cut, or whose layers above the cut
// use an op without a gradient rule, it says so in one line and trains the frozen head.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { stagedOnnxModel, stagedProject } from './fast-fixtures.js';

type Printed = { version: string; metrics: { mode?: string; epochsRun?: number; members?: number; cut?: string } };

test('skulens train (default mode) trains the fast path and prints its metrics', async () => {
  const { home, registry } = await stagedProject();
  registry.close();
  const run = await runCli(home.root, 'train', 'p', '--backbone', 'staged-cnn', '--cut', '4', '--epochs', '1', '--workers', '1', '--json');
  assert.equal(run.code, 0, run.stderr);
  const printed = JSON.parse(run.stdout) as Printed;
  assert.equal(printed.version, 'p/v1');
  assert.equal(printed.metrics.mode, 'fast');
  assert.equal(printed.metrics.cut, 't9');
  assert.equal(printed.metrics.epochsRun, 1);
  assert.equal(printed.metrics.members, 2, 'two members by default, one epoch each');
  assert.match(run.stderr, /Training p\/v1 \(fast path\) from backbone staged-cnn/);
  assert.doesNotMatch(run.stderr, /Training the frozen head/);
});

test('with Python unreachable, skulens train still trains the fast path (the ONNX Runtime engine)', async () => {
  const { home, registry } = await stagedProject();
  registry.close();
  const before = process.env.SKULENS_PYTHON;
  process.env.SKULENS_PYTHON = '/nonexistent/python3';
  try {
    const run = await runCli(home.root, 'train', 'p', '--backbone', 'staged-cnn', '--cut', '4', '--epochs', '1', '--workers', '1', '--json');
    assert.equal(run.code, 0, run.stderr);
    const printed = JSON.parse(run.stdout) as Printed;
    assert.equal(printed.version, 'p/v1');
    assert.equal(printed.metrics.mode, 'fast');
    assert.doesNotMatch(run.stderr, /Training the frozen head/);
  } finally {
    if (before === undefined) delete process.env.SKULENS_PYTHON;
    else process.env.SKULENS_PYTHON = before;
  }
});

test('an op above the cut without a gradient rule: skulens train falls back to the frozen head, naming the op in one line', async () => {
  const { home, registry } = await stagedProject();
  registry.close();
  fs.writeFileSync(path.join(home.models, 'staged-cnn', 'model.onnx'), stagedOnnxModel(5, 'Softsign'));
  const run = await runCli(home.root, 'train', 'p', '--backbone', 'staged-cnn', '--cut', '4', '--epochs', '1', '--workers', '1', '--json');
  assert.equal(run.code, 0, run.stderr);
  const lines = run.stderr.split('\n').filter((line) => line.includes('Training the frozen head'));
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /backbone staged-cnn above t9: Softsign \(node op11\) has no gradient rule/);
  assert.notEqual((JSON.parse(run.stdout) as Printed).metrics.mode, 'fast');
});

test('on a backbone with no such cut, skulens train falls back to the frozen head naming the channels it has', async () => {
  const { home, registry } = await stagedProject();
  registry.close();
  const run = await runCli(home.root, 'train', 'p', '--backbone', 'staged-cnn', '--workers', '1', '--json');
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /Training the frozen head: backbone staged-cnn has no place to cut: no block output with 96 channels .*4, 6/);
});
