// The server's batch service on a Redis queue: status with its queue fields, stopping a batch (on the
// queue and in process), and stopping one that has ended.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { BatchService, workerProcessors, type ClosableDetector } from '../../src/batch/index.js';
import { Predictor } from '../../src/predict/index.js';
import { JobQueue, startQueueWorker } from '../../src/queue/index.js';
import { tempDir } from '../helpers/fixtures.js';
import { trainedHome, type TrainedHome } from '../batch/fixtures.js';
import { photoFolder } from './photos.js';
import { startRedis } from './redis.js';

/** A worker in this process whose detector waits `delayMs` per image. */
async function slowWorker(url: string, trained: TrainedHome, delayMs: number) {
  const loadDetector = async (arn: string): Promise<ClosableDetector> => {
    const predictor = await Predictor.load(trained.registry, trained.home, trained.registry.versions.resolve(arn), { workers: 1 });
    return { detect: async (...args: Parameters<Predictor['detect']>) => (await new Promise((r) => setTimeout(r, delayMs)), predictor.detect(...args)), close: () => predictor.close() };
  };
  const parts = workerProcessors({ registry: trained.registry, home: trained.home, loadDetector });
  const worker = await startQueueWorker(url, parts.processors, { lockMs: 2000 });
  return { close: async () => (await worker.close(), await parts.close()) };
}

test('a batch service on Redis reports the queue side of its batches and ends SUCCEEDED', async (t) => {
  const redis = await startRedis(t);
  if (!redis) return;
  const trained = await trainedHome(tempDir(t, 'svc-home'));
  redis.defer(() => trained.registry.close());
  const photos = tempDir(t, 'svc-photos');
  await photoFolder(photos, 7);
  const worker = await slowWorker(redis.url, trained, 0);
  redis.defer(() => worker.close());
  const service = new BatchService(trained.registry, trained.home, { redis: redis.url, chunkSize: 3 });
  redis.defer(() => service.close());
  const started = await service.start({ ProjectVersionArn: trained.arn, Source: photos });
  assert.deepEqual(started.Queue, { Redis: redis.url, ChunkSize: 3, Chunks: { Total: null, Queued: 0, Done: 0 }, Retries: 0, Cached: 0 });
  const ended = await service.wait(started.BatchId);
  assert.equal(ended.Status, 'SUCCEEDED', ended.StatusMessage);
  assert.deepEqual([ended.Total, ended.Processed, ended.Failed], [8, 8, 1]);
  assert.deepEqual(ended.Queue, { Redis: redis.url, ChunkSize: 3, Chunks: { Total: 3, Queued: 3, Done: 3 }, Retries: 0, Cached: 0 });
  await assert.rejects(service.stop(started.BatchId), (error: Error & { code?: string }) => error.code === 'ERR_BATCH_NOT_RUNNING' && /is SUCCEEDED; only an IN_PROGRESS batch/.test(error.message));
});

test('stopping a batch on Redis ends it STOPPED with the lines written so far and no chunk left on the queue', async (t) => {
  const redis = await startRedis(t);
  if (!redis) return;
  const trained = await trainedHome(tempDir(t, 'svc-home'));
  redis.defer(() => trained.registry.close());
  const photos = tempDir(t, 'svc-photos');
  await photoFolder(photos, 20);
  const worker = await slowWorker(redis.url, trained, 60);
  redis.defer(() => worker.close());
  const service = new BatchService(trained.registry, trained.home, { redis: redis.url, chunkSize: 2, concurrency: 1 });
  redis.defer(() => service.close());
  const started = await service.start({ ProjectVersionArn: trained.arn, Source: photos });
  while (service.get(started.BatchId).Queue!.Chunks.Done < 1) await new Promise((r) => setTimeout(r, 20));
  const stopped = await service.stop(started.BatchId);
  assert.equal(stopped.Status, 'STOPPED');
  assert.equal(stopped.StatusMessage, 'stopped by StopBatch; the results keep every line written so far');
  assert.ok(stopped.Processed >= 2 && stopped.Processed < 21, `${stopped.Processed}`);
  const { stream } = service.results(started.BatchId);
  let text = '';
  for await (const chunk of stream) text += chunk;
  assert.equal(text.split('\n').filter(Boolean).length, stopped.Processed);
  const queue = await JobQueue.open(redis.url);
  redis.defer(() => queue.close());
  assert.equal((await queue.counts()).waiting, 0);
});

test('stopping a batch in process (no Redis) ends it STOPPED too', async (t) => {
  const trained = await trainedHome(tempDir(t, 'svc-home'));
  t.after(() => trained.registry.close());
  const photos = tempDir(t, 'svc-photos');
  await photoFolder(photos, 300);
  const service = new BatchService(trained.registry, trained.home, { workers: 1, concurrency: 1 });
  t.after(() => service.close());
  const started = await service.start({ ProjectVersionArn: trained.arn, Source: photos });
  while (service.get(started.BatchId).Processed < 1) await new Promise((r) => setTimeout(r, 5));
  const stopped = await service.stop(started.BatchId);
  assert.equal(stopped.Status, 'STOPPED');
  assert.equal(stopped.Queue, undefined);
  assert.ok(stopped.Processed < 301, `${stopped.Processed}`);
  assert.ok(fs.existsSync(trained.home.batches));
});
