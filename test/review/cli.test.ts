// The review loop on the command line: `datasets check` lists the likely mislabelled photos after a
// training, `datasets relabel|keep|remove|history`, `review settings|list|confirm`, `versions compare`.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { HomeLayout } from '../../src/home/index.js';
import { trainVersion } from '../../src/jobs/index.js';
import type { Registry, Version } from '../../src/registry/index.js';
import { captureIfUncertain } from '../../src/review/index.js';
import { tempDir } from '../backbone/fixtures.js';
import { runCli } from '../helpers/cli.js';
import { QUICK, colourPhoto, reviewHome } from './fixtures.js';

let root: string;
let home: HomeLayout;
let registry: Registry;
let v1: Version;
const models = process.env.SKULENS_MODELS;

before(async () => {
  root = tempDir('review-cli');
  ({ home, registry } = await reviewHome(root));
  process.env.SKULENS_MODELS = path.join(root, 'models');
  v1 = (await trainVersion(registry, home, 'shop', QUICK)).version;
});
after(() => {
  if (models === undefined) delete process.env.SKULENS_MODELS;
  else process.env.SKULENS_MODELS = models;
  registry.close();
  fs.rmSync(root, { recursive: true, force: true });
});

test('datasets check lists the likely mislabelled photos after a training, and relabel / keep take them off', async () => {
  const check = await runCli(home.root, 'datasets', 'check', 'shop', '--json');
  assert.equal(check.code, 0, check.stderr);
  const ranking = JSON.parse(check.stdout).mislabelled as { version: string; ranked: { entryId: number; label: string; suggested: string; source: string }[] };
  assert.equal(ranking.version, 'shop/v1');
  const [first, second] = ranking.ranked;
  assert.deepEqual([first, second].map((p) => `${path.basename(p!.source)} ${p!.label}->${p!.suggested}`).sort(), ['blue-50.png red->blue', 'red-50.png green->red']);
  const text = await runCli(home.root, 'datasets', 'check', 'shop');
  assert.match(text.stdout, /Likely mislabelled \(shop\/v1; \d+ of 38 training photos flagged, showing \d+; from out-of-fold probabilities of the version's own tuned head/);
  assert.match(text.stdout, new RegExp(`entry ${first!.entryId}  ${first!.label} -> ${first!.suggested}\\?`));

  const relabel = await runCli(home.root, 'datasets', 'relabel', 'shop', String(first!.entryId), first!.suggested);
  assert.equal(relabel.code, 0, relabel.stderr);
  assert.match(relabel.stdout, new RegExp(`: ${first!.label} -> ${first!.suggested} \\(entry ${first!.entryId}\\)`));
  assert.equal((await runCli(home.root, 'datasets', 'keep', 'shop', String(second!.entryId))).code, 0);
  const again = JSON.parse((await runCli(home.root, 'datasets', 'check', 'shop', '--json')).stdout).mislabelled as { ranked: { entryId: number }[] };
  assert.ok(!again.ranked.some((p) => p.entryId === first!.entryId || p.entryId === second!.entryId));
  const history = JSON.parse((await runCli(home.root, 'datasets', 'history', 'shop', '--json')).stdout) as { action: string; actor: string; origin: string }[];
  assert.deepEqual(history.map((c) => [c.action, c.origin]), [['relabel', 'cli'], ['keep', 'cli']]);
  assert.match(history[0]!.actor, /^cli:/);
});

test('an unknown entry is one coded line', async () => {
  const run = await runCli(home.root, 'datasets', 'remove', 'shop', '999999');
  assert.equal(run.code, 1);
  assert.match(run.stderr, /Dataset entry 999999 does not exist in this project.*\[ERR_ENTRY_NOT_FOUND\]/);
});

test('review settings, list and confirm run the queue from the command line', async () => {
  const set = await runCli(home.root, 'review', 'settings', 'shop', '--enable', '--min-confidence', '0.7', '--max-mb', '5', '--json');
  assert.deepEqual(JSON.parse(set.stdout), { enabled: true, minConfidence: 0.7, minMargin: 0.2, maxBytes: 5 * 1024 ** 2, retentionDays: 30 });
  await captureIfUncertain(registry, home, v1, { bytes: await colourPhoto([90, 90, 90], 400), source: 'photo.png', labels: ['blue', 'green', 'red'], probs: [0.5, 0.3, 0.2], answer: [] });
  const list = await runCli(home.root, 'review', 'list', 'shop', '--json');
  const [item] = JSON.parse(list.stdout) as { id: number; topLabel: string }[];
  assert.equal(item!.topLabel, 'blue');
  const correct = await runCli(home.root, 'review', 'correct', 'shop', String(item!.id), 'green');
  assert.equal(correct.code, 0, correct.stderr);
  assert.match(correct.stdout, /Review item \d+ corrected: entry \d+ \(green\) joined the training set\./);
  assert.equal((await runCli(home.root, 'review', 'list', 'shop')).stdout, 'Nothing to review in shop.\n');
});

test('versions compare prints accuracy, McNemar and per-label F1 of two versions', async () => {
  await trainVersion(registry, home, 'shop', QUICK);
  const run = await runCli(home.root, 'versions', 'compare', 'shop/v1', 'v2');
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^shop\/v1 vs shop\/v2 on 9 test photos: accuracy \d\.\d{3} -> \d\.\d{3}\n\d+ fixed, \d+ broken\. McNemar/);
  assert.match(run.stdout, /\nlabel\tF1 A\tF1 B\tdelta\nblue\t/);
});
