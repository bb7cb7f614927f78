// The CLI edge: options go through the job's zod schema once; a bad value is ERR_ARGUMENT_INVALID naming
// the option and what it allows (never "unexpected error" and a stack), and an option of another
// training mode is refused with a one-line reason.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { z } from 'zod';
import { argumentError, parseOptions } from '../../src/cli/options.js';
import { TrainParamsSchema } from '../../src/jobs/index.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/fixtures.js';

/** One line on stderr, coded, without a stack. */
function assertRefused(run: { code: number; stderr: string }, pattern: RegExp): void {
  assert.equal(run.code, 1);
  assert.match(run.stderr, pattern);
  assert.match(run.stderr, /\[ERR_ARGUMENT_INVALID\]\n$/);
  assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
  assert.doesNotMatch(run.stderr, /unexpected error|\n\s+at /);
}

test('train --mode fine-tune --budget 200h is refused naming --budget and the longest budget allowed', async (t) => {
  const run = await runCli(tempDir(t, 'cli-opts'), 'train', 'p', '--mode', 'fine-tune', '--budget', '200h');
  assertRefused(run, /^skulens: Invalid value for --budget: "200h" is not a duration from 1s to 168h; use seconds or a number with s, m or h, e\.g\. 30m/);
});

test('train --budget 25h (frozen: the search may take up to 24h) is refused naming --budget', async (t) => {
  assertRefused(await runCli(tempDir(t, 'cli-opts'), 'train', 'p', '--mode', 'frozen', '--budget', '25h'), /Invalid value for --budget: "25h" is not a duration from 1s to 24h/);
});

test('train --seed, --c, --epochs and --unfreeze values out of range name their option', async (t) => {
  const home = tempDir(t, 'cli-opts');
  assertRefused(await runCli(home, 'train', 'p', '--seed', 'abc'), /Invalid value for --seed: /);
  assertRefused(await runCli(home, 'train', 'p', '--mode', 'frozen', '--c', '-1'), /Invalid value for --c: Too small: expected number to be >0/);
  assertRefused(await runCli(home, 'train', 'p', '--mode', 'frozen', '--c', 'big'), /Invalid value for --c: use 'auto' or a number greater than 0, at most 1e6/);
  assertRefused(await runCli(home, 'train', 'p', '--mode', 'frozen', '--augment', 'sparkle'), /Invalid value for --augment: /);
  assertRefused(await runCli(home, 'train', 'p', '--mode', 'fine-tune', '--epochs', '0'), /Invalid value for --epochs: /);
  assertRefused(await runCli(home, 'train', 'p', '--mode', 'fine-tune', '--unfreeze', 'some'), /Invalid value for --unfreeze: use 'all' or a number of blocks from 1 to 1000/);
});

test('options of the other training mode are refused with a one-line reason', async (t) => {
  const home = tempDir(t, 'cli-opts');
  assertRefused(
    await runCli(home, 'train', 'p', '--mode', 'fine-tune', '--augment', 'light'),
    /^skulens: Invalid value for --augment: it does not apply to --mode fine-tune; --augment is an option of --mode frozen \[/,
  );
  assertRefused(await runCli(home, 'train', 'p', '--mode', 'frozen', '--epochs', '3'), /Invalid value for --epochs: it does not apply to --mode frozen; --epochs is an option of --mode fast or fine-tune \[/);
  assertRefused(await runCli(home, 'train', 'p', '--c', '0.5'), /Invalid value for --c: it does not apply to --mode fast; --c is an option of --mode frozen \[/);
  assertRefused(await runCli(home, 'train', 'p', '--mode', 'fine-tune', '--no-tune'), /Invalid value for --tune\/--no-tune: it does not apply to --mode fine-tune/);
});

test('options that apply get past the edge: a valid frozen command fails only on the missing project', async (t) => {
  const run = await runCli(tempDir(t, 'cli-opts'), 'train', 'p', '--mode', 'frozen', '--seed', '7', '--budget', '90s', '--c', '0.5', '--no-tune', '--augment', 'light');
  assert.equal(run.code, 1);
  assert.match(run.stderr, /\[ERR_PROJECT_NOT_FOUND\]/);
});

test('predict and batch name their bad options', async (t) => {
  const home = tempDir(t, 'cli-opts');
  assertRefused(await runCli(home, 'predict', 'p/v1', '.', '--min-confidence', '101'), /Invalid value for --min-confidence: /);
  assertRefused(await runCli(home, 'batch', 'p/v1', '.', '--out', 'x.jsonl', '--concurrency', '0'), /Invalid value for --concurrency: /);
  assertRefused(await runCli(home, 'batch', 'p/v1', '.', '--out', 'x.jsonl', '--format', 'xml'), /Invalid value for --format: /);
});

test('parseOptions maps a parameter to its flag and leaves defaults to the schema', () => {
  const params = parseOptions(TrainParamsSchema, { seed: '7', budgetSeconds: '5m', C: undefined }, { budgetSeconds: '--budget' });
  assert.deepEqual([params.seed, params.budgetSeconds, params.C, params.augment], [7, 300, 'auto', 'none']);
  assert.throws(
    () => parseOptions(TrainParamsSchema, { budgetSeconds: 'soon' }, { budgetSeconds: '--budget' }),
    (error) => (error as { code?: string }).code === 'ERR_ARGUMENT_INVALID' && /^Invalid value for --budget: "soon" is not a duration/.test((error as Error).message),
  );
});

test('a ZodError from any schema becomes ERR_ARGUMENT_INVALID naming the option by its flag', () => {
  const result = z.object({ targetPrecision: z.number().max(1) }).safeParse({ targetPrecision: 2 });
  assert.ok(!result.success);
  const error = argumentError(result.error);
  assert.equal(error.code, 'ERR_ARGUMENT_INVALID');
  assert.match(error.message, /^Invalid value for --target-precision: Too big: expected number to be <=1$/);
});
