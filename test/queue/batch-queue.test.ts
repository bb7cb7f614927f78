// Batches on a real Redis queue with real workers: chunking (same lines as a batch in one process),
// retry with backoff after a failed chunk, result reuse by content hash, and stopping a batch.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { runBatch, runBatchOnQueue, workerProcessors, type ClosableDetector } from '../../src/batch/index.js';
import { Predictor } from '../../src/predict/index.js';
import { JobQueue, KEY_TTL_SECONDS, startQueueWorker, type QueueWorkerEvent } from '../../src/queue/index.js';
import { parseVersionRef } from '../../src/registry/index.js';
import { tempDir } from '../helpers/fixtures.js';
import { trainedHome, type TrainedHome } from '../batch/fixtures.js';
import { photoFolder } from './photos.js';
import { startRedis } from './redis.js';

async function setUp(t: TestContext, count: number) {
  const redis = await startRedis(t);
  if (!redis) return null;
  const trained = await trainedHome(tempDir(t, 'queue-home'));
  const photos = tempDir(t, 'queue-photos');
  const files = await photoFolder(photos, count);
  const queue = await JobQueue.open(redis.url);
  redis.defer(() => trained.registry.close());
  redis.defer(() => queue.close());
  return { redis, trained, photos, files, queue };
}

async function worker(redis: { url: string; defer: (close: () => unknown) => void }, trained: TrainedHome, extra: { delayMs?: number; onEvent?: (event: QueueWorkerEvent) => void } = {}) {
  const loadDetector = async (arn: string): Promise<ClosableDetector> => {
    const predictor = await Predictor.load(trained.registry, trained.home, trained.registry.versions.resolve(arn), { workers: 1 });
    if (!extra.delayMs) return predictor;
    return {
      detect: async (...args: Parameters<Predictor['detect']>) => (await new Promise((r) => setTimeout(r, extra.delayMs)), predictor.detect(...args)),
      close: () => predictor.close(),
    };
  };
  const parts = workerProcessors({ registry: trained.registry, home: trained.home, loadDetector });
  const running = await startQueueWorker(redis.url, parts.processors, { lockMs: 2000, onEvent: extra.onEvent });
  redis.defer(() => parts.close());
  redis.defer(() => running.close());
  return running;
}

const read = (file: string): string[] => fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);

test('a batch on the queue is cut into chunks and writes the same lines, in the same order, as a batch in one process', async (t) => {
  const setup = await setUp(t, 10);
  if (!setup) return;
  const { redis, trained, photos, queue } = setup;
  await worker(redis, trained);
  const out = path.join(tempDir(t, 'out'), 'queue.jsonl');
  const result = await runBatchOnQueue(queue, { version: trained.arn, source: photos, output: out, chunkSize: 3 });
  assert.deepEqual({ ...result, queue: undefined }, { total: 11, processed: 11, skipped: 0, failed: 1, queue: undefined });
  assert.deepEqual(result.queue, { chunks: { total: 4, queued: 4, done: 4 }, retries: 0, cached: 0 });

  const local = path.join(tempDir(t, 'out'), 'local.jsonl');
  const predictor = await Predictor.load(trained.registry, trained.home, parseVersionRef(trained.ref), { workers: 1 });
  try {
    await runBatch(predictor, { source: photos, output: local });
  } finally {
    await predictor.close();
  }
  assert.deepEqual(read(out), read(local));
});

test('a chunk whose attempt fails is retried with backoff and the batch still completes', async (t) => {
  const setup = await setUp(t, 6);
  if (!setup) return;
  const { redis, trained, photos, files, queue } = setup;
  // The worker's backbone file is missing at first, so its chunks fail until the file is back.
  const model = path.join(trained.home.models, 'tiny', 'model.onnx');
  fs.renameSync(model, `${model}.away`);
  const failures: string[] = [];
  await worker(redis, trained, {
    onEvent: (event) => {
      if (event.type !== 'failed') return;
      failures.push(event.reason);
      if (fs.existsSync(`${model}.away`)) fs.renameSync(`${model}.away`, model);
    },
  });
  const out = path.join(tempDir(t, 'out'), 'retry.jsonl');
  const result = await runBatchOnQueue(queue, { version: trained.arn, source: photos, output: out, chunkSize: 4, retry: { attempts: 4, backoffMs: 200 } });
  assert.ok(failures.length >= 1);
  assert.match(failures[0]!, /tiny/);
  assert.ok(result.queue!.retries >= 1, `retries ${result.queue!.retries}`);
  assert.deepEqual(read(out).map((line) => JSON.parse(line).Image).sort(), [...files].sort());
});

test('a chunk that fails every attempt fails the batch with ERR_BATCH_CHUNK_FAILED', async (t) => {
  const setup = await setUp(t, 3);
  if (!setup) return;
  const { redis, trained, photos, queue } = setup;
  fs.rmSync(path.join(trained.home.models, 'tiny', 'model.onnx'));
  await worker(redis, trained);
  const out = path.join(tempDir(t, 'out'), 'failed.jsonl');
  await assert.rejects(runBatchOnQueue(queue, { version: trained.arn, source: photos, output: out, retry: { attempts: 2, backoffMs: 50 } }), (error: Error & { code?: string }) => {
    assert.equal(error.code, 'ERR_BATCH_CHUNK_FAILED');
    assert.match(error.message, /chunk 0 failed after 2 attempt\(s\)/);
    return true;
  });
});

test('a second batch over the same photos answers them from the result cache (content hash and version)', async (t) => {
  const setup = await setUp(t, 6);
  if (!setup) return;
  const { redis, trained, photos, queue } = setup;
  await worker(redis, trained);
  const first = path.join(tempDir(t, 'out'), 'first.jsonl');
  const second = path.join(tempDir(t, 'out'), 'second.jsonl');
  const a = await runBatchOnQueue(queue, { version: trained.arn, source: photos, output: first, chunkSize: 4 });
  const b = await runBatchOnQueue(queue, { version: trained.arn, source: photos, output: second, chunkSize: 4 });
  assert.equal(a.queue!.cached, 0);
  // Six readable photos; unreadable files are never cached, so they are tried again.
  assert.equal(b.queue!.cached, 6);
  assert.deepEqual(read(second), read(first));
  // Other detect options are other results: nothing reused.
  const third = await runBatchOnQueue(queue, { version: trained.arn, source: photos, output: path.join(tempDir(t, 'out'), 'third.jsonl'), detect: { maxResults: 1 } });
  assert.equal(third.queue!.cached, 0);
  // What skulens keeps in Redis expires a week after its last write (the caches here; results are deleted as read).
  const cli = (...args: string[]): string => execFileSync('/usr/bin/redis-cli', ['-u', redis.url, ...args], { encoding: 'utf8' }).trim();
  const keys = cli('--scan', '--pattern', 'skulens:*').split('\n').filter(Boolean);
  assert.ok(keys.length >= 2, `the two result caches: ${keys.join(', ')}`);
  for (const key of keys) {
    const ttl = Number(cli('TTL', key));
    assert.ok(ttl > KEY_TTL_SECONDS - 60 && ttl <= KEY_TTL_SECONDS, `${key} expires in ${ttl} s`);
  }
});

test('a stopped batch leaves no chunk on the queue, and running it again resumes from its output', async (t) => {
  const setup = await setUp(t, 12);
  if (!setup) return;
  const { redis, trained, photos, files, queue } = setup;
  await worker(redis, trained, { delayMs: 40 });
  const out = path.join(tempDir(t, 'out'), 'stopped.jsonl');
  const controller = new AbortController();
  await assert.rejects(
    runBatchOnQueue(queue, {
      version: trained.arn,
      source: photos,
      output: out,
      chunkSize: 2,
      window: 3,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.queue!.chunks.done >= 1) controller.abort(new Error('stop'));
      },
    }),
    /stop/,
  );
  const counts = await queue.counts();
  assert.equal(counts.waiting, 0);
  const written = read(out).length;
  assert.ok(written >= 2 && written < files.length, `${written} lines`);
  const resumed = await runBatchOnQueue(queue, { version: trained.arn, source: photos, output: out, chunkSize: 2 });
  assert.equal(resumed.skipped, written);
  assert.deepEqual(read(out).map((line) => JSON.parse(line).Image).sort(), [...files].sort());
});
