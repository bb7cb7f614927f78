// A training's embedding step over Redis: with a queue, the images missing from the home's embedding
// cache are embedded by a `skulens worker` process, the run embeds none itself, and the head it trains
// is byte-for-byte the head of the same training in one process.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { EmbeddingCache, getBackbone, openEmbedder, type Embedder } from '../../src/backbone/index.js';
import { embedTrainingImages, fitHeadPipeline, type TrainingImage } from '../../src/jobs/index.js';
import { JobQueue } from '../../src/queue/index.js';
import { encodeHead, type TuningSet } from '../../src/train/index.js';
import { trainedHome } from '../batch/fixtures.js';
import { spawnNode, tempDir, waitForLine } from '../helpers/fixtures.js';
import { photoFolder } from './photos.js';
import { startRedis } from './redis.js';

/** The head a training fits on these images (labels: the photo colour), from the step's vectors. */
function headOf(images: TrainingImage[], labels: number[], vectors: Map<string, Float32Array>): Buffer {
  const set: TuningSet = {
    views: images.map((image) => [vectors.get(image.sha256)!]),
    y: Int32Array.from(labels),
    groups: Int32Array.from(images, (_, i) => i),
    splits: images.map(() => 'train'),
    numClasses: 3,
  };
  const { head } = fitHeadPipeline(set, { seed: 1, C: 'auto', balance: 'auto', tune: true, budgetSeconds: 600 });
  return Buffer.from(encodeHead(head));
}

test('a training over Redis embeds on the worker, nothing in-process, and fits the same head as in one process', async (t) => {
  const redis = await startRedis(t);
  if (!redis) return;
  const homeDir = tempDir(t, 'train-redis-home');
  const trained = await trainedHome(homeDir);
  trained.registry.close();
  const files = (await photoFolder(tempDir(t, 'train-redis-photos'), 18)).filter((file) => file.endsWith('.png'));
  const images = files.map((file) => ({ path: file, sha256: createHash('sha256').update(fs.readFileSync(file)).digest('hex') }));
  const labels = files.map((file) => Number(/img-(\d+)/.exec(path.basename(file))![1]) % 3);
  const spec = getBackbone('tiny', trained.home.models);
  const open = async (): Promise<Embedder> => {
    const embedder = await openEmbedder(spec, { modelsDir: trained.home.models, workers: 1 });
    redis.defer(() => embedder.close());
    return embedder;
  };

  // In one process, with a cache of its own.
  const local = await embedTrainingImages(await open(), new EmbeddingCache(tempDir(t, 'own-cache')), images);
  assert.equal(local.workers, null);

  // Over Redis: a `skulens worker` on the same home fills the home's cache.
  const worker = spawnNode(['src/cli/main.ts', '--home', homeDir, 'worker', '--redis', redis.url]);
  redis.defer(() => worker.kill('SIGKILL'));
  // The CLI compiles under tsx before it is ready: minutes on a loaded machine.
  await waitForLine(worker, (line) => line.startsWith('worker ready on redis://127.0.0.1:'), 120_000);
  const queue = await JobQueue.open(redis.url);
  redis.defer(() => queue.close());
  const embedder = await open();
  const remote = await embedTrainingImages(embedder, new EmbeddingCache(trained.home.embeddingCache), images, { queue, chunkSize: 5 });
  assert.deepEqual(remote.workers, { embedded: 18, unreadable: [], chunks: 4, retries: 0 });
  assert.equal(embedder.stats().reduce((sum, s) => sum + s.embedded, 0), 0, 'the run embedded images itself');
  for (const image of images) assert.deepEqual([...remote.vectors.get(image.sha256)!], [...local.vectors.get(image.sha256)!]);
  assert.deepEqual(headOf(images, labels, remote.vectors), headOf(images, labels, local.vectors));

  // A second training finds everything cached and sends nothing to the queue.
  const again = await embedTrainingImages(embedder, new EmbeddingCache(trained.home.embeddingCache), images, { queue });
  assert.equal(again.workers, null);
});
