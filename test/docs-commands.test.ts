// Every `skulens ...` command that README.md and docs/*.md show is parsed by the real CLI program
// (actions replaced by no-ops), so a documented command cannot drift from the code: an unknown command,
// an option the command lacks, or an argument too many fails here with the page and line. The
// extractor is tested on its own first, so that a page it silently skipped would not pass for checked.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { docCommands, refusal, refusedCommands, runRefusal, variants } from './helpers/doc-commands.js';
import { REPO_ROOT, tempDir } from './helpers/fixtures.js';

const pages = ['README.md', ...fs.readdirSync(path.join(REPO_ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
const read = (page: string): string => fs.readFileSync(path.join(REPO_ROOT, page), 'utf8');

test('the extractor finds commands in code blocks (comments, prompts, npx, env, continuations) and in inline code', () => {
  const page = [
    'Run `skulens projects create shoes` first; `npm test` is not ours.',
    '```sh',
    '$ npx skulens datasets import shoes ./photos   # a comment',
    'SKULENS_HOME=/tmp/h skulens train shoes \\',
    '  --mode fast',
    'skulens predict shoes/v1 a.jpg | jq .; skulens versions list shoes',
    'echo skulens is not at the start',
    '```',
    '| `skulens train <project> [--mode fast\\|frozen]` | a table row |',
  ].join('\n');
  assert.deepEqual(docCommands(page), [
    { line: 1, text: 'skulens projects create shoes' },
    { line: 3, text: 'skulens datasets import shoes ./photos' },
    { line: 4, text: 'skulens train shoes  --mode fast' },
    { line: 6, text: 'skulens predict shoes/v1 a.jpg' },
    { line: 6, text: 'skulens versions list shoes' },
    { line: 9, text: 'skulens train <project> [--mode fast|frozen]' },
  ]);
});

test('a synopsis stands for one argument list per documented choice', () => {
  assert.deepEqual(variants('skulens train <project> [--mode fast|frozen] [--seed N]'), [
    ['train', 'project', '--mode', 'fast', '--seed', 'N'],
    ['train', 'project', '--mode', 'frozen', '--seed', 'N'],
  ]);
  assert.deepEqual(variants('skulens batch shop/v1 s3://bucket/prefix/ --out r.jsonl'), [['batch', 'shop/v1', 's3://bucket/prefix/', '--out', 'r.jsonl']]);
});

test('the checker refuses what the CLI refuses and passes what it takes', async () => {
  assert.equal(await refusal(['keys', 'create', 'console', '--role', 'train']), "error: too many arguments for 'create'. Expected 0 arguments but got 1.");
  assert.equal(await refusal(['projects', 'frobnicate']), "error: unknown command 'frobnicate'");
  assert.match((await refusal(['train', 'shoes', '--color', 'red'])) ?? '', /unknown option '--color'/);
  assert.equal(await refusal(['keys', 'create', '--description', 'console', '--role', 'train']), undefined);
  // A mention of a command in prose names no arguments: it must exist, nothing more.
  assert.equal(await refusal(['datasets', 'import']), undefined);
  assert.equal(await refusal([]), undefined);
  assert.equal(await refusal(['train', '--help']), undefined);
  // The program's own --version would answer instead of the command.
  assert.equal(await refusal(['datasets', 'check', 'shop', '--version', 'v3']), "the program's --version took the command over (it printed the version)");
});

test('a concrete command run in an empty home passes only when it stops at the missing project, version or file', async (t) => {
  const home = tempDir(t, 'doc-commands');
  assert.equal(await runRefusal(['train', 'shoes', '--augment', 'light'], home), 'exit 1: skulens: Invalid value for --augment: it does not apply to --mode fast; --augment is an option of --mode frozen [ERR_ARGUMENT_INVALID]');
  assert.equal(await runRefusal(['train', 'shoes', '--mode', 'frozen', '--augment', 'light'], home), undefined);
  assert.equal(await runRefusal(['predict', 'shoes/v1', 'a.jpg', '--min-confidence', '150'], home), 'exit 1: skulens: Invalid value for --min-confidence: 150 is not a number from 0 to 100 [ERR_ARGUMENT_INVALID]');
});

test('README.md and docs/*.md show commands (the extractor is not reading nothing)', () => {
  assert.ok(docCommands(read('README.md')).length >= 15);
  assert.ok(pages.reduce((n, page) => n + docCommands(read(page)).length, 0) >= 100);
});

test('every skulens command in README.md and docs/*.md parses with the real CLI, and the concrete ones pass its checks', async (t) => {
  const scratch = tempDir(t, 'doc-commands');
  const home = path.join(scratch, 'home');
  // Relative paths in the docs (./photos, predictions.jsonl) resolve in a scratch folder, not the repository.
  const cwd = process.cwd();
  process.chdir(scratch);
  t.after(() => process.chdir(cwd));
  const refused: string[] = [];
  for (const page of pages) refused.push(...(await refusedCommands(read(page), page, home)));
  assert.deepEqual(refused, []);
});
