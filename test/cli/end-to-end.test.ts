// The whole CLI flow on one small synthetic catalogue, in order and sharing one home:
// projects create -> datasets import -> datasets check -> train -> versions list -> evaluate -> predict.
// Training runs the real default backbone, so the catalogue is kept to 3 labels x 8 photos.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { generateSyntheticCatalogue } from '../../src/demo/index.js';
import { RekognitionEvaluationSummarySchema } from '../../src/evaluate/index.js';
import { runCli } from '../helpers/cli.js';
import { put, tempDir } from '../helpers/fixtures.js';

const root = tempDir(undefined, 'cli-e2e');
const home = path.join(root, 'home');
const catalogue = path.join(root, 'catalogue');
const LABELS_KEPT = 3;
const PER_LABEL = 8;
let labels: string[] = [];

const cli = (...args: string[]) => runCli(home, ...args);

before(async () => {
  const generated = await generateSyntheticCatalogue(catalogue, { perLabel: PER_LABEL, size: 96 });
  labels = generated.labels.slice(0, LABELS_KEPT);
  for (const label of generated.labels.slice(LABELS_KEPT)) fs.rmSync(path.join(catalogue, label), { recursive: true });
});
after(() => fs.rmSync(root, { recursive: true, force: true }));

describe('skulens end to end on a 3-label catalogue', () => {
  let arn = '';

  test('projects create makes the project and says so on stdout', async () => {
    const run = await cli('projects', 'create', 'shop');
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, 'Created project shop\n');
  });

  test('projects list --json lists the new project', async () => {
    const run = await cli('projects', 'list', '--json');
    assert.equal(run.code, 0, run.stderr);
    const list = JSON.parse(run.stdout) as { name: string; createdAt: string }[];
    assert.deepEqual(list.map((p) => p.name), ['shop']);
  });

  test('datasets import brings in every photo, split 80/20 per label, and reports on stderr', async () => {
    const run = await cli('datasets', 'import', 'shop', catalogue, '--json');
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout) as { imported: number; skipped: unknown[]; labels: Record<string, { train: number; test: number }> };
    assert.equal(report.imported, LABELS_KEPT * PER_LABEL);
    assert.deepEqual(report.skipped, []);
    assert.deepEqual(report.labels, Object.fromEntries([...labels].sort().map((label) => [label, { train: 6, test: 2 }])));
    assert.match(run.stderr, new RegExp(`Imported ${LABELS_KEPT * PER_LABEL} new image\\(s\\)`));
  });

  test('datasets import a second time imports nothing new', async () => {
    const run = await cli('datasets', 'import', 'shop', catalogue, '--json');
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout) as { imported: number; duplicates: number };
    assert.deepEqual([report.imported, report.duplicates], [0, LABELS_KEPT * PER_LABEL]);
  });

  test('datasets check --json gives the counts and only warnings (labels under ten images), exit code 0', async () => {
    const run = await cli('datasets', 'check', 'shop', '--json');
    assert.equal(run.code, 0, run.stdout);
    const summary = JSON.parse(run.stdout) as { images: { train: number; test: number }; findings: { severity: string; kind: string }[] };
    assert.deepEqual(summary.images, { train: 18, test: 6 });
    assert.deepEqual(summary.findings.filter((f) => f.severity === 'error'), []);
    assert.equal(summary.findings.filter((f) => f.kind === 'label-small').length, LABELS_KEPT);
  });

  test('train --seed 3 --json trains shop/v1 and prints its metrics', async () => {
    const run = await cli('train', 'shop', '--seed', '3', '--json');
    assert.equal(run.code, 0, run.stderr);
    const result = JSON.parse(run.stdout) as { version: string; metrics: { accuracy: number; macroF1: number; images: { train: number; test: number } } };
    assert.equal(result.version, 'shop/v1');
    assert.deepEqual(result.metrics.images, { train: 18, test: 6 });
    assert.ok(result.metrics.accuracy >= 0 && result.metrics.accuracy <= 1);
    assert.match(run.stderr, /Training shop\/v1 (\(fast path\) from|on) backbone \S+ \(seed 3\)/);
  });

  test('versions list --json shows v1 completed with its id, ARN and seed', async () => {
    const run = await cli('versions', 'list', 'shop', '--json');
    assert.equal(run.code, 0, run.stderr);
    const versions = JSON.parse(run.stdout) as { id: string; arn: string; name: string; status: string; seed: number; dir: string }[];
    assert.equal(versions.length, 1);
    const [v1] = versions;
    assert.deepEqual([v1!.id, v1!.name, v1!.status, v1!.seed], ['shop/v1', 'v1', 'TRAINING_COMPLETED', 3]);
    assert.match(v1!.arn, /^arn:aws:rekognition:local:000000000000:project\/shop\/version\/v1\/\d+$/);
    assert.ok(fs.existsSync(path.join(home, v1!.dir, 'model.json')));
    arn = v1!.arn;
  });

  test("evaluate --json prints a summary in Rekognition's shape for the version", async () => {
    const run = await cli('evaluate', 'shop/v1', '--json');
    assert.equal(run.code, 0, run.stderr);
    const summary = RekognitionEvaluationSummarySchema.parse(JSON.parse(run.stdout));
    assert.equal(summary.EvaluationDetails.ProjectVersionArn, arn);
    assert.deepEqual(summary.EvaluationDetails.Labels, [...labels].sort());
    assert.equal(summary.EvaluationDetails.NumberOfTrainingImages, 18);
    assert.equal(summary.EvaluationDetails.NumberOfTestingImages, 6);
    assert.deepEqual(summary.LabelEvaluationResults.map((r) => [r.Label, r.NumberOfTestingImages]), [...labels].sort().map((l) => [l, 2]));
  });

  test('evaluate accepts the ARN as well as the short id', async () => {
    const byId = await cli('evaluate', 'shop/v1', '--json');
    const byArn = await cli('evaluate', arn, '--json');
    assert.equal(byArn.code, 0, byArn.stderr);
    assert.equal(byArn.stdout, byId.stdout);
  });

  test('predict --out writes one JSON line per image, and an Error line for a corrupt file', async () => {
    const folder = path.join(root, 'to-predict');
    const label = labels[0]!;
    const photos = fs.readdirSync(path.join(catalogue, label)).sort().slice(0, 2);
    fs.mkdirSync(folder);
    for (const name of photos) fs.copyFileSync(path.join(catalogue, label, name), path.join(folder, name));
    const whole = fs.readFileSync(path.join(catalogue, label, photos[0]!));
    const corrupt = put(path.join(folder, 'zz-corrupt.jpg'), whole.subarray(0, Math.floor(whole.length / 3)));
    const out = path.join(root, 'predictions.jsonl');

    const run = await cli('predict', 'shop/v1', folder, '--out', out);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, '');
    const lines = fs.readFileSync(out, 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.deepEqual(lines.map((l) => l.Image), [...photos.map((name) => path.join(folder, name)), corrupt]);
    for (const line of lines.slice(0, 2)) {
      assert.ok(Array.isArray(line.CustomLabels), JSON.stringify(line));
      for (const found of line.CustomLabels as { Name: string; Confidence: number }[]) {
        assert.ok(labels.includes(found.Name) && found.Confidence >= 0 && found.Confidence <= 100, JSON.stringify(found));
      }
    }
    const error = lines[2]!.Error as { Code: string; Message: string } | undefined;
    assert.equal(error?.Code, 'ERR_IMAGE_UNREADABLE', JSON.stringify(lines[2]));
    assert.ok(error.Message.includes(corrupt));
    assert.equal(lines[2]!.CustomLabels, undefined);
    assert.match(run.stderr, /Predicted 2 image\(s\), 1 could not be read/);
  });

  test('a second training makes shop/v2', async () => {
    const run = await cli('train', 'shop', '--seed', '3', '--json');
    assert.equal(run.code, 0, run.stderr);
    assert.equal((JSON.parse(run.stdout) as { version: string }).version, 'shop/v2');
  });
});

describe('skulens errors', () => {
  test('an unknown project exits with code 1 and a one-line ERR_PROJECT_NOT_FOUND message on stderr', async () => {
    const run = await cli('datasets', 'check', 'ghost');
    assert.equal(run.code, 1);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /^skulens: Project "ghost" does not exist\..*\[ERR_PROJECT_NOT_FOUND\]\n$/);
  });

  test('datasets check exits with code 2 when the dataset has an error finding', async () => {
    assert.equal((await cli('projects', 'create', 'solo')).code, 0);
    const only = path.join(root, 'one-label');
    fs.cpSync(path.join(catalogue, labels[0]!), path.join(only, labels[0]!), { recursive: true });
    assert.equal((await cli('datasets', 'import', 'solo', only)).code, 0);
    const run = await cli('datasets', 'check', 'solo');
    assert.equal(run.code, 2);
    assert.match(run.stdout, /ERROR Only 1 label\(s\)/);
  });

  test('training an unknown project exits with code 1 and ERR_PROJECT_NOT_FOUND', async () => {
    const run = await cli('train', 'ghost');
    assert.equal(run.code, 1);
    assert.match(run.stderr, /ERR_PROJECT_NOT_FOUND/);
  });

  test('evaluate of a malformed version id exits with code 1 and ERR_VERSION_ID_INVALID', async () => {
    const run = await cli('evaluate', 'shop-v1');
    assert.equal(run.code, 1);
    assert.match(run.stderr, /ERR_VERSION_ID_INVALID/);
  });

  test('predict with a version that does not exist exits with code 1 and ERR_VERSION_NOT_FOUND', async () => {
    const run = await cli('predict', 'shop/v99', root);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /ERR_VERSION_NOT_FOUND/);
  });

  test('an unknown command exits non-zero with commander’s message on stderr', async () => {
    const run = await cli('frobnicate');
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /unknown command 'frobnicate'/);
  });
});
