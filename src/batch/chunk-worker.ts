// What a queue worker does with batch and embedding chunks. A batch chunk: each image read once,
// hashed, answered from the result cache (content hash + version) or predicted, and the chunk's lines
// stored under its index, so a retried chunk overwrites rather than duplicates. An embedding chunk:
// the images' vectors put into the worker's embedding cache.
import { createHash } from 'node:crypto';
import { EmbeddingCache, embedWithCache, getBackbone, openEmbedder, type EmbedInput, type Embedder } from '../backbone/index.js';
import type { HomeLayout } from '../home/index.js';
import { capturingDetector } from './capture.js';
import { Predictor, loadChecked, predictStream, type DetectOptions, type Detector, type Prediction, type PredictionLine, type SourceItem } from '../predict/index.js';
import { EMBED_CHUNK_JOB, EmbedChunkSchema, embedResultsKey, type JobInfo, type JobProcessor } from '../queue/index.js';
import type { Registry } from '../registry/index.js';
import { isS3Uri, parseS3Uri, type S3Store } from '../storage/index.js';
import { BATCH_CHUNK_JOB, BatchChunkSchema, batchCancelKey, batchResultsKey, resultCacheKey } from './chunks.js';

/** A detector a worker keeps per version, closed when the worker stops. */
export type ClosableDetector = Detector & { close(): Promise<void> };

/** What a batch chunk leaves in the queue's store for the collector. */
export interface ChunkResult {
  lines: PredictionLine[];
  /** Images answered from the result cache. */
  cached: number;
  /** Which try of the chunk this was (1: first). */
  attempt: number;
}

export interface WorkerDeps {
  registry: Registry;
  home: HomeLayout;
  s3?: () => S3Store;
  /** Embedding threads per loaded backbone (default 1: run one worker process per core). */
  workers?: number;
  /** How a version becomes a detector; default: Predictor.load in this home. */
  loadDetector?: (versionArn: string) => Promise<ClosableDetector>;
}

/** Largest image a worker reads into memory (the import limit). */
const MAX_IMAGE_BYTES = 15 * 1024 * 1024;

async function readImage(image: string, file: string | null | undefined, s3: (() => S3Store) | undefined): Promise<EmbedInput> {
  if (isS3Uri(image)) {
    if (!s3) throw new Error(`this worker has no S3 settings to read ${image}`);
    return { name: image, bytes: await s3().download(parseS3Uri(image), { maxBytes: MAX_IMAGE_BYTES }) };
  }
  // Bytes and path both: the bytes are hashed and decoded, the path names the file in errors. The file is
  // read through its real path as listed, and only if no folder on the way was swapped for a link since.
  return loadChecked(file ?? image, image);
}

/**
 * The processors of a `skulens worker`: batch chunks and embedding chunks. Call `close` when the
 * worker stops, to release the models it loaded.
 */
export function workerProcessors(deps: WorkerDeps): { processors: Record<string, JobProcessor>; close(): Promise<void> } {
  const detectors = new Map<string, Promise<ClosableDetector>>();
  const embedders = new Map<string, Promise<Embedder>>();
  const load =
    deps.loadDetector ??
    (async (arn: string): Promise<ClosableDetector> =>
      capturingDetector(deps.registry, deps.home, await Predictor.load(deps.registry, deps.home, deps.registry.versions.resolve(arn), { workers: deps.workers ?? 1 })));
  // A failed load is forgotten, so the chunk's retry tries again (the model may have been copied in since).
  const cached = <T>(map: Map<string, Promise<T>>, key: string, make: () => Promise<T>): Promise<T> => {
    let entry = map.get(key);
    if (!entry) {
      entry = make();
      map.set(key, entry);
      entry.catch(() => map.delete(key));
    }
    return entry;
  };

  const batchChunk = async (raw: unknown, info: JobInfo): Promise<unknown> => {
    const data = BatchChunkSchema.parse(raw);
    const { store } = info;
    const cancelled = async (): Promise<boolean> => (await store.get(batchCancelKey(data.batch))) !== null;
    if (await cancelled()) return { cancelled: true };
    const detector = await cached(detectors, data.version, () => load(data.version));
    const cacheKey = resultCacheKey(data.version, data.detect);
    let hits = 0;
    const remembering: Detector = {
      async detect(input: EmbedInput, options?: DetectOptions): Promise<Prediction> {
        const sha256 = createHash('sha256').update(input.bytes!).digest('hex');
        const hit = await store.hashGet(cacheKey, sha256);
        if (hit !== null) {
          hits += 1;
          return { CustomLabels: JSON.parse(hit) as Prediction['CustomLabels'] };
        }
        // Decoded from the bytes read, exactly as a batch in one process does (same errors).
        const prediction = await detector.detect(input, options);
        await store.hashSet(cacheKey, { [sha256]: JSON.stringify(prediction.CustomLabels) });
        return prediction;
      },
    };
    async function* items(): AsyncGenerator<SourceItem> {
      for (const [i, image] of data.images.entries()) yield { image, load: () => readImage(image, data.files?.[i], deps.s3) };
    }
    const lines: PredictionLine[] = [];
    for await (const line of predictStream(remembering, items(), { detect: data.detect, concurrency: data.concurrency })) lines.push(line);
    if (await cancelled()) return { cancelled: true };
    const result: ChunkResult = { lines, cached: hits, attempt: info.attempt };
    await store.hashSet(batchResultsKey(data.batch), { [String(data.chunk)]: JSON.stringify(result) });
    return { images: lines.length, cached: hits };
  };

  const embedChunk = async (raw: unknown, info: JobInfo): Promise<unknown> => {
    const data = EmbedChunkSchema.parse(raw);
    const embedder = await cached(embedders, data.backbone, async () =>
      openEmbedder(getBackbone(data.backbone, deps.home.models), { modelsDir: deps.home.models, workers: deps.workers ?? 1 }),
    );
    const unreadable: string[] = [];
    const vectors = await embedWithCache(embedder, new EmbeddingCache(deps.home.embeddingCache), data.items, { onError: (item) => unreadable.push(item.path) });
    const result = { embedded: vectors.size, unreadable, attempt: info.attempt };
    await info.store.hashSet(embedResultsKey(data.run), { [String(data.chunk)]: JSON.stringify(result) });
    return { embedded: vectors.size };
  };

  return {
    processors: { [BATCH_CHUNK_JOB]: batchChunk, [EMBED_CHUNK_JOB]: embedChunk },
    close: async () => {
      const all = [...detectors.values(), ...embedders.values()];
      detectors.clear();
      embedders.clear();
      await Promise.all(all.map((entry) => entry.then((model) => model.close()).catch(() => undefined)));
    },
  };
}
