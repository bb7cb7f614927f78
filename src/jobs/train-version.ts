// Trains one model version end to end: dataset snapshot -> embeddings (cached) -> head -> thresholds
// and evaluation on the test split -> immutable artefacts -> registry row TRAINING_COMPLETED.
import path from 'node:path';
import { z } from 'zod';
import { FLIP_VIEW, drawViews, parseAugment, type AugmentView } from '../augment/index.js';
import { DEFAULT_BACKBONE_ID, EmbeddingCache, embedWithCache, getBackbone, openEmbedder, type Embedder, averageUnit } from '../backbone/index.js';
import { SkulensError, isSkulensError, reasonOf } from '../errors.js';
import {
  evaluatePredictions,
  toRekognitionSummary,
  type EvaluationReport,
  type ScoredImage,
} from '../evaluate/index.js';
import { nearDuplicateClusters, sha256Hex } from '../dataset/index.js';
import type { HomeLayout } from '../home/index.js';
import { versionArn, versionId, writeVersionArtefacts, type Entry, type Registry, type Version } from '../registry/index.js';
import { BALANCE_MODES, encodeHead, headProbabilities, type TuningSet } from '../train/index.js';
import { describeConfig, fitHeadPipeline } from './head-pipeline.js';

/** Training parameters, validated once at the edge (CLI, HTTP). */
export const TrainParamsSchema = z.object({
  backbone: z.string().default(DEFAULT_BACKBONE_ID),
  seed: z.number().int().min(0).max(2 ** 31 - 1).default(1),
  /** Inverse L2 strength of the logistic head (sklearn's C) on standardised features; 'auto' picks it by grouped CV. */
  C: z.union([z.literal('auto'), z.number().positive().max(1e6)]).default('auto'),
  /** Deprecated alias of `balance` ('balanced' = weights); used only when `balance` is not given. */
  classWeights: z.enum(['balanced', 'none']).optional(),
  /** Class-imbalance strategy; 'auto' decides from the imbalance ratio and records why. */
  balance: z.enum(BALANCE_MODES).optional(),
  /** Augmented views of each training image: none | light | strong | a list such as "flip,crop:0.3". */
  augment: z.string().default('none').refine((text) => (parseAugment(text), true)),
  /** Test-time augmentation of the evaluation: average the embedding with its mirror image. */
  tta: z.enum(['none', 'flip']).default('none'),
  /** Search head type, learning rate, epochs, balance and augmentation by grouped CV (C is searched whenever it is 'auto'). */
  tune: z.boolean().default(true),
  /** Seconds the search may take; configurations not started in time are listed as skipped. */
  budgetSeconds: z.number().positive().max(24 * 3600).default(120),
  /** Fit each label's threshold for this precision instead of best F1 (on out-of-fold training predictions). */
  targetPrecision: z.number().gt(0).max(1).optional(),
  workers: z.number().int().min(1).max(64).optional(),
});
export type TrainParams = z.infer<typeof TrainParamsSchema>;

export type TrainPhase = 'embed' | 'tune' | 'fit' | 'evaluate' | 'write';

/** Progress of a long job: its phase and how far that phase has come. */
export interface JobProgress<Phase extends string> {
  phase: Phase;
  done: number;
  total: number;
  detail?: string;
}

export type TrainProgress = JobProgress<TrainPhase>;

export interface TrainOptions {
  onProgress?: (progress: TrainProgress) => void;
  /** Called once the version row exists, so a caller can show its id early. */
  onStart?: (version: Version) => void;
  signal?: AbortSignal;
  /** An already open embedder for this backbone (shared by a server); opened and closed here otherwise. */
  embedder?: Embedder;
}

export interface TrainResult {
  version: Version;
  report: EvaluationReport;
  trainSeconds: number;
  embedSeconds: number;
}

/** Trains a new version of `projectName`. On failure the version is TRAINING_FAILED; on cancel it is removed. */
export async function trainVersion(
  registry: Registry,
  home: HomeLayout,
  projectName: string,
  rawParams: Partial<TrainParams>,
  options: TrainOptions = {},
): Promise<TrainResult> {
  const params = TrainParamsSchema.parse(rawParams);
  const project = registry.getProject(projectName);
  const spec = getBackbone(params.backbone, home.models);
  const entries = registry.listEntries(project.id);
  const { labels, train, test } = usableSplit(entries, projectName);

  const version = registry.createVersion(project.id, { backbone: spec.id, params: { ...params }, seed: params.seed });
  options.onStart?.(version);
  const started = performance.now();
  let embedder = options.embedder;
  try {
    embedder ??= await openEmbedder(spec, { modelsDir: home.models, workers: params.workers });
    const cache = new EmbeddingCache(home.embeddingCache);
    const policy = parseAugment(params.augment);
    const blob = (e: Entry): string => path.resolve(home.root, e.blob);
    const trainViews = train.map((e) => drawViews(policy, params.seed, e.sha256));
    const items: { sha256: string; path: string; view?: AugmentView }[] = [
      ...[...train, ...test].map((e) => ({ sha256: e.sha256, path: blob(e) })),
      ...train.flatMap((e, i) => trainViews[i]!.map((view) => ({ sha256: e.sha256, path: blob(e), view }))),
      ...(params.tta === 'flip' ? test.map((e) => ({ sha256: e.sha256, path: blob(e), view: FLIP_VIEW })) : []),
    ];
    const embedStart = performance.now();
    const vectors = await embedWithCache(embedder, cache, items, {
      signal: options.signal,
      onProgress: (done, total, cached) => options.onProgress?.({ phase: 'embed', done, total, detail: `${cached} cached` }),
    });
    const embedSeconds = (performance.now() - embedStart) / 1000;
    throwIfAborted(options.signal, version);

    const labelIndex = new Map(labels.map((label, index) => [label, index]));
    // Only training entries reach the tuner; it refuses anything else (assertTrainOnly).
    const set: TuningSet = {
      views: train.map((e, i) => [vectors.get(e.sha256)!, ...trainViews[i]!.map((view) => vectors.get(`${e.sha256}.${view.key}`)!)]),
      y: Int32Array.from(train, (e) => labelIndex.get(e.label)!),
      groups: nearDuplicateClusters(train.map((e) => e.dhash)),
      splits: train.map((e) => e.split),
      numClasses: labels.length,
    };
    const balance = params.balance ?? (params.classWeights === 'none' ? 'none' : params.classWeights === 'balanced' ? 'weights' : 'auto');
    options.onProgress?.({ phase: 'tune', done: 0, total: 1 });
    const fitted = fitHeadPipeline(
      set,
      { seed: params.seed, C: params.C, balance, tune: params.tune, budgetSeconds: params.budgetSeconds, targetPrecision: params.targetPrecision },
      {
        signal: options.signal,
        onTried: (detail, done, planned) => options.onProgress?.({ phase: 'tune', done, total: Math.max(done, planned), detail }),
        onFit: (step, total, loss) => options.onProgress?.({ phase: 'fit', done: step, total, detail: `loss ${loss.toFixed(4)}` }),
      },
    );
    const { head, thresholds } = fitted;
    throwIfAborted(options.signal, version);

    options.onProgress?.({ phase: 'evaluate', done: 0, total: test.length });
    const testVector = (e: Entry): Float32Array => (params.tta === 'flip' ? averageUnit(vectors.get(e.sha256)!, vectors.get(`${e.sha256}.${FLIP_VIEW.key}`)!) : vectors.get(e.sha256)!);
    const scored: ScoredImage[] = test.map((e) => ({
      image: e.source,
      truth: labelIndex.get(e.label)!,
      probs: headProbabilities(head, testVector(e)),
    }));
    // Thresholds come from out-of-fold predictions on the training images, never from the test set.
    const report = evaluatePredictions(labels, scored, thresholds);
    throwIfAborted(options.signal, version);

    options.onProgress?.({ phase: 'write', done: 0, total: 1 });
    const headBytes = encodeHead(head);
    const completedAt = new Date();
    const dir = await writeVersionArtefacts(home, {
      manifest: {
        format: 'skulens-model/1',
        project: projectName,
        version: version.name,
        backbone: { id: spec.id, dim: spec.dim },
        labels,
        thresholds,
        head: { file: 'head.bin', kind: head.kind, sha256: sha256Hex(headBytes) },
        params: { ...params, balance, C: fitted.tuning.winner.C, head: fitted.tuning.winner, thresholds: fitted.thresholdMethod },
        seed: params.seed,
        images: { train: train.length, test: test.length },
        createdAt: version.createdAt,
      },
      head: headBytes,
      evaluationSummary: toRekognitionSummary(report, {
        projectVersionArn: versionArn(version),
        evaluationEndTimestamp: completedAt,
        numberOfTrainingImages: train.length,
      }),
      report,
      snapshot: [...train, ...test].map((e) => ({ sha256: e.sha256, label: e.label, split: e.split, source: e.source })),
      extra: { 'tuning.json': { ...fitted.tuning, balance: fitted.balanceReason, thresholds: fitted.thresholdMethod } },
    });
    const trainSeconds = (performance.now() - started) / 1000;
    const completed = registry.completeVersion(version.id, {
      dir,
      metrics: {
        accuracy: report.accuracy,
        macroF1: report.macroF1,
        unknownRate: report.unknownRate,
        images: { train: train.length, test: test.length },
        trainSeconds,
        embedSeconds,
        C: fitted.tuning.winner.C,
        head: describeConfig(fitted.tuning.winner),
      },
    });
    return { version: completed, report, trainSeconds, embedSeconds };
  } catch (error) {
    if (isSkulensError(error, 'ERR_TRAINING_CANCELLED') || options.signal?.aborted) {
      registry.deleteVersion(version.id);
      throw isSkulensError(error, 'ERR_TRAINING_CANCELLED')
        ? error
        : new SkulensError('ERR_TRAINING_CANCELLED', { version: versionId(version) }, { cause: error });
    }
    registry.setVersionStatus(version.id, 'TRAINING_FAILED', reasonOf(error));
    throw error;
  } finally {
    if (!options.embedder) await embedder?.close();
  }
}

/** The mean of two embeddings, re-normalised (flip test-time augmentation). */
function throwIfAborted(signal: AbortSignal | undefined, version: Version): void {
  if (signal?.aborted) throw new SkulensError('ERR_TRAINING_CANCELLED', { version: versionId(version) });
}

/** Labels that can be trained and tested: each needs at least one train and one test image. */
function usableSplit(entries: readonly Entry[], project: string): { labels: string[]; train: Entry[]; test: Entry[] } {
  if (entries.length === 0) throw new SkulensError('ERR_DATASET_EMPTY', { project, detail: '; import a folder of photos first' });
  const counts = new Map<string, { train: number; test: number }>();
  for (const e of entries) {
    const c = counts.get(e.label) ?? { train: 0, test: 0 };
    c[e.split] += 1;
    counts.set(e.label, c);
  }
  const labels = [...counts.entries()].filter(([, c]) => c.train > 0 && c.test > 0).map(([label]) => label).sort();
  const dropped = [...counts.keys()].filter((label) => !labels.includes(label));
  if (labels.length < 2) {
    throw new SkulensError('ERR_DATASET_TOO_FEW_LABELS', {
      detail: `project "${project}" has ${labels.length}${dropped.length ? ` (left out for lack of train or test images: ${dropped.join(', ')})` : ''}`,
    });
  }
  const kept = new Set(labels);
  return {
    labels,
    train: entries.filter((e) => e.split === 'train' && kept.has(e.label)),
    test: entries.filter((e) => e.split === 'test' && kept.has(e.label)),
  };
}
