// How long and how many clicks from a folder of photos to a running version using the web console
// alone (default backbone): sign in, create a project, import the folder (an import root), train, start.
//   npm run bench:console -- [folder]   (default /work/shared/datasets/clothing-dataset-small)
// Prints minutes, clicks and fields typed, and the time of each step.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Locator } from 'playwright-core';
import { KeyStore } from '../src/auth/index.js';
import { resolveHome } from '../src/home/index.js';
import { Registry } from '../src/registry/index.js';
import { createServer } from '../src/serve/index.js';

const folder = path.resolve(process.argv[2] ?? '/work/shared/datasets/clothing-dataset-small');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'skulens-bench-console-'));
const home = resolveHome(path.join(root, 'home'), {});
const registry = Registry.open(home.database);
const server = await createServer({ home, registry, importRoots: [path.dirname(folder)], env: { PATH: process.env.PATH } });
const url = await server.listen({ host: '127.0.0.1', port: 0 });
const key = new KeyStore(registry, home).create('bench', 'train');
const browser = await chromium.launch({ executablePath: process.env.SKULENS_CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
page.setDefaultTimeout(60 * 60_000);

let clicks = 0;
let typed = 0;
const click = async (target: Locator) => (clicks++, target.click());
const type = async (target: Locator, text: string) => (typed++, target.fill(text));
const steps: Record<string, number> = {};
const started = performance.now();
const mark = (name: string) => (steps[name] = Math.round((performance.now() - started) / 100) / 10);

try {
  await page.goto(url);
  await type(page.getByLabel('Key id'), key.id);
  await type(page.getByLabel('Secret'), key.secret);
  await click(page.getByRole('button', { name: 'Sign in' }));
  await type(page.getByLabel('New project'), 'clothing');
  await click(page.getByRole('button', { name: 'Create project' }));
  mark('project created');
  await type(page.getByLabel('Server folder or S3 prefix'), path.basename(folder));
  await click(page.getByRole('button', { name: 'Import' }));
  await page.getByText('Last import: create complete').waitFor();
  mark('imported');
  await click(page.getByRole('navigation').getByRole('link', { name: 'Training' }));
  await click(page.getByRole('button', { name: 'Train', exact: true }));
  await page.getByRole('heading', { name: 'Last finished: v1' }).waitFor();
  mark('trained');
  await click(page.getByRole('navigation').getByRole('link', { name: 'Versions' }));
  await click(page.getByRole('button', { name: 'Start v1' }));
  await page.locator('.status.running').waitFor();
  mark('running');
  const f1 = await page.getByRole('row', { name: /v1/ }).locator('td').nth(1).textContent();
  console.log(JSON.stringify({ folder, minutes: Math.round((performance.now() - started) / 600) / 100, clicks, fieldsTyped: typed, steps, macroF1: f1, load: os.loadavg().map((x) => x.toFixed(2)).join(' ') }));
} finally {
  await browser.close();
  await server.close();
  registry.close();
  fs.rmSync(root, { recursive: true, force: true });
}
