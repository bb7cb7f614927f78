// Runs the skulens CLI in-process for tests, capturing what it writes.
import { main } from '../../src/cli/main.js';
import { Capture } from './fixtures.js';

/** Runs the CLI against `home`; results land in `stdout`, human lines in `stderr`. */
export async function runCli(home: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await main(['node', 'skulens', '--home', home, ...args], { stdout, stderr });
  return { code, stdout: stdout.text, stderr: stderr.text };
}
