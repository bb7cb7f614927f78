// The review loop in a real browser (Debian chromium) against a real server: the Review page lists a
// planted mislabelled photo among the likely mislabelled ones; one click relabels it (recorded under
// the console's key) and it leaves the list; the Compare page compares two versions on the same test
// photos. Screenshots 17-review and 18-compare (into docs/screenshots with `npm run screenshots:review`).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { importFolder } from '../../src/dataset/index.js';
import { trainVersion } from '../../src/jobs/index.js';
import { mislabelledRanking } from '../../src/review/index.js';
import { REPO_ROOT, tempDir } from '../helpers/fixtures.js';
import { browserMissing, launch, signIn } from './browser.js';
import { consoleFixture, ensureConsoleBuilt, type ConsoleFixture } from './fixture.js';

const SHOTS = process.env.SKULENS_SCREENSHOTS ? path.resolve(REPO_ROOT, process.env.SKULENS_SCREENSHOTS) : tempDir(undefined, 'review-shots');
const skip = browserMissing();
const TRAIN = { backbone: 'tiny', workers: 1 } as const;
let fx: ConsoleFixture;
let browser: Browser;
let page: Page;

before(async () => {
  if (skip) return;
  await ensureConsoleBuilt();
  fx = await consoleFixture('console-review', 10);
  const { registry, home } = fx;
  registry.projects.create('shop');
  await importFolder(registry, home, 'shop', fx.catalogue);
  // Two training photos filed under the wrong label, before the first training.
  const project = registry.projects.get('shop');
  const [a, b] = fx.labels;
  const misfile = (from: string, to: string) => {
    const entry = registry.entries.list(project.id, { split: 'train', label: from })[0]!;
    registry.entries.relabel(project.id, entry.id, to, { actor: 'fixture', origin: 'cli' });
  };
  misfile(a!, b!);
  misfile(b!, a!);
  await trainVersion(registry, home, 'shop', TRAIN);
  browser = await launch();
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.setDefaultTimeout(60_000);
});
after(async () => {
  await browser?.close();
  await fx?.close();
});

async function shot(name: string): Promise<void> {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: false, animations: 'disabled' });
}

test('a person relabels a flagged photo with one click, then compares the version trained after it with the one before', { skip }, async () => {
  const { registry, home } = fx;
  const project = registry.projects.get('shop');
  const flagged = (await mislabelledRanking(registry, home, 'shop')).ranked;
  assert.ok(flagged.length > 0, 'the planted photos give the finder something to flag');
  // The photo is shown by its path under the import root (thumbnail alt text), before the relabel.
  const firstShown = `${flagged[0]!.label}: ${flagged[0]!.source.slice(fx.root.length + 1)}`;
  const first = flagged[0]!;

  await signIn(page, fx.url, fx.admin);
  await page.goto(`${fx.url}/#/p/shop/review`);
  const list = page.getByRole('region', { name: 'Likely mislabelled' });
  await list.getByText(`showing ${Math.min(40, flagged.length)} not yet reviewed`).waitFor();
  const item = list.getByRole('listitem').filter({ hasText: `#1 labelled ${first.label}` });
  await item.getByRole('button', { name: `Relabel as ${first.suggested}` }).waitFor();
  assert.equal(await list.locator(`img[alt="${firstShown}"], [aria-label="${firstShown}"]`).count(), 1);
  await shot('17-review');
  await item.getByRole('button', { name: `Relabel as ${first.suggested}` }).click();
  await page.getByRole('status').filter({ hasText: '1 answer(s) since this page opened' }).waitFor();
  // The page offers a new version: one change since v1 (the fixture's own misfiling came before it).
  await page.getByText('1 change(s) to the dataset since the newest version').waitFor();
  assert.equal(registry.entries.get(project.id, first.entryId).label, first.suggested);
  const change = registry.entries.changes(project.id).at(-1)!;
  assert.deepEqual([change.action, change.oldLabel, change.newLabel, change.actor, change.origin], ['relabel', first.label, first.suggested, fx.admin.id, 'api']);
  // The list reloads without the relabelled photo.
  await list.getByText(`showing ${Math.min(40, flagged.length - 1)} not yet reviewed`).waitFor();
  const shown = `${first.label}: ${first.source.slice(fx.root.length + 1)}`;
  assert.equal(await list.locator(`img[alt="${shown}"], [aria-label="${shown}"]`).count(), 0);

  await trainVersion(registry, home, 'shop', TRAIN);
  await page.goto(`${fx.url}/#/p/shop/compare`);
  await page.getByLabel('Version A').selectOption({ label: 'v1' });
  await page.getByLabel('Version B').selectOption({ label: 'v2' });
  await page.getByRole('button', { name: 'Compare' }).click();
  const verdict = page.getByRole('region', { name: 'shop/v1 vs shop/v2' });
  await verdict.waitFor();
  assert.match((await verdict.textContent()) ?? '', /On the same \d+ test photos: accuracy \d\.\d{3} → \d\.\d{3}\./);
  assert.match((await verdict.textContent()) ?? '', /McNemar \((exact binomial|chi-square with continuity correction|no photo changed)\)/);
  assert.equal(await verdict.locator('tbody tr').count(), fx.labels.length);
  await shot('18-compare');
});

test('the dataset grid relabels and removes a photo, each change recorded under the console\'s key', { skip }, async () => {
  const { registry } = fx;
  const project = registry.projects.get('shop');
  const before = registry.entries.changes(project.id).length;
  await page.goto(`${fx.url}/#/p/shop/dataset`);
  const grid = page.getByRole('region', { name: 'Images' });
  const tile = grid.locator('.grid li').first();
  const picker = tile.locator('select.relabel');
  await picker.waitFor();
  const [current, split] = (await tile.locator('.caption').textContent())!.split(' · ') as [string, string];
  assert.equal(await picker.getAttribute('aria-label'), `Relabel as… (now ${current})`);
  const target = fx.labels.find((l) => l !== current)!;
  await picker.selectOption(target);
  for (let i = 0; i < 600 && registry.entries.changes(project.id).length === before; i++) await new Promise((r) => setTimeout(r, 100));
  const relabel = registry.entries.changes(project.id).at(-1)!;
  assert.deepEqual([relabel.action, relabel.oldLabel, relabel.newLabel, relabel.actor, relabel.entry!.split], ['relabel', current, target, fx.admin.id, split]);
  await grid.getByText(`${target} · ${split}`).first().waitFor();
  const first = await grid.locator('.grid li').first().locator('.caption').textContent();
  await grid.locator('.grid li').first().getByRole('button', { name: /^Remove / }).click();
  for (let i = 0; i < 600 && registry.entries.changes(project.id).length === before + 1; i++) await new Promise((r) => setTimeout(r, 100));
  const removed = registry.entries.changes(project.id).at(-1)!;
  assert.deepEqual([removed.action, `${removed.oldLabel} · ${removed.entry!.split}`, removed.actor], ['remove', first, fx.admin.id]);
  assert.equal(registry.entries.find(project.id, removed.sha256, removed.oldLabel!), undefined);
});
