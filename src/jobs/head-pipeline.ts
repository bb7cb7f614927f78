// From training images to a finished head: the embedding step (in-process, or fanned out over queue
// workers with --redis), the balance strategy, the tuning search (grouped CV on the training images
// only), the final fit and the per-label thresholds from the winner's out-of-fold probabilities.
// trainVersion and the benchmarks share it; past the embedding step there is no I/O.
import fs from 'node:fs/promises';
import type { AugmentView } from '../augment/index.js';
import { cacheKeyOf, embedWithCache, type EmbeddingCache, type Embedder, type EmbedWithCacheOptions } from '../backbone/index.js';
import { bestF1Thresholds, targetPrecisionThresholds, type ScoredImage } from '../evaluate/index.js';
import { embedOnWorkers, type EmbedOnWorkersResult, type JobQueue } from '../queue/index.js';
import { chooseBalance, fitConfig, tuneHead, type BalanceMode, type Head, type HeadConfig, type TuningReport, type TuningSet, type TuningStage } from '../train/index.js';

/** The logistic C grid (features are standardised, so one grid suits every backbone). */
export const C_GRID = Object.freeze([0.1, 0.03, 0.3, 0.01, 1]);
/**
 * The MLP tried first by `tune` (128 hidden units, 20 epochs: a third of the cost of the larger one);
 * if it leads, the larger MLP (256 units, 30 epochs: 0.89 test accuracy on clothing with mobilenet-v2,
 * vs 0.86 logistic) and other learning rates follow.
 */
export const MLP_CANDIDATE = Object.freeze({ kind: 'mlp' as const, C: 1, hidden: 128, epochs: 20, learningRate: 1e-3 });

/**
 * Trials of the default search with `tune`: the logistic head and the MLP, the two that decide most of
 * the accuracy. The rest of the plan (C grid, larger MLP, balance and augmentation variants) moved
 * clothing by less than 3-fold CV can resolve, at many times the cost; `maxTrials` runs more of it.
 */
export const DEFAULT_TUNE_TRIALS = 2;

export interface PipelineParams {
  seed: number;
  C: 'auto' | number;
  balance: BalanceMode;
  tune: boolean;
  /** Outer time cap of the search, in seconds. */
  budgetSeconds: number;
  /** At most this many configurations, in plan order; default DEFAULT_TUNE_TRIALS with tune, else the whole plan. */
  maxTrials?: number;
  targetPrecision?: number;
}

export interface PipelineResult {
  head: Head;
  thresholds: number[];
  thresholdMethod: string;
  balanceReason: string;
  tuning: Omit<TuningReport, 'outOfFold'>;
  /** The winner's out-of-fold probabilities on the training images (for a taxonomy's thresholds). */
  outOfFold: Float32Array[];
}

/** An image (or an augmented view of one) the training needs embedded. */
export type TrainingImage = { sha256: string; path: string; view?: AugmentView };

/**
 * The training's embedding step. With a queue (`--redis`), the images missing from the embedding
 * cache are first embedded by the queue's workers into that cache (the home's, which the workers
 * share: same home, or a shared path), so the run then reads every vector from the cache instead of
 * embedding it; an image the workers could not read is left to embedWithCache, which fails on it (or
 * reports it to `onError`) as it would without workers. Without a queue: embedWithCache, as before.
 *
 * @example
 * const { vectors } = await embedTrainingImages(embedder, cache, items, { queue }); // workers did the embedding
 */
export async function embedTrainingImages(
  embedder: Embedder,
  cache: EmbeddingCache,
  items: TrainingImage[],
  options: EmbedWithCacheOptions & { queue?: JobQueue; chunkSize?: number } = {},
): Promise<{ vectors: Map<string, Float32Array>; workers: EmbedOnWorkersResult | null }> {
  let workers: EmbedOnWorkersResult | null = null;
  if (options.queue) {
    const backboneId = cacheKeyOf(embedder.spec);
    const missing: TrainingImage[] = [];
    const seen = new Set<string>();
    for (const item of items) {
      const key = item.view ? `${item.sha256}.${item.view.key}` : item.sha256;
      if (seen.has(key)) continue;
      seen.add(key);
      const present = await fs.access(cache.pathOf(backboneId, key)).then(() => true, () => false);
      if (!present) missing.push(item);
    }
    if (missing.length > 0) {
      const chunkSize = options.chunkSize ?? 32;
      workers = await embedOnWorkers(options.queue, {
        backbone: embedder.spec.id,
        items: missing,
        chunkSize,
        ...(options.signal ? { signal: options.signal } : {}),
        onProgress: (done, total) => options.onProgress?.(Math.min(missing.length, done * chunkSize), missing.length, 0),
      });
    }
  }
  const { queue: _queue, chunkSize: _chunkSize, ...rest } = options;
  return { vectors: await embedWithCache(embedder, cache, items, rest), workers };
}

/** The search: C grid (when C is auto), then with `tune` the MLP, learning rate, balance strategies and augmentation on/off. */
export function tuningPlan(set: TuningSet, params: PipelineParams): { first: HeadConfig; stages: TuningStage[]; balanceReason: string } {
  const hasViews = set.views.some((rows) => rows.length > 1);
  const auto = (kind: 'logistic' | 'mlp') => (params.balance === 'auto' ? chooseBalance(set.y, set.numClasses, kind) : { strategy: params.balance, reason: 'chosen by the user' });
  const first: HeadConfig = { kind: 'logistic', C: params.C === 'auto' ? C_GRID[0]! : params.C, balance: auto('logistic').strategy, augment: hasViews };
  const stages: TuningStage[] = [];
  // With tune, the MLP goes before the C grid: it is the largest gain measured, and a short budget
  // should reach it. The grid then refines whichever head leads (C is the MLP's L2 strength too).
  if (params.tune) stages.push(() => [{ ...MLP_CANDIDATE, balance: auto('mlp').strategy, augment: hasViews }]);
  if (params.C === 'auto') stages.push((best) => (best.kind === 'logistic' ? C_GRID : [0.3, 3]).map((C) => ({ ...best, C })));
  if (params.tune) {
    stages.push((best) => (best.kind === 'mlp' ? [{ ...best, hidden: 256, epochs: 30 }, { ...best, learningRate: 3e-3 }] : []));
    if (params.balance === 'auto') stages.push((best) => (['weights', 'oversample', 'none'] as const).filter((b) => b !== best.balance).map((balance) => ({ ...best, balance })));
    if (hasViews) stages.push((best) => [{ ...best, augment: false }]);
  }
  return { first, stages, balanceReason: `${params.balance}: ${auto('logistic').reason}` };
}

/**
 * Tunes, fits the winner on every training image and fits thresholds on its out-of-fold
 * probabilities (best F1 per label, or the lowest threshold meeting `targetPrecision`).
 */
export function fitHeadPipeline(
  set: TuningSet,
  params: PipelineParams,
  options: { signal?: AbortSignal; onTried?: (line: string, done: number, planned: number) => void; onFit?: (step: number, total: number, loss: number) => void } = {},
): PipelineResult {
  const { first, stages, balanceReason } = tuningPlan(set, params);
  const { outOfFold, ...tuning } = tuneHead(set, first, stages, {
    seed: params.seed,
    budgetSeconds: params.budgetSeconds,
    maxTrials: params.maxTrials ?? (params.tune ? DEFAULT_TUNE_TRIALS : undefined),
    signal: options.signal,
    onTried: (t, done, planned) => options.onTried?.(`${describeConfig(t.config)}: CV accuracy ${t.accuracy.toFixed(3)}`, done, planned),
  });
  const all = Int32Array.from({ length: set.y.length }, (_, i) => i);
  // The final fit sees every training image, with the solver the search used.
  const head = fitConfig(set, all, tuning.winner, params.seed, options.signal, options.onFit, tuning.solver);
  const scored: ScoredImage[] = outOfFold.map((probs, i) => ({ image: String(i), truth: set.y[i]!, probs }));
  const thresholds =
    params.targetPrecision === undefined ? bestF1Thresholds(set.numClasses, scored) : targetPrecisionThresholds(set.numClasses, scored, params.targetPrecision);
  const thresholdMethod =
    params.targetPrecision === undefined ? 'best F1 per label on out-of-fold training predictions' : `lowest threshold with precision >= ${params.targetPrecision} on out-of-fold training predictions`;
  return { head, thresholds, thresholdMethod, balanceReason, tuning, outOfFold };
}

/** A short human name of a configuration, for progress lines. */
export function describeConfig(c: HeadConfig): string {
  const mlp = c.kind === 'mlp' ? ` h${c.hidden} lr${c.learningRate} e${c.epochs}` : '';
  return `${c.kind}${mlp} C=${c.C} balance=${c.balance}${c.augment ? ' +aug' : ''}`;
}
