// A fine-tune whose skulens process is killed (SIGKILL, no clean-up code runs) leaves no version:
// the engine notices its stdin closing and stops, the row is marked failed when the home is next
// opened, and the work folder is swept.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { sweepHome } from '../../src/home/index.js';
import { Registry } from '../../src/registry/index.js';
import { exited, spawnNode } from '../helpers/fixtures.js';
import { smallProject, torchPython } from './fixtures.js';

/** Pids of live processes whose command line mentions `text`. */
function processesMentioning(text: string): number[] {
  const pids: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      if (fs.readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(text)) pids.push(Number(name));
    } catch {
      // gone already
    }
  }
  return pids;
}

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const linux = fs.existsSync('/proc/self/cmdline');

test('a fine-tune killed with SIGKILL leaves no version folder, a failed row and nothing in tmp after a sweep', { skip: torchPython() && linux ? false : 'needs torch and /proc' }, async () => {
  const { home, registry } = await smallProject();
  registry.close();
  const child = spawnNode(['src/cli/main.ts', '--home', home.root, 'train', 'p', '--mode', 'fine-tune', '--engine', 'torch', '--backbone', 'small-cnn', '--epochs', '200', '--workers', '1']);
  await until(() => /PyTorch .*: training/.test(child.output().stderr) || child.exitCode !== null, 60_000, 'the engine to start');
  assert.equal(child.exitCode, null, child.output().stderr);
  const engine = home.tmp; // the engine's job file lives in the work folder under tmp/
  assert.ok(processesMentioning(engine).length > 0, 'the engine runs');
  child.kill('SIGKILL');
  await exited(child);
  await until(() => processesMentioning(engine).length === 0, 30_000, 'the engine to stop once its driver is gone');

  const reopened = Registry.open(home.database);
  try {
    const [version, ...others] = reopened.listVersions(reopened.getProject('p').id);
    assert.equal(others.length, 0);
    assert.equal(version!.status, 'TRAINING_FAILED');
    assert.equal(version!.dir, null);
  } finally {
    reopened.close();
  }
  const versions = path.join(home.projects, 'p', 'versions');
  assert.ok(!fs.existsSync(versions) || fs.readdirSync(versions).every((name) => name.startsWith('.')));
  await sweepHome(home);
  assert.deepEqual(fs.readdirSync(home.tmp), []);
});
