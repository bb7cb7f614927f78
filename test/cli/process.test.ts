// The CLI as a real child process, and how main() treats the exit code of the process it runs in.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { main } from '../../src/cli/main.js';
import { Capture, exited, spawnNode, tempDir } from '../helpers/fixtures.js';

async function runCli(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawnNode(['src/cli/main.ts', ...args]);
  const { code } = await exited(child);
  return { code, ...child.output() };
}

test('the CLI run as a process prints [] for projects list --json in a new home', async (t) => {
  const home = path.join(tempDir(t, 'cli-process'), 'home');
  const run = await runCli('--home', home, 'projects', 'list', '--json');
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, '[]\n');
});

test('the CLI run as a process exits 1 on an unknown project with ERR_PROJECT_NOT_FOUND on stderr', async (t) => {
  const home = path.join(tempDir(t, 'cli-process'), 'home');
  const run = await runCli('--home', home, 'datasets', 'check', 'ghost');
  assert.equal(run.code, 1);
  assert.equal(run.stdout, '');
  assert.match(run.stderr, /\[ERR_PROJECT_NOT_FOUND\]/);
});

test('the CLI run as a process takes its home from SKULENS_HOME', async (t) => {
  const home = path.join(tempDir(t, 'cli-process'), 'home');
  const child = spawnNode(['src/cli/main.ts', 'projects', 'create', 'shop'], { env: { SKULENS_HOME: home } });
  assert.equal((await exited(child)).code, 0, child.output().stderr);
  const run = await runCli('--home', home, 'projects', 'list');
  assert.match(run.stdout, /^shop\t/);
});

test(
  'main() run in-process returns 0 for a good command after a failed one',
  async (t) => {
    const home = path.join(tempDir(t, 'cli-exitcode'), 'home');
    const io = () => ({ stdout: new Capture(), stderr: new Capture() });
    const before = process.exitCode;
    try {
      assert.equal(await main(['node', 'skulens', '--home', home, 'datasets', 'check', 'ghost'], io()), 1);
      assert.equal(await main(['node', 'skulens', '--home', home, 'projects', 'list'], io()), 0);
    } finally {
      process.exitCode = before;
    }
  },
);
