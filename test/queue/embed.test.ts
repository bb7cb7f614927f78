// Embedding fanned out over a queue worker: the vectors land in the worker's embedding cache, where a
// training run's embedWithCache then finds every one of them.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { workerProcessors } from '../../src/batch/index.js';
import { EmbeddingCache, cacheKeyOf, embedWithCache, getBackbone, openEmbedder } from '../../src/backbone/index.js';
import { JobQueue, embedOnWorkers, startQueueWorker } from '../../src/queue/index.js';
import { tempDir } from '../helpers/fixtures.js';
import { trainedHome } from '../batch/fixtures.js';
import { photoFolder } from './photos.js';
import { startRedis } from './redis.js';

test('embedOnWorkers fills the embedding cache through a worker, so the run embeds nothing itself', async (t) => {
  const redis = await startRedis(t);
  if (!redis) return;
  const trained = await trainedHome(tempDir(t, 'embed-home'));
  redis.defer(() => trained.registry.close());
  const files = await photoFolder(tempDir(t, 'embed-photos'), 9);
  const items = files.map((file) => ({ path: file, sha256: createHash('sha256').update(fs.readFileSync(file)).digest('hex') }));
  const parts = workerProcessors({ registry: trained.registry, home: trained.home });
  const worker = await startQueueWorker(redis.url, parts.processors);
  redis.defer(() => parts.close());
  redis.defer(() => worker.close());
  const queue = await JobQueue.open(redis.url);
  redis.defer(() => queue.close());

  const result = await embedOnWorkers(queue, { backbone: 'tiny', items, chunkSize: 4 });
  assert.deepEqual({ ...result, unreadable: result.unreadable.map((file) => path.basename(file)) }, { embedded: 9, unreadable: ['broken.jpg'], chunks: 3, retries: 0 });

  const spec = getBackbone('tiny', trained.home.models);
  const cache = new EmbeddingCache(trained.home.embeddingCache);
  const red = await cache.get(cacheKeyOf(spec), items[0]!.sha256);
  assert.equal(red?.length, 3);
  const embedder = await openEmbedder(spec, { modelsDir: trained.home.models, workers: 1 });
  try {
    let cached = -1;
    const vectors = await embedWithCache(embedder, cache, items.slice(0, 9), { onProgress: (_done, _total, hits) => (cached = hits) });
    assert.equal(cached, 9);
    assert.deepEqual([...vectors.get(items[0]!.sha256)!], [...red!]);
  } finally {
    await embedder.close();
  }
});
