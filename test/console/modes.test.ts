// The console's training modes and label types in a real browser against a real server on 127.0.0.1:
// a fine-tune chosen on the training page reaches CreateProjectVersion as Mode and FineTuneOptions, a
// training draws its epoch curve live and is cancelled with its button (the version is removed), a
// finished fine-tune shows its epoch curves and plan; a project created as "groups" shows one evaluation
// tab per group, and a "multi" one its micro and macro F1 without a confusion matrix.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { importDataset } from '../../src/dataset/index.js';
import { mulberry32 } from '../../src/train/index.js';
import { smallOnnxModel, SMALL_ROW } from '../finetune/fixtures.js';
import { REPO_ROOT, tempDir } from '../helpers/fixtures.js';
import { browserMissing, openConsole } from './browser.js';
import { consoleFixture, ensureConsoleBuilt, type ConsoleFixture } from './fixture.js';

const SHOTS = process.env.SKULENS_SCREENSHOTS ? path.resolve(REPO_ROOT, process.env.SKULENS_SCREENSHOTS) : tempDir(undefined, 'console-mode-shots');
const skip = browserMissing();
let fx: ConsoleFixture;
let browser: Browser;
let page: Page;

before(async () => {
  if (skip) return;
  await ensureConsoleBuilt();
  fx = await consoleFixture('console-modes', 6, { SKULENS_PYTHON: '/nonexistent/python3' });
  fs.mkdirSync(path.join(fx.home.models, 'small-cnn'), { recursive: true });
  fs.writeFileSync(path.join(fx.home.models, 'small-cnn', 'model.onnx'), smallOnnxModel());
  fs.writeFileSync(path.join(fx.home.models, 'small-cnn.backbone.json'), JSON.stringify(SMALL_ROW));
  ({ browser, page } = await openConsole(fx.url, fx.admin, 120_000));
});
after(async () => {
  await browser?.close();
  await fx?.close();
});

async function shot(name: string): Promise<void> {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true, animations: 'disabled' });
}

async function api(operation: string, body: unknown): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const response = await fetch(`${fx.url}/v1/${operation}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${fx.admin.id}:${fx.admin.secret}` }, body: JSON.stringify(body) });
  return response.json();
}

/** Creates a project on the projects page with the given label type radio. */
async function createProject(name: string, labelType: RegExp): Promise<void> {
  await page.goto(`${fx.url}/#/`);
  await page.getByLabel('New project').fill(name);
  await page.getByRole('radio', { name: labelType }).check();
  await page.getByRole('button', { name: 'Create project' }).click();
  await page.getByRole('heading', { name: 'Dataset' }).waitFor();
}

/** The body the console sends with the next CreateProjectVersion, once `click` sends it. */
async function trainRequest(click: () => Promise<void>): Promise<Record<string, unknown>> {
  const [request] = await Promise.all([page.waitForRequest((r) => r.url().endsWith('/v1/CreateProjectVersion')), click()]);
  return request.postDataJSON() as Record<string, unknown>;
}

test('a fine-tune chosen in the console is sent as Mode and FineTuneOptions, cancels with its button, and shows its epoch curves when done', { skip, timeout: 300_000 }, async () => {
  await createProject('tuned', /^Single/);
  const dir = path.join(fx.root, 'colours');
  fs.mkdirSync(dir, { recursive: true });
  // 120 photos: enough that 200 epochs of the small graph outlast the live chart and the cancel by far.
  await importDataset(fx.registry, fx.home, 'tuned', await colourCsv(dir, 'single', 20));

  await page.goto(`${fx.url}/#/p/tuned/train`);
  await page.getByRole('textbox', { name: 'Backbone' }).fill('small-cnn');
  await page.getByRole('radio', { name: /^Fine-tune/ }).check();
  await page.getByRole('textbox', { name: 'Epochs' }).fill('200');
  await page.getByRole('combobox', { name: 'Device' }).selectOption('cpu');
  const long = await trainRequest(() => page.getByRole('button', { name: 'Train', exact: true }).click());
  assert.deepEqual(long, { ProjectArn: 'tuned', Backbone: 'small-cnn', Mode: 'fine-tune', FineTuneOptions: { Epochs: 200, Device: 'cpu' } });
  // While it trains: the live card draws the epoch curve from StatusMessage's epoch lines.
  const live = page.getByRole('region', { name: 'Training v1' });
  await live.locator('.epochs canvas').waitFor();
  assert.match((await live.textContent()) ?? '', /Phase finetune \d+\/\d+ · epoch \d+\/200 loss/);
  // A second point, for the screenshot: 200 epochs of the small graph take well over the seconds this waits.
  await page.waitForFunction(() => Number(document.querySelector('.epochs')?.getAttribute('data-points')) >= 2, undefined, { timeout: 20_000 });
  await shot('22-training-live');
  await page.getByRole('button', { name: 'Cancel v1' }).click();
  await page.getByText('Training v1 cancelled: the version and its files were removed.').waitFor();
  assert.deepEqual((await api('DescribeProjectVersions', { ProjectArn: 'tuned' })).ProjectVersionDescriptions, []);

  await page.getByRole('textbox', { name: 'Epochs' }).fill('2');
  const short = await trainRequest(() => page.getByRole('button', { name: 'Train', exact: true }).click());
  assert.deepEqual(short.FineTuneOptions, { Epochs: 2, Device: 'cpu' });
  await page.getByRole('heading', { name: 'Last finished: v2' }).waitFor();
  const report = page.getByRole('region', { name: 'Training report of v2' });
  await report.locator('.epochs canvas').first().waitFor();
  assert.match((await report.textContent()) ?? '', /v2: 2 epoch\(s\); best validation accuracy [\d.]+%/);
  assert.match((await report.textContent()) ?? '', /Plan: 2 epoch\(s\) at 16 px, about .*; ran 2, stopped by epochs/);
  // The finished fine-tune is offered as a warm start for the next one.
  assert.match((await page.getByRole('combobox', { name: 'Warm start from' }).textContent()) ?? '', /v2 \(fine-tune, F1 [\d.]+%\)/);
  await shot('20-training-fine-tune');
});

/**
 * 3 colours x 2 tones of noisy colour fields, `each` photos a pair (two thirds train), listed in a CSV:
 * as group:value labels (`groups`), as two labels (`multi`: the colour and the tone), or the colour alone (`single`).
 */
async function colourCsv(root: string, kind: 'single' | 'multi' | 'groups', each: number): Promise<string> {
  const random = mulberry32(21);
  const rows = [kind === 'single' ? 'path,label,split' : 'path,labels,split'];
  const labels = (colour: string, tone: string) => ({ single: colour, multi: `${colour}|${tone}`, groups: `colour:${colour}|tone:${tone}` })[kind];
  const colours: Record<string, [number, number, number]> = { red: [200, 40, 40], green: [40, 180, 60], blue: [40, 60, 200] };
  for (const [colour, rgb] of Object.entries(colours)) {
    for (const [tone, scale] of [['light', 1.2], ['dark', 0.5]] as const) {
      for (let k = 0; k < each; k++) {
        const pixels = Buffer.alloc(64 * 64 * 3);
        for (let p = 0; p < pixels.length; p++) pixels[p] = Math.max(0, Math.min(255, Math.round(rgb[p % 3]! * scale + (random() - 0.5) * 60)));
        const file = `${colour}-${tone}-${k}.png`;
        await sharp(pixels, { raw: { width: 64, height: 64, channels: 3 } }).png().toFile(path.join(root, file));
        rows.push(`${file},${labels(colour, tone)},${k < (2 * each) / 3 ? 'train' : 'test'}`);
      }
    }
  }
  fs.writeFileSync(path.join(root, 'labels.csv'), `${rows.join('\n')}\n`);
  return path.join(root, 'labels.csv');
}

test('a project created as groups trains and shows one evaluation tab per group with its confusion matrix', { skip, timeout: 180_000 }, async () => {
  await createProject('attrs', /^Groups/);
  assert.equal(fx.registry.projects.labelType(fx.registry.projects.get('attrs').id), 'groups');
  const dir = path.join(fx.root, 'groups');
  fs.mkdirSync(dir, { recursive: true });
  await importDataset(fx.registry, fx.home, 'attrs', await colourCsv(dir, 'groups', 6));

  await page.goto(`${fx.url}/#/p/attrs/train`);
  await page.getByRole('textbox', { name: 'Backbone' }).fill('tiny');
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await page.getByRole('heading', { name: 'Last finished: v1' }).waitFor();
  await page.getByRole('link', { name: 'Open its evaluation' }).click();
  const summary = (await api('DescribeProjectVersions', { ProjectArn: 'attrs' })).ProjectVersionDescriptions[0].EvaluationSummary;
  const groups = summary.GroupEvaluationResults as { Group: string; Accuracy: number }[];
  assert.deepEqual(groups.map((g) => g.Group).sort(), ['colour', 'tone']);
  const tabs = page.getByRole('tablist', { name: 'Evaluation view' }).getByRole('tab');
  await tabs.first().waitFor();
  assert.deepEqual(await tabs.allTextContents(), ['All labels', ...groups.map((g) => `Group ${g.Group}`)]);
  assert.equal(await page.getByRole('heading', { name: 'Confusion matrix', exact: true }).count(), 0);
  await page.getByRole('tab', { name: 'Group colour' }).click();
  await page.getByRole('heading', { name: 'Confusion matrix: colour' }).waitFor();
  assert.equal(await page.locator('.heat tbody tr').count(), 3);
  const colour = groups.find((g) => g.Group === 'colour')!;
  assert.match((await page.locator('.summary').textContent()) ?? '', new RegExp(`accuracy ${(colour.Accuracy * 100).toFixed(1)}%`));
  await shot('21-evaluation-groups');
});

test('a multi-label project shows micro and macro F1 and its per-label table, without a confusion matrix', { skip, timeout: 180_000 }, async () => {
  await createProject('tags', /^Multi/);
  const dir = path.join(fx.root, 'multi');
  fs.mkdirSync(dir, { recursive: true });
  await importDataset(fx.registry, fx.home, 'tags', await colourCsv(dir, 'multi', 6));
  await page.goto(`${fx.url}/#/p/tags/train`);
  await page.getByRole('textbox', { name: 'Backbone' }).fill('tiny');
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await page.getByRole('heading', { name: 'Last finished: v1' }).waitFor();
  await page.getByRole('link', { name: 'Open its evaluation' }).click();
  const region = page.getByRole('region', { name: /^Multi-label/ });
  await region.waitFor();
  const multi = (await api('DescribeProjectVersions', { ProjectArn: 'tags' })).ProjectVersionDescriptions[0].EvaluationSummary.MultiLabelEvaluationResults;
  assert.match((await region.textContent()) ?? '', new RegExp(`micro F1 ${(multi.Micro.F1Score * 100).toFixed(1)}%.*macro F1 ${(multi.Macro.F1Score * 100).toFixed(1)}%`));
  assert.deepEqual((await region.locator('tbody th').allTextContents()).sort(), ['blue', 'dark', 'green', 'light', 'red']);
  assert.equal(await page.locator('.heat').count(), 0);
  assert.equal(await page.getByRole('slider').count(), 0);
});
