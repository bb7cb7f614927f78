// The evaluation page in a real browser against a real server on 127.0.0.1: accuracy, coverage and
// answered precision side by side (as stored in the version's summary), the labels without test photos,
// and a version whose thresholds were edited on the test split says so.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { importFolder } from '../../src/dataset/index.js';
import { trainVersion } from '../../src/jobs/index.js';
import { writeJpegs } from '../helpers/fixtures.js';
import { browserMissing, openConsole } from './browser.js';
import { consoleFixture, ensureConsoleBuilt, type ConsoleFixture } from './fixture.js';

const skip = browserMissing();
let fx: ConsoleFixture;
let browser: Browser;
let page: Page;

before(async () => {
  if (skip) return;
  await ensureConsoleBuilt();
  fx = await consoleFixture('console-figures');
  fx.registry.projects.create('shop');
  await importFolder(fx.registry, fx.home, 'shop', fx.catalogue);
  // A new product with training photos only: trained and served, untested.
  await writeJpegs(path.join(fx.root, 'new', 'new-sku'), 'n', 6, 900);
  await importFolder(fx.registry, fx.home, 'shop', path.join(fx.root, 'new'), { split: 'train' });
  await trainVersion(fx.registry, fx.home, 'shop', { backbone: 'tiny', tune: false, C: 1, workers: 1 });
  ({ browser, page } = await openConsole(fx.url, fx.admin, 60_000));
});
after(async () => {
  await browser?.close();
  await fx?.close();
});

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

function summaryOf(name: string): { Accuracy: number; Coverage: number; AnsweredPrecision: number; UntestedLabels: string[] } {
  const dir = fx.registry.versions.get('shop', name).dir!;
  return (JSON.parse(fs.readFileSync(path.join(fx.home.root, dir, 'evaluation.json'), 'utf8')) as { AnswerEvaluationResults: ReturnType<typeof summaryOf> }).AnswerEvaluationResults;
}

test('the evaluation page shows coverage and answered precision beside accuracy, and the labels without test photos', { skip }, async () => {
  await page.goto(`${fx.url}/#/p/shop/eval/v1`);
  const figures = page.getByRole('region', { name: 'Figures at the thresholds' });
  await figures.waitFor();
  const stored = summaryOf('v1');
  const text = (await figures.textContent()) ?? '';
  assert.ok(text.includes(`Accuracy${pct(stored.Accuracy)}`), text);
  assert.ok(text.includes(`Coverage${pct(stored.Coverage)}`), text);
  assert.ok(text.includes(`Answered precision${pct(stored.AnsweredPrecision)}`), text);
  assert.deepEqual(stored.UntestedLabels, ['new-sku']);
  assert.match(text, /Untested \(no test photos; trained and served, not measured\): new-sku/);
  assert.equal(await figures.getByRole('note').count(), 0, 'no warning for thresholds fitted on held-out training photos');
});

test('a version whose thresholds were moved on the test split is labelled so on its evaluation page', { skip }, async () => {
  await page.goto(`${fx.url}/#/p/shop/eval/v1`);
  const slider = page.getByLabel(`Threshold of ${fx.labels[0]}`);
  await slider.focus();
  const before = Number(await slider.inputValue());
  for (let i = 0; i < 10; i++) await page.keyboard.press(before > 50 ? 'ArrowLeft' : 'ArrowRight');
  await page.getByRole('button', { name: 'Save thresholds as a new version' }).click();
  await page.getByRole('status').getByText('Saved as v2').waitFor();
  for (let i = 0; i < 100 && fx.registry.versions.get('shop', 'v2').status !== 'TRAINING_COMPLETED'; i++) await new Promise((r) => setTimeout(r, 100));
  // A fresh load, so the versions list holds v2 as completed.
  await page.goto(`${fx.url}/#/p/shop/eval/v2`);
  await page.reload();
  const figures = page.getByRole('region', { name: 'Figures at the thresholds' });
  await figures.getByRole('note').waitFor();
  assert.match((await figures.getByRole('note').textContent()) ?? '', /Thresholds chosen on the test split: these figures flatter/);
  const described = (await (
    await fetch(`${fx.url}/v1/DescribeProjectVersions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${fx.admin.id}:${fx.admin.secret}` }, body: JSON.stringify({ ProjectArn: 'shop', VersionNames: ['v2'] }) })
  ).json()) as { ProjectVersionDescriptions: { EvaluationResult: { ThresholdsChosenOn: string; Coverage: number } }[] };
  assert.equal(described.ProjectVersionDescriptions[0]!.EvaluationResult.ThresholdsChosenOn, 'test');
  assert.equal(described.ProjectVersionDescriptions[0]!.EvaluationResult.Coverage, summaryOf('v2').Coverage);
});
