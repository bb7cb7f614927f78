// The CLI's one-line rule: a usage mistake, a bad number, an import that adds nothing and a delete
// nobody confirmed each end in one `skulens: <message> [<code>]` line and exit 1, never in a screen of
// help or a NaN; deleting a project asks on a terminal (driven here through util-linux `script`).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { REPO_ROOT, put, tempDir, writeJpegs } from '../helpers/fixtures.js';

/** Exactly one line on stderr, ending in `[code]`, nothing on stdout, exit 1. */
function assertOneLine(run: { code: number; stdout: string; stderr: string }, code: string): string {
  assert.equal(run.code, 1, run.stderr);
  assert.equal(run.stdout, '');
  const lines = run.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, run.stderr);
  assert.match(lines[0]!, new RegExp(`^skulens: .+ \\[${code}\\]$`));
  return lines[0]!;
}

test('too many arguments is one coded line naming the command help, not the whole help', async (t) => {
  const line = assertOneLine(await runCli(tempDir(t, 'cli-usage'), 'train', 'x', '--budget', '5', 'parsecs'), 'ERR_CLI_USAGE');
  assert.equal(line, "skulens: too many arguments for 'train'. Expected 1 argument but got 2. See `skulens train --help` [ERR_CLI_USAGE]");
});

test('an unknown option and a missing argument of a subcommand name that subcommand', async (t) => {
  const home = tempDir(t, 'cli-usage');
  assert.equal(
    assertOneLine(await runCli(home, 'projects', 'list', '--jsn'), 'ERR_CLI_USAGE'),
    "skulens: unknown option '--jsn' (Did you mean --json?). See `skulens projects list --help` [ERR_CLI_USAGE]",
  );
  assert.equal(
    assertOneLine(await runCli(home, 'datasets', 'import', 'shop'), 'ERR_CLI_USAGE'),
    "skulens: missing required argument 'source'. See `skulens datasets import --help` [ERR_CLI_USAGE]",
  );
});

test('--help still prints the help on stdout and exits 0', async (t) => {
  const run = await runCli(tempDir(t, 'cli-usage'), 'train', '--help');
  assert.equal(run.code, 0);
  assert.match(run.stdout, /^Usage: skulens train \[options\] <project>/);
});

test('--seed abc is refused naming --seed and what it takes, never NaN', async (t) => {
  const line = assertOneLine(await runCli(tempDir(t, 'cli-usage'), 'train', 'p', '--seed', 'abc'), 'ERR_ARGUMENT_INVALID');
  assert.equal(line, 'skulens: Invalid value for --seed: "abc" is not a whole number from 0 to 2147483647 [ERR_ARGUMENT_INVALID]');
});

test('an import of a folder whose every file is skipped exits 1 with ERR_IMPORT_NOTHING; a re-import of known photos exits 0', async (t) => {
  const root = tempDir(t, 'cli-import-nothing');
  const home = path.join(root, 'home');
  put(path.join(root, 'junk', 'shoe', 'a.jpg'), 'not a photo');
  await writeJpegs(path.join(root, 'good', 'shoe'), 's', 2, 1);
  await writeJpegs(path.join(root, 'good', 'hat'), 'h', 2, 10);
  assert.equal((await runCli(home, 'projects', 'create', 'shop')).code, 0);

  const junk = await runCli(home, 'datasets', 'import', 'shop', path.join(root, 'junk'));
  assert.equal(junk.code, 1);
  assert.match(junk.stderr, /^skipped: .*a\.jpg.*\[ERR_IMAGE_FORMAT_UNSUPPORTED\]$/m);
  assert.match(junk.stderr, /^skulens: Nothing was imported from .*junk: all 1 file\(s\) were skipped, each for the reason printed above \[ERR_IMPORT_NOTHING\]\n$/m);

  const csv = put(path.join(root, 'empty.csv'), 'path,label\n');
  assertOneLine(await runCli(home, 'datasets', 'import', 'shop', csv), 'ERR_IMPORT_NOTHING');

  assert.equal((await runCli(home, 'datasets', 'import', 'shop', path.join(root, 'good'))).code, 0);
  const again = await runCli(home, 'datasets', 'import', 'shop', path.join(root, 'good'));
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr, /Imported 0 new image\(s\) .*\(4 already there, 0 skipped\)/);
});

test('projects delete without a terminal needs --yes, and keeps the project until given it', async (t) => {
  const home = tempDir(t, 'cli-delete');
  assert.equal((await runCli(home, 'projects', 'create', 'shop')).code, 0);
  const refused = assertOneLine(await runCli(home, 'projects', 'delete', 'shop'), 'ERR_NOT_CONFIRMED');
  assert.equal(refused, 'skulens: Project "shop" (0 dataset entries, 0 model versions) was not deleted: there is no terminal to ask on. Pass --yes to delete without asking [ERR_NOT_CONFIRMED]');
  assert.match((await runCli(home, 'projects', 'list')).stdout, /^shop\t/);
  const yes = await runCli(home, 'projects', 'delete', 'shop', '--yes');
  assert.equal(yes.code, 0, yes.stderr);
  assert.equal(yes.stdout, 'Deleted project shop\n');
  assert.match((await runCli(home, 'projects', 'list')).stdout, /^No projects yet/);
});

/** Runs the CLI on a pseudo-terminal (`script`), typing `answer`; resolves with its exit code and what the terminal showed. */
function onTerminal(home: string, args: string[], answer: string): Promise<{ code: number | null; screen: string }> {
  const command = [process.execPath, '--import', 'tsx', 'src/cli/main.ts', '--home', home, ...args].map((a) => `'${a}'`).join(' ');
  const child = spawn('script', ['-qec', command, '/dev/null'], { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  let screen = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => {
    screen += s;
    if (s.includes('[y/N]')) child.stdin.end(`${answer}\n`);
  });
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, screen })));
}

const noScript = fs.existsSync('/usr/bin/script') ? undefined : 'util-linux `script` is not installed (it gives the CLI a terminal)';

test('projects delete on a terminal asks, keeps the project on "n" and deletes it on "y"', { skip: noScript }, async (t) => {
  const home = tempDir(t, 'cli-delete-tty');
  assert.equal((await runCli(home, 'projects', 'create', 'shop')).code, 0);
  const no = await onTerminal(home, ['projects', 'delete', 'shop'], 'n');
  assert.match(no.screen, /Project "shop" \(0 dataset entries, 0 model versions\) will be deleted; this cannot be undone\. Delete it\? \[y\/N\]/);
  assert.equal(no.code, 1, no.screen);
  assert.match(no.screen, /was not deleted: the answer was "n", not yes.*\[ERR_NOT_CONFIRMED\]/);
  assert.match((await runCli(home, 'projects', 'list')).stdout, /^shop\t/);

  const yes = await onTerminal(home, ['projects', 'delete', 'shop'], 'y');
  assert.equal(yes.code, 0, yes.screen);
  assert.match(yes.screen, /Deleted project shop/);
  assert.match((await runCli(home, 'projects', 'list')).stdout, /^No projects yet/);
});
