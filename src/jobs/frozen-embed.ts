// The embed step of every frozen training, whatever its label type: each train and test photo once, the
// training photos' augmented views where the head trains on them, the test photos' mirror for flip
// test-time augmentation; from the home's cache, embedding what it lacks in-process or on the queue's
// workers (--redis). Also the one reading of the class-imbalance options.
import path from 'node:path';
import { FLIP_VIEW, drawViews, parseAugment, type AugmentView } from '../augment/index.js';
import { EmbeddingCache, averageUnit, type Embedder } from '../backbone/index.js';
import type { HomeLayout } from '../home/index.js';
import type { JobQueue } from '../queue/index.js';
import type { Entry } from '../registry/index.js';
import type { BalanceMode } from '../train/index.js';
import { embedTrainingImages } from './head-pipeline.js';
import type { TrainParams, TrainProgress } from './train-version.js';

export interface FrozenEmbeddings {
  /** A photo's embedding (the centre view). */
  vector(entry: Entry): Float32Array;
  /** A training photo's embeddings: the centre view, then its augmented views (none unless `views`). */
  views(entry: Entry, index: number): Float32Array[];
  /** A test photo's embedding as the evaluation scores it (averaged with its mirror's under flip TTA). */
  testVector(entry: Entry): Float32Array;
  embedSeconds: number;
}

/**
 * Embeds a frozen training's photos. `views`: whether the head trains on augmented views (the single-label
 * and groups heads do; the multi-label head trains on the centre view only, so none are embedded).
 */
export async function embedFrozen(
  embedder: Embedder,
  home: HomeLayout,
  params: Pick<TrainParams, 'augment' | 'seed' | 'tta'>,
  photos: { train: readonly Entry[]; test: readonly Entry[]; views: boolean },
  options: { queue?: JobQueue; signal?: AbortSignal; onProgress?: (progress: TrainProgress) => void },
): Promise<FrozenEmbeddings> {
  const policy = parseAugment(params.augment);
  const blob = (e: Entry): string => path.resolve(home.root, e.blob);
  const trainViews: AugmentView[][] = photos.train.map((e) => (photos.views ? drawViews(policy, params.seed, e.sha256) : []));
  const items: { sha256: string; path: string; view?: AugmentView }[] = [
    ...[...photos.train, ...photos.test].map((e) => ({ sha256: e.sha256, path: blob(e) })),
    ...photos.train.flatMap((e, i) => trainViews[i]!.map((view) => ({ sha256: e.sha256, path: blob(e), view }))),
    ...(params.tta === 'flip' ? photos.test.map((e) => ({ sha256: e.sha256, path: blob(e), view: FLIP_VIEW })) : []),
  ];
  const started = performance.now();
  const { vectors } = await embedTrainingImages(embedder, new EmbeddingCache(home.embeddingCache), items, {
    queue: options.queue,
    signal: options.signal,
    onProgress: (done, total, cached) => options.onProgress?.({ phase: 'embed', done, total, detail: `${cached} cached` }),
  });
  const vector = (e: Entry): Float32Array => vectors.get(e.sha256)!;
  return {
    vector,
    views: (e, i) => [vector(e), ...trainViews[i]!.map((view) => vectors.get(`${e.sha256}.${view.key}`)!)],
    testVector: (e) => (params.tta === 'flip' ? averageUnit(vector(e), vectors.get(`${e.sha256}.${FLIP_VIEW.key}`)!) : vector(e)),
    embedSeconds: (performance.now() - started) / 1000,
  };
}

/** The class-imbalance strategy of the options: `balance`, else the older `classWeights` alias, else auto. */
export function balanceOf(params: Pick<TrainParams, 'balance' | 'classWeights'>): BalanceMode {
  return params.balance ?? (params.classWeights === 'none' ? 'none' : params.classWeights === 'balanced' ? 'weights' : 'auto');
}
