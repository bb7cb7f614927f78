// The shape of the commander program, walked over every command: what its help shows and which words it
// takes must not contradict itself (a default shown twice, an option the program itself takes first).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Command } from 'commander';
import { buildProgram } from '../../src/cli/main.js';
import { runCli } from '../helpers/cli.js';
import { Capture, tempDir } from '../helpers/fixtures.js';

/** Every command under the program, with its path (`skulens datasets import`). */
function commands(): { path: string; command: Command; program: Command }[] {
  const { program } = buildProgram({ stdout: new Capture(), stderr: new Capture() });
  const all: { path: string; command: Command; program: Command }[] = [];
  const walk = (command: Command, path: string): void => {
    all.push({ path, command, program });
    for (const sub of command.commands) walk(sub, `${path} ${sub.name()}`);
  };
  walk(program, 'skulens');
  return all;
}

test("no option of any command shows two defaults in its help (its own text and commander's)", () => {
  const doubled = commands().flatMap(({ path, command }) => command.options.filter((o) => o.defaultValue !== undefined && /\(default/.test(o.description)).map((o) => `${path} ${o.flags}`));
  assert.deepEqual(doubled, []);
});

test("no command declares an option the program takes wherever it appears (--home, --version, --help)", () => {
  const shadowed = commands().flatMap(({ path, command, program }) =>
    command === program ? [] : command.options.filter((o) => program.options.some((p) => p.long === o.long) || o.long === '--help').map((o) => `${path} ${o.flags}`),
  );
  assert.deepEqual(shadowed, []);
});

test('datasets check --ranked-by names the version to rank with (it reaches the command, not the program)', async (t) => {
  const run = await runCli(tempDir(t, 'cli-program'), 'datasets', 'check', 'shop', '--ranked-by', 'v3');
  assert.equal(run.code, 1);
  assert.equal(run.stdout, '');
  assert.match(run.stderr, /\[ERR_PROJECT_NOT_FOUND\]\n$/);
});
