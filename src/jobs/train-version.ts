// Trains one model version end to end: dataset snapshot -> embeddings (cached) -> head -> thresholds
// and evaluation on the test split -> immutable artefacts -> registry row TRAINING_COMPLETED.
import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_BACKBONE_ID, EmbeddingCache, embedWithCache, getBackbone, openEmbedder, type Embedder } from '../backbone/index.js';
import { SkulensError, isSkulensError, reasonOf } from '../errors.js';
import {
  bestF1Thresholds,
  evaluatePredictions,
  toRekognitionSummary,
  type EvaluationReport,
  type ScoredImage,
} from '../evaluate/index.js';
import { nearDuplicateClusters, sha256Hex } from '../dataset/index.js';
import type { HomeLayout } from '../home/index.js';
import { versionArn, versionId, writeVersionArtefacts, type Entry, type Registry, type Version } from '../registry/index.js';
import { balancedClassWeights, encodeHead, groupedStratifiedFolds, headProbabilities, selectC, trainHead, type CvScore } from '../train/index.js';

/** Training parameters, validated once at the edge (CLI, HTTP). */
export const TrainParamsSchema = z.object({
  backbone: z.string().default(DEFAULT_BACKBONE_ID),
  seed: z.number().int().min(0).max(2 ** 31 - 1).default(1),
  /** Inverse L2 strength of the logistic head (sklearn's C) on standardised features; 'auto' picks it by grouped CV. */
  C: z.union([z.literal('auto'), z.number().positive().max(1e6)]).default('auto'),
  classWeights: z.enum(['balanced', 'none']).default('balanced'),
  workers: z.number().int().min(1).max(64).optional(),
});
export type TrainParams = z.infer<typeof TrainParamsSchema>;

export type TrainPhase = 'embed' | 'tune' | 'fit' | 'evaluate' | 'write';

export interface TrainProgress {
  phase: TrainPhase;
  done: number;
  total: number;
  detail?: string;
}

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
    const items = [...train, ...test].map((e) => ({ sha256: e.sha256, path: path.resolve(home.root, e.blob) }));
    const embedStart = performance.now();
    const vectors = await embedWithCache(embedder, cache, items, {
      signal: options.signal,
      onProgress: (done, total, cached) => options.onProgress?.({ phase: 'embed', done, total, detail: `${cached} cached` }),
    });
    const embedSeconds = (performance.now() - embedStart) / 1000;
    throwIfAborted(options.signal, version);

    const labelIndex = new Map(labels.map((label, index) => [label, index]));
    const X = train.map((e) => vectors.get(e.sha256)!);
    const y = Int32Array.from(train, (e) => labelIndex.get(e.label)!);
    const classWeights = params.classWeights === 'balanced' ? balancedClassWeights(y, labels.length) : null;
    const selection = chooseC(params.C, X, y, labels.length, train, params.seed, classWeights, options);
    throwIfAborted(options.signal, version);
    const head = trainHead(X, y, labels.length, {
      kind: 'logistic',
      C: selection.C,
      standardize: true,
      classWeights,
      seed: params.seed,
      signal: options.signal,
      onProgress: (step, total, loss) => options.onProgress?.({ phase: 'fit', done: step, total, detail: `loss ${loss.toFixed(4)}` }),
    });

    options.onProgress?.({ phase: 'evaluate', done: 0, total: test.length });
    const scored: ScoredImage[] = test.map((e) => ({
      image: e.source,
      truth: labelIndex.get(e.label)!,
      probs: headProbabilities(head, vectors.get(e.sha256)!),
    }));
    // Like Rekognition's "assumed threshold": each label's threshold maximises its F1 on the test set.
    const thresholds = bestF1Thresholds(labels.length, scored);
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
        params: { ...params, C: selection.C },
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
      extra: { 'tuning.json': selection },
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
        C: selection.C,
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

/** The C grid searched when C is 'auto'; features are standardised, so one grid suits every backbone. */
export const C_GRID = Object.freeze([0.01, 0.03, 0.1, 0.3, 1]);
const CV_FOLDS = 3;
const FALLBACK_C = 0.1;

interface CSelection {
  C: number;
  method: 'given' | 'grouped-cv' | 'fallback';
  folds?: number;
  groups?: number;
  scores?: CvScore[];
}

/**
 * Picks C by grouped, stratified 3-fold CV on the training images only (near-duplicate clusters
 * stay in one fold). Too little data for CV falls back to a C that measured well across backbones.
 */
function chooseC(
  C: TrainParams['C'],
  X: Float32Array[],
  y: Int32Array,
  numClasses: number,
  train: readonly Entry[],
  seed: number,
  classWeights: Float32Array | null,
  options: TrainOptions,
): CSelection {
  if (C !== 'auto') return { C, method: 'given' };
  const perLabel = new Int32Array(numClasses);
  for (const label of y) perLabel[label]! += 1;
  if (Math.min(...perLabel) < CV_FOLDS) return { C: FALLBACK_C, method: 'fallback' };
  const groups = nearDuplicateClusters(train.map((e) => e.dhash));
  const folds = groupedStratifiedFolds(y, groups, CV_FOLDS, seed);
  options.onProgress?.({ phase: 'tune', done: 0, total: C_GRID.length });
  const { best, scores } = selectC(
    X,
    y,
    numClasses,
    folds,
    C_GRID,
    { standardize: true, classWeights, seed, signal: options.signal },
    (score, index) =>
      options.onProgress?.({ phase: 'tune', done: index + 1, total: C_GRID.length, detail: `C=${score.C}: CV accuracy ${score.accuracy.toFixed(3)}` }),
  );
  return { C: best, method: 'grouped-cv', folds: CV_FOLDS, groups: new Set(groups).size, scores };
}

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
