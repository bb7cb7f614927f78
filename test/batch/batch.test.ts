import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { BatchService, CSV_HEADER, runBatch } from '../../src/batch/index.js';
import { parseVersionRef } from '../../src/registry/index.js';
import { Predictor } from '../../src/predict/index.js';
import { solidPng } from '../backbone/fixtures.js';
import { exited, put, spawnNode, tempDir, waitForLine } from '../helpers/fixtures.js';
import { startS3Server } from '../helpers/s3.js';
import { trainedHome } from './fixtures.js';

/** `count` solid-colour PNGs cycling red, green, blue, in two sub-folders, plus one unreadable file. */
async function photoFolder(dir: string, count: number): Promise<string[]> {
  const colours: [number, number, number][] = [[230, 20, 20], [20, 230, 20], [20, 20, 230]];
  const files: string[] = [];
  for (let i = 0; i < count; i++) {
    files.push(put(path.join(dir, i % 2 ? 'b' : 'a', `img-${String(i).padStart(3, '0')}.png`), await solidPng(10, 10, colours[i % 3]!)));
  }
  files.push(put(path.join(dir, 'a', 'broken.jpg'), 'not an image'));
  return files;
}

function jsonLines(file: string): { Image: string; CustomLabels?: { Name: string }[]; Error?: { Code: string } }[] {
  return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));
}

test('a batch writes one JSON line per image, labels for photos and an error for an unreadable file', async (t) => {
  const { home, registry, ref } = await trainedHome(tempDir(t, 'batch'));
  const photos = tempDir(t, 'photos');
  const files = await photoFolder(photos, 6);
  const out = path.join(tempDir(t, 'out'), 'results.jsonl');
  const predictor = await Predictor.load(registry, home, parseVersionRef(ref), { workers: 1 });
  try {
    const result = await runBatch(predictor, { source: photos, output: out });
    assert.deepEqual(result, { total: 7, processed: 7, skipped: 0, failed: 1 });
  } finally {
    await predictor.close();
    registry.close();
  }
  const lines = jsonLines(out);
  assert.deepEqual(lines.map((l) => l.Image).sort(), [...files].sort());
  const red = lines.find((l) => l.Image.endsWith('img-000.png'))!;
  assert.equal(red.CustomLabels![0]!.Name, 'red');
  assert.equal(lines.find((l) => l.Image.endsWith('broken.jpg'))!.Error!.Code, 'ERR_IMAGE_UNREADABLE');
});

test('a CSV batch writes a header and one row per image with the top label', async (t) => {
  const { home, registry, ref } = await trainedHome(tempDir(t, 'batch'));
  const photos = tempDir(t, 'photos');
  await photoFolder(photos, 3);
  const out = path.join(tempDir(t, 'out'), 'results.csv');
  const predictor = await Predictor.load(registry, home, parseVersionRef(ref), { workers: 1 });
  try {
    await runBatch(predictor, { source: photos, output: out });
  } finally {
    await predictor.close();
    registry.close();
  }
  const rows = fs.readFileSync(out, 'utf8').trimEnd().split('\n');
  assert.equal(rows[0], CSV_HEADER);
  assert.equal(rows.length, 5);
  assert.match(rows.find((row) => row.includes('img-001.png'))!, /^[^,]+img-001\.png,green,\d+\.\d{4},green:/);
});

test('a batch killed with SIGKILL and run again skips the images it had finished and ends with each image once', async (t) => {
  const homeDir = tempDir(t, 'batch');
  const { registry, ref } = await trainedHome(homeDir);
  registry.close();
  const photos = tempDir(t, 'photos');
  const files = await photoFolder(photos, 40);
  const out = path.join(tempDir(t, 'out'), 'results.jsonl');

  const first = spawnNode(['test/helpers/batch-child.ts', homeDir, ref, photos, out, '40']);
  try {
    await waitForLine(first, (line) => line === 'processed 8');
    first.kill('SIGKILL');
    assert.equal((await exited(first)).signal, 'SIGKILL');
  } finally {
    first.kill('SIGKILL');
  }
  const before = jsonLines(out).length;
  assert.ok(before >= 8 && before < files.length, `${before} lines after the kill`);

  const second = spawnNode(['test/helpers/batch-child.ts', homeDir, ref, photos, out, '0']);
  const done = await waitForLine(second, (line) => line.startsWith('done '));
  await exited(second);
  const result = JSON.parse(done.slice(5));
  assert.equal(result.skipped, before);
  assert.equal(result.processed, files.length - before);
  const images = jsonLines(out).map((line) => line.Image);
  assert.equal(images.length, files.length);
  assert.deepEqual([...new Set(images)].sort(), [...files].sort());
});

test('a torn last line left by a killed writer is cut off and that image is done again', async (t) => {
  const { home, registry, ref } = await trainedHome(tempDir(t, 'batch'));
  const photos = tempDir(t, 'photos');
  const files = (await photoFolder(photos, 3)).sort();
  const out = path.join(tempDir(t, 'out'), 'results.jsonl');
  fs.writeFileSync(out, `${JSON.stringify({ Image: files[0], CustomLabels: [] })}\n{"Image":"${files[1]}","Custom`);
  const predictor = await Predictor.load(registry, home, parseVersionRef(ref), { workers: 1 });
  try {
    const result = await runBatch(predictor, { source: photos, output: out });
    assert.equal(result.skipped, 1);
    assert.equal(result.processed, 3);
  } finally {
    await predictor.close();
    registry.close();
  }
  assert.deepEqual(jsonLines(out).map((l) => l.Image).sort(), files);
});

test('BatchService runs a batch in the background and reports its progress by id', async (t) => {
  const { home, registry, arn } = await trainedHome(tempDir(t, 'batch'));
  const photos = tempDir(t, 'photos');
  await photoFolder(photos, 4);
  const out = path.join(tempDir(t, 'out'), 'results.jsonl');
  const service = new BatchService(registry, home, { workers: 1 });
  try {
    const started = await service.start({ ProjectVersionArn: arn, Source: photos, Output: out });
    assert.equal(started.Status, 'IN_PROGRESS');
    assert.equal(started.ProjectVersionArn, arn);
    assert.deepEqual(service.list().map((s) => s.BatchId), [started.BatchId]);
    const finished = await service.wait(started.BatchId);
    assert.equal(finished.Status, 'SUCCEEDED');
    assert.deepEqual([finished.Total, finished.Processed, finished.Skipped, finished.Failed], [5, 5, 0, 1]);
    assert.equal(service.get(started.BatchId).Status, 'SUCCEEDED');
  } finally {
    await service.close();
    registry.close();
  }
});

test('BatchService answers an unknown batch id with ERR_BATCH_NOT_FOUND', async (t) => {
  const { home, registry } = await trainedHome(tempDir(t, 'batch'));
  const service = new BatchService(registry, home);
  assert.throws(() => service.get('nope'), { code: 'ERR_BATCH_NOT_FOUND', awsType: 'ResourceNotFoundException', status: 404 });
  await service.close();
  registry.close();
});

test('BatchService refuses a missing source folder before starting', async (t) => {
  const { home, registry, arn } = await trainedHome(tempDir(t, 'batch'));
  const service = new BatchService(registry, home);
  const out = path.join(tempDir(t, 'out'), 'r.jsonl');
  await assert.rejects(service.start({ ProjectVersionArn: arn, Source: path.join(home.root, 'missing'), Output: out }), { code: 'ERR_PATH_NOT_FOUND' });
  assert.deepEqual(service.list(), []);
  await service.close();
  registry.close();
});

test('a batch over an s3:// prefix labels every object and names each by its s3:// URI', async (t) => {
  const server = await startS3Server();
  t.after(() => server.stop());
  await server.createBucket('shop');
  const colours: [number, number, number][] = [[230, 20, 20], [20, 230, 20], [20, 20, 230]];
  for (let i = 0; i < 3; i++) await server.put('shop', `incoming/p${i}.png`, await solidPng(10, 10, colours[i]!));
  await server.put('shop', 'elsewhere/skip.png', await solidPng(10, 10, colours[0]!));
  const { home, registry, ref } = await trainedHome(tempDir(t, 'batch'));
  const out = path.join(tempDir(t, 'out'), 'results.jsonl');
  const predictor = await Predictor.load(registry, home, parseVersionRef(ref), { workers: 1 });
  const store = server.store({ cacheDir: home.s3Cache, tmpDir: home.tmp });
  try {
    const result = await runBatch(predictor, { source: 's3://shop/incoming/', output: out, s3: () => store });
    assert.deepEqual(result, { total: 3, processed: 3, skipped: 0, failed: 0 });
  } finally {
    store.destroy();
    await predictor.close();
    registry.close();
  }
  const lines = jsonLines(out).sort((a, b) => a.Image.localeCompare(b.Image));
  assert.deepEqual(lines.map((l) => l.Image), ['s3://shop/incoming/p0.png', 's3://shop/incoming/p1.png', 's3://shop/incoming/p2.png']);
  assert.deepEqual(lines.map((l) => l.CustomLabels![0]!.Name), ['red', 'green', 'blue']);
});
