// Worker processes on a real Redis: a worker SIGKILLed in the middle of a chunk loses its chunk to
// another worker and every image still ends up in the output exactly once; and the real
// `skulens worker` and `skulens batch --redis` commands run a batch together and stop cleanly.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { runBatchOnQueue } from '../../src/batch/index.js';
import { JobQueue } from '../../src/queue/index.js';
import { exited, spawnNode, tempDir, waitForLine } from '../helpers/fixtures.js';
import { runCli } from '../helpers/cli.js';
import { trainedHome } from '../batch/fixtures.js';
import { photoFolder } from './photos.js';
import { startRedis } from './redis.js';

const images = (file: string): string[] => fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line).Image);

test('a worker SIGKILLed mid-chunk: another worker takes the chunk over and every image is written exactly once', async (t) => {
  const redis = await startRedis(t);
  if (!redis) return;
  const homeDir = tempDir(t, 'kill-home');
  const trained = await trainedHome(homeDir);
  trained.registry.close();
  const photos = tempDir(t, 'kill-photos');
  const files = await photoFolder(photos, 23);
  const queue = await JobQueue.open(redis.url);
  redis.defer(() => queue.close());

  const first = spawnNode(['test/queue/worker-child.ts', homeDir, redis.url, '400', '1000']);
  redis.defer(() => first.kill('SIGKILL'));
  await waitForLine(first, (line) => line === 'ready');
  const out = path.join(tempDir(t, 'out'), 'results.jsonl');
  // One image at a time, 400 ms each: after "image 5" the first worker is 1.2 s away from ending chunk 1.
  const batch = runBatchOnQueue(queue, { version: trained.arn, source: photos, output: out, chunkSize: 4, concurrency: 1 });
  await waitForLine(first, (line) => line === 'image 5');
  first.kill('SIGKILL');
  assert.equal((await exited(first)).signal, 'SIGKILL');

  const second = spawnNode(['test/queue/worker-child.ts', homeDir, redis.url, '0', '1000']);
  redis.defer(() => second.kill('SIGKILL'));
  const result = await batch;
  assert.equal(result.processed, files.length);
  assert.ok(result.queue!.retries >= 1, `retries ${result.queue!.retries}`);
  const written = images(out);
  assert.equal(written.length, files.length);
  assert.deepEqual([...written].sort(), [...files].sort());
});

test('`skulens worker` and `skulens batch --redis` run a batch together; the worker stops on SIGTERM', async (t) => {
  const redis = await startRedis(t);
  if (!redis) return;
  const homeDir = tempDir(t, 'cli-home');
  const trained = await trainedHome(homeDir);
  trained.registry.close();
  const photos = tempDir(t, 'cli-photos');
  const files = await photoFolder(photos, 8);
  const worker = spawnNode(['src/cli/main.ts', '--home', homeDir, 'worker', '--redis', redis.url]);
  redis.defer(() => worker.kill('SIGKILL'));
  await waitForLine(worker, (line) => line.startsWith('worker ready on redis://127.0.0.1:'));

  const out = path.join(tempDir(t, 'out'), 'results.csv');
  const run = await runCli(homeDir, 'batch', trained.ref, photos, '--out', out, '--redis', redis.url, '--chunk-size', '3', '--json');
  assert.equal(run.code, 0, run.stderr);
  const counts = JSON.parse(run.stdout);
  assert.deepEqual(counts, { total: 9, processed: 9, skipped: 0, failed: 1, queue: { chunks: { total: 3, queued: 3, done: 3 }, retries: 0, cached: 0 } });
  assert.equal(fs.readFileSync(out, 'utf8').trimEnd().split('\n').length, files.length + 1);

  worker.kill('SIGTERM');
  assert.equal((await exited(worker)).code, 0);
  assert.match(worker.output().stderr, /Worker stopped after 3 chunk\(s\)\./);
});

test('a bad --redis URL is refused naming the flag', async (t) => {
  const run = await runCli(tempDir(t, 'home'), 'worker', '--redis', 'http://localhost:6379');
  assert.equal(run.code, 1);
  assert.match(run.stderr, /Invalid value for --redis: "http:" is not supported; use redis:\/\/host:port\[\/db\] \[ERR_ARGUMENT_INVALID\]/);
});
