// Retakes the console's pictures in docs/screenshots from a real model: trains the default mode on
// clothing-dataset-small through the console (Debian's chromium driven by playwright-core), then
// photographs sign-in, projects, the dataset, the live and finished training, the evaluation, the
// versions, Try it, and the dataset and evaluation at phone width. The tests keep their tiny models.
//   npm run screenshots -- [--data DIR] [--out docs/screenshots] [--home DIR]
// --data: a folder of train/ and test/ label folders (default ../shared/datasets/clothing-dataset-small);
// --home: keep the home there (a second run with the same home finds v1 trained and skips the training).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type Page } from 'playwright-core';
import { KeyStore } from '../src/auth/index.js';
import { resolveHome } from '../src/home/index.js';
import { Registry } from '../src/registry/index.js';
import { createServer } from '../src/serve/index.js';

const REPO = path.resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    data: { type: 'string', default: path.resolve(REPO, '..', 'shared', 'datasets', 'clothing-dataset-small') },
    out: { type: 'string', default: path.join(REPO, 'docs', 'screenshots') },
    home: { type: 'string' },
  },
});
const data = path.resolve(values.data!);
const out = path.resolve(values.out!);
if (!fs.existsSync(path.join(data, 'train')) || !fs.existsSync(path.join(data, 'test'))) throw new Error(`${data} has no train/ and test/ label folders`);
const PROJECT = 'clothing';

/** Builds the console bundle the server serves (dist/console). */
async function buildConsole(): Promise<void> {
  const { build } = await import('vite');
  await build({ configFile: path.join(REPO, 'console', 'vite.config.ts'), logLevel: 'warn' });
}

/** Waits until every thumbnail on the page has loaded (lazy ones too: a full-page picture shows them all). */
async function thumbnails(page: Page): Promise<void> {
  await page.waitForFunction(() => document.querySelectorAll('.thumb.placeholder').length === 0 && document.querySelectorAll('img.thumb').length > 0);
  await page.evaluate(() => document.querySelectorAll('img').forEach((img) => (img.loading = 'eager')));
  await page.waitForFunction(() => [...document.querySelectorAll('img')].every((img) => img.complete), undefined, { timeout: 120_000 });
}

async function shot(page: Page, name: string, fullPage = true): Promise<void> {
  await page.screenshot({ path: path.join(out, `${name}.png`), fullPage, animations: 'disabled' });
  console.error(`wrote ${path.relative(REPO, path.join(out, `${name}.png`))}`);
}

/** The test photo of `label` the try-it page shows (the first by name). */
function testPhoto(label: string): string {
  const folder = path.join(data, 'test', label);
  return path.join(folder, fs.readdirSync(folder).sort()[0]!);
}

const started = performance.now();
const minutes = (): string => ((performance.now() - started) / 60_000).toFixed(1);
const root = values.home ? path.resolve(values.home) : fs.mkdtempSync(path.join(os.tmpdir(), 'skulens-screenshots-'));
const home = resolveHome(path.join(root, 'home'), {});
fs.mkdirSync(out, { recursive: true });
await buildConsole();
const registry = Registry.open(home.database);
const server = await createServer({ home, registry, importRoots: [path.dirname(data)], env: { PATH: process.env.PATH } });
const url = await server.listen({ host: '127.0.0.1', port: 0 });
const key = new KeyStore(registry, home).create('screenshots', 'admin');
const browser = await chromium.launch({ executablePath: process.env.SKULENS_CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-dev-shm-usage'] });
const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
page.setDefaultTimeout(90 * 60_000);

try {
  await page.goto(url);
  await page.getByLabel('Key id').fill(key.id);
  await page.getByLabel('Secret').fill(key.secret);
  await shot(page, '01-sign-in', false);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Projects' }).waitFor();

  const project = registry.projects.find(PROJECT);
  const trained = project !== undefined && registry.versions.list(project.id).some((v) => v.name === 'v1' && v.status !== 'TRAINING_FAILED');
  if (project === undefined) {
    await page.getByLabel('New project').fill(PROJECT);
    await page.getByRole('button', { name: 'Create project' }).click();
    await page.getByLabel('Server folder or S3 prefix').fill(path.basename(data));
    await page.getByRole('button', { name: 'Import' }).click();
    await page.getByText('Last import: create complete').waitFor();
    console.error(`imported at ${minutes()} min`);
  } else {
    await page.goto(`${url}/#/p/${PROJECT}/dataset`);
  }
  await page.getByRole('region', { name: 'Health report' }).waitFor();
  await thumbnails(page);
  await shot(page, '03-dataset');

  await page.getByRole('navigation').getByRole('link', { name: 'Training' }).click();
  if (!trained) {
    // The default mode, as a newcomer would press it.
    await page.getByRole('button', { name: 'Train', exact: true }).click();
    // A picture of the live card once three epochs have drawn their validation accuracy.
    const live = page.getByRole('region', { name: 'Training v1' });
    await live.locator('.epochs canvas').waitFor();
    await page.waitForFunction(() => Number(/epoch (\d+)\//.exec(document.body.innerText)?.[1] ?? 0) >= 4);
    await shot(page, '22-training-live');
    console.error(`three epochs drawn at ${minutes()} min`);
  }
  await page.getByRole('heading', { name: 'Last finished: v1' }).waitFor();
  await page.getByRole('region', { name: 'Training report of v1' }).waitFor();
  console.error(`trained at ${minutes()} min`);
  await shot(page, '04-training');

  await page.getByRole('link', { name: 'Open its evaluation' }).click();
  await page.getByRole('heading', { name: 'Confusion matrix' }).waitFor();
  // Open the most populated mistake cell: the photos a shop would look at first.
  const cells = page.locator('.heat .cell');
  const counts = await cells.evaluateAll((buttons) => buttons.map((b) => Number(b.textContent)));
  const n = Math.round(Math.sqrt(counts.length));
  let pick = -1;
  counts.forEach((count, i) => {
    if (Math.floor(i / n) !== i % n && (pick < 0 || count > counts[pick]!)) pick = i;
  });
  if (pick >= 0 && counts[pick]! > 0) await cells.nth(pick).click();
  await page.locator('.pr canvas').first().waitFor();
  await thumbnails(page);
  await shot(page, '05-evaluation');

  await page.getByRole('navigation').getByRole('link', { name: 'Versions' }).click();
  if ((await page.locator('.status.running').count()) === 0) await page.getByRole('button', { name: 'Start v1' }).click();
  await page.locator('.status.running').waitFor();
  await shot(page, '06-versions');

  await page.getByRole('navigation').getByRole('link', { name: 'Try it' }).click();
  await page.locator('.drop input[type=file]').setInputFiles(testPhoto('hat'));
  await page.getByRole('region', { name: /^Custom labels/ }).locator('.confidences li, .hint, .error').first().waitFor();
  await page.getByRole('region', { name: 'Generic labels' }).locator('.confidences, .hint, .error').first().waitFor();
  await page.getByRole('region', { name: 'Moderation labels' }).locator('.confidences, .hint, .error').first().waitFor();
  await shot(page, '07-try-it');

  await page.goto(`${url}/#/`);
  await page.getByRole('link', { name: PROJECT }).waitFor();
  await shot(page, '02-projects', false);

  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${url}/#/p/${PROJECT}/dataset`);
  await thumbnails(page);
  await shot(page, '08-dataset-phone');
  await page.goto(`${url}/#/p/${PROJECT}/eval/v1`);
  await page.getByRole('heading', { name: 'Confusion matrix' }).waitFor();
  await thumbnails(page);
  await shot(page, '09-evaluation-phone');

  const v1 = registry.versions.get(PROJECT, 'v1');
  console.log(JSON.stringify({ data, out: path.relative(REPO, out), minutes: Number(minutes()), version: { mode: v1.params.mode, backbone: v1.backbone, created: v1.createdAt, completed: v1.completedAt, metrics: v1.metrics } }));
} finally {
  await browser.close();
  await server.close();
  registry.close();
  if (!values.home) fs.rmSync(root, { recursive: true, force: true });
}
