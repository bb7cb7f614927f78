// The console end to end in a real browser against a real server on 127.0.0.1: sign in, create a
// project, upload a zip of label folders, read the health report, train (tiny test backbone), open
// the evaluation and click a confusion-matrix cell, move a threshold slider and save it as a new
// version, start that version, try a photo. Each page is screenshotted (1280x800, and the dataset and
// evaluation pages at phone width). Along the way: the tuning report of the training, and the
// version's export downloaded as a zip whose files match `skulens export`.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { unzipSync } from 'fflate';
import type { Browser, Page } from 'playwright-core';
import { exportVersion } from '../../src/export/index.js';
import { REPO_ROOT, tempDir } from '../helpers/fixtures.js';
import { browserMissing, launch } from './browser.js';
import { consoleFixture, ensureConsoleBuilt, type ConsoleFixture } from './fixture.js';

// `npm run screenshots` writes them into docs/screenshots; a plain test run takes them into a temp folder
// (so that running the tests does not change tracked files).
const SHOTS = process.env.SKULENS_SCREENSHOTS ? path.resolve(REPO_ROOT, process.env.SKULENS_SCREENSHOTS) : tempDir(undefined, 'console-shots');
const skip = browserMissing();
let fx: ConsoleFixture;
let browser: Browser;
let page: Page;

before(async () => {
  if (skip) return;
  await ensureConsoleBuilt();
  fx = await consoleFixture('console-e2e');
  browser = await launch();
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.setDefaultTimeout(60_000);
});
after(async () => {
  await browser?.close();
  await fx?.close();
});

/** Waits until no thumbnail is still a placeholder. */
async function thumbnailsLoaded(): Promise<void> {
  await page.waitForFunction(() => document.querySelectorAll('.thumb.placeholder').length === 0 && document.querySelectorAll('img.thumb').length > 0);
}

async function shot(name: string, fullPage = true): Promise<void> {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage, animations: 'disabled' });
}

test('a catalogue manager signs in, imports, trains, judges, tunes, starts and tries a model in the browser', { skip }, async () => {
  await page.goto(fx.url);
  await page.getByLabel('Key id').fill(fx.admin.id);
  await page.getByLabel('Secret').fill(fx.admin.secret);
  await shot('01-sign-in', false);
  await page.getByLabel('Secret').fill('wrong');
  await page.getByRole('button', { name: 'Sign in' }).click();
  assert.match((await page.getByRole('alert').textContent()) ?? '', /Access denied/);
  await page.getByLabel('Secret').fill(fx.admin.secret);
  await page.getByRole('button', { name: 'Sign in' }).click();

  await page.getByRole('heading', { name: 'Projects' }).waitFor();
  await page.getByLabel('New project').fill('shop');
  await page.getByRole('button', { name: 'Create project' }).click();

  // Import: the zip goes through the drop zone's file input, as a drop would.
  await page.getByRole('heading', { name: 'Dataset' }).waitFor();
  await page.locator('.drop input[type=file]').setInputFiles({ name: 'catalogue.zip', mimeType: 'application/zip', buffer: fx.zip });
  await page.getByText('Last import: create complete').waitFor();
  const health = page.getByRole('region', { name: 'Health report' });
  await health.getByText(`${fx.labels.length} labels (at least 2 to train)`).waitFor();
  assert.match((await health.textContent()) ?? '', /\d+ train and \d+ test images/);
  await thumbnailsLoaded();
  await shot('03-dataset');

  await page.getByRole('navigation').getByRole('link', { name: 'Training' }).click();
  await page.getByRole('textbox', { name: 'Backbone' }).fill('tiny');
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await page.getByRole('heading', { name: 'Last finished: v1' }).waitFor();
  // The tuning report: every head setting the tuner tried, the chosen one marked.
  const report = page.getByRole('region', { name: 'Training report of v1' });
  await report.getByRole('heading', { name: 'Tuning report' }).waitFor();
  const v1 = fx.registry.versions.get('shop', 'v1').dir!;
  const tried = (JSON.parse(fs.readFileSync(path.join(fx.home.root, v1, 'tuning.json'), 'utf8')) as { tried: unknown[] }).tried.length;
  assert.match((await report.textContent()) ?? '', new RegExp(`${tried} head setting\\(s\\) tried with \\d+-fold grouped cross-validation`));
  assert.equal(await report.locator('tbody tr').count(), tried);
  assert.equal(await report.locator('tbody tr.chosen').count(), 1);
  await shot('04-training');

  await page.getByRole('link', { name: 'Open its evaluation' }).click();
  await page.getByRole('heading', { name: 'Confusion matrix' }).waitFor();
  // The most populated off-diagonal cell when there is a mistake, else the first diagonal one.
  const cells = page.locator('.heat .cell');
  const counts = await cells.evaluateAll((buttons) => buttons.map((b) => Number(b.textContent)));
  const n = fx.labels.length;
  let pick = 0;
  for (let i = 0; i < counts.length; i++) if (Math.floor(i / n) !== i % n && counts[i]! > (Math.floor(pick / n) !== pick % n ? counts[pick]! : 0)) pick = i;
  if (counts[pick] === 0) pick = 0;
  await cells.nth(pick).click();
  const cellHeading = page.locator('.cell-images h3');
  assert.match((await cellHeading.textContent()) ?? '', new RegExp(`: ${counts[pick]} image\\(s\\)$`));
  assert.equal(await page.locator('.cell-images .grid li').count(), counts[pick]);

  const slider = page.getByLabel(`Threshold of ${await page.locator('table.metrics tbody th').first().textContent()}`);
  const before = Number(await slider.inputValue());
  await slider.focus();
  for (let i = 0; i < 15; i++) await page.keyboard.press(before > 50 ? 'ArrowLeft' : 'ArrowRight');
  assert.equal(Number(await slider.inputValue()), before > 50 ? before - 15 : before + 15);
  await page.getByRole('button', { name: 'Save thresholds as a new version' }).click();
  await page.getByRole('status').getByText('Saved as v2').waitFor();
  await page.locator('.pr canvas').first().waitFor();
  await thumbnailsLoaded();
  await shot('05-evaluation');

  await page.getByRole('navigation').getByRole('link', { name: 'Versions' }).click();
  await page.getByRole('button', { name: 'Start v2' }).click();
  await page.locator('.status.running').waitFor();
  // Export download: the zip holds exactly what `skulens export` writes for v1.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download v1' }).click()]);
  assert.equal(download.suggestedFilename(), 'shop-v1.zip');
  const zipped = unzipSync(new Uint8Array(fs.readFileSync(await download.path())));
  const exported = tempDir(undefined, 'console-export');
  const { files } = await exportVersion(fx.registry, fx.home, { project: 'shop', name: 'v1' }, exported);
  const expected = files.map((f) => path.relative(exported, path.resolve(exported, f))).sort();
  assert.deepEqual(Object.keys(zipped).sort(), expected.map((f) => `shop-v1/${f}`));
  for (const f of expected) assert.ok(Buffer.from(zipped[`shop-v1/${f}`]!).equals(fs.readFileSync(path.join(exported, f))), `${f} differs from skulens export's`);
  // A batch over the catalogue folder (under the server's import root) with the running v2: one result line a photo.
  await page.getByRole('textbox', { name: 'Source' }).fill(fx.catalogue);
  await page.getByRole('button', { name: 'Run batch' }).click();
  const batches = page.getByRole('region', { name: 'Batch runs' });
  await batches.getByRole('heading', { name: 'v2' }).waitFor();
  await batches.locator('.status.succeeded').waitFor();
  const [results] = await Promise.all([page.waitForEvent('download'), batches.getByRole('button', { name: 'Download results (jsonl)' }).click()]);
  const lines = fs.readFileSync(await results.path(), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as unknown);
  assert.equal(lines.length, fx.labels.length * 8);
  await shot('06-versions');

  await page.getByRole('navigation').getByRole('link', { name: 'Try it' }).click();
  const label = fx.labels[0]!;
  const folder = path.join(fx.catalogue, label);
  const photo = path.join(folder, fs.readdirSync(folder).sort()[0]!);
  await page.locator('.drop input[type=file]').setInputFiles(photo);
  const custom = page.getByRole('region', { name: /^Custom labels/ });
  // An error line ends the wait too, so that the assertion below prints it.
  await custom.locator('.confidences li, .hint, .error').first().waitFor();
  await page.getByRole('region', { name: 'Moderation labels' }).locator('.confidences, .hint, .error').first().waitFor();
  assert.match((await custom.textContent()) ?? '', /%|not in the catalogue/);
  await shot('07-try-it');

  await page.goto(`${fx.url}/#/`);
  await page.getByRole('link', { name: 'shop' }).waitFor();
  await shot('02-projects', false);

  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${fx.url}/#/p/shop/dataset`);
  await page.locator('.grid img').first().waitFor();
  await thumbnailsLoaded();
  await shot('08-dataset-phone');
  await page.goto(`${fx.url}/#/p/shop/eval/v1`);
  await page.getByRole('heading', { name: 'Confusion matrix' }).waitFor();
  await thumbnailsLoaded();
  await shot('09-evaluation-phone');
});

test('a detect-only key is not offered what its role may not do', { skip }, async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const other = await context.newPage();
  await other.goto(fx.url);
  await other.getByLabel('Key id').fill(fx.detectOnly.id);
  await other.getByLabel('Secret').fill(fx.detectOnly.secret);
  await other.getByRole('button', { name: 'Sign in' }).click();
  await other.getByRole('heading', { name: 'Projects' }).waitFor();
  assert.equal(await other.getByLabel('New project').count(), 0);
  await other.goto(`${fx.url}/#/p/shop/versions`);
  await other.getByRole('row', { name: /v1/ }).waitFor();
  assert.equal(await other.getByRole('button', { name: /Start|Stop|Delete/ }).count(), 0);
  await other.goto(`${fx.url}/#/p/shop/train`);
  await other.getByText('This key may not train (role detect).').waitFor();
  await context.close();
});
