// Trains one model version end to end: dataset snapshot -> embeddings (cached) -> head -> thresholds
// and evaluation on the test split -> immutable artefacts -> registry row TRAINING_COMPLETED.
import { z } from 'zod';
import { parseAugment } from '../augment/index.js';
import { DEFAULT_BACKBONE_ID, getBackbone, openEmbedder, type Embedder } from '../backbone/index.js';
import { nearDuplicateClusters } from '../dataset/index.js';
import { reasonOf } from '../errors.js';
import { evaluateHierarchy, evaluatePredictions, type EvaluationReport, type ScoredImage } from '../evaluate/index.js';
import type { HomeLayout } from '../home/index.js';
import { Duration, Int, Seed } from '../params.js';
import type { JobQueue } from '../queue/index.js';
import type { Registry, Version } from '../registry/index.js';
import { BALANCE_MODES, headProbabilities, type TuningSet } from '../train/index.js';
import { describeConfig, fitHeadPipeline } from './head-pipeline.js';
import { balanceOf, embedFrozen } from './frozen-embed.js';
import { trainableSplit, untrainedNote } from './split.js';
import { runVersionJob, type JobProgress, type VersionOutput } from './version-job.js';
import { trainLabelSetVersion } from './label-set-version.js';

/** An augmentation policy as text (none | light | strong | "flip,crop:0.3"), checked by src/augment's parser. */
const AugmentText = z
  .string()
  .trim()
  .superRefine((text, ctx) => {
    try {
      parseAugment(text);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: reasonOf(error) });
    }
  });

/**
 * Parameters of frozen training (backbone embeddings + a tuned head). The CLI and HTTP pass their raw
 * values through this schema once: numbers may come as text, durations as "5m".
 */
export const TrainParamsSchema = z.object({
  backbone: z.string().min(1).default(DEFAULT_BACKBONE_ID),
  seed: Seed,
  /** Inverse L2 strength of the logistic head (sklearn's C) on standardised features; 'auto' picks it by grouped CV. */
  C: z
    .union([z.literal('auto'), z.coerce.number().positive().max(1e6)], { error: "use 'auto' or a number greater than 0, at most 1e6" })
    .default('auto'),
  /** Deprecated alias of `balance` ('balanced' = weights); used only when `balance` is not given. */
  classWeights: z.enum(['balanced', 'none']).optional(),
  /** Class-imbalance strategy; 'auto' decides from the imbalance ratio and records why. */
  balance: z.enum(BALANCE_MODES).optional(),
  /** Augmented views of each training image: none | light | strong | a list such as "flip,crop:0.3". */
  augment: AugmentText.default('none'),
  /** Test-time augmentation of the evaluation: average the embedding with its mirror image. */
  tta: z.enum(['none', 'flip']).default('none'),
  /** Search head type, learning rate, epochs, balance and augmentation by grouped CV (C is searched whenever it is 'auto'). */
  tune: z.boolean().default(true),
  /** At most this many search configurations, tried in plan order (deterministic); default DEFAULT_TUNE_TRIALS with tune, else the whole (logistic C) plan. */
  maxTrials: Int(1, 100).optional(),
  /**
   * Outer time cap of the search (up to 24h; default 30 min): no configuration starts after it. The
   * search is a fixed plan, so this only bites on a very slow machine; tuning.json then says so.
   */
  budgetSeconds: Duration(24 * 3600).default(1800),
  /** Fit each label's threshold for this precision instead of best F1 (on out-of-fold training predictions). */
  targetPrecision: z.coerce.number().gt(0).max(1).optional(),
  workers: Int(1, 64).optional(),
  /** Set when the fast mode trained this version instead: why it could not run (kept in the version's params). */
  fallback: z.string().optional(),
});
export type TrainParams = z.output<typeof TrainParamsSchema>;
export type TrainParamsInput = z.input<typeof TrainParamsSchema>;

export type TrainPhase = 'embed' | 'tune' | 'fit' | 'evaluate' | 'write';

export type TrainProgress = JobProgress<TrainPhase>;

export interface TrainOptions {
  onProgress?: (progress: TrainProgress) => void;
  /** Called once the version row exists, so a caller can show its id early. */
  onStart?: (version: Version) => void;
  signal?: AbortSignal;
  /** An already open embedder for this backbone (shared by a server); opened and closed here otherwise. */
  embedder?: Embedder;
  /** With --redis: the queue whose workers embed the images missing from the home's cache (see embedTrainingImages). */
  queue?: JobQueue;
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
  rawParams: TrainParamsInput,
  options: TrainOptions = {},
): Promise<TrainResult> {
  const params = TrainParamsSchema.parse(rawParams);
  const project = registry.projects.get(projectName);
  const labelType = registry.projects.labelType(project.id);
  if (labelType !== 'single') return trainLabelSetVersion(registry, home, projectName, params, labelType, options);
  const spec = getBackbone(params.backbone, home.models);
  const split = trainableSplit(registry.entries.list(project.id), projectName);
  const { labels, train, test } = split;
  // Evaluated with, recorded in model.json with, and served with: the taxonomy as training starts.
  const taxonomy = registry.taxonomies.get(project.id);
  const started = performance.now();
  let embedder = options.embedder;
  try {
    return await runVersionJob(registry, home, {
      project,
      init: { backbone: spec.id, params: { ...params }, seed: params.seed },
      onStart: options.onStart,
      signal: options.signal,
      work: async (_version, checkCancelled) => {
        embedder ??= await openEmbedder(spec, { modelsDir: home.models, workers: params.workers });
        const embedded = await embedFrozen(embedder, home, params, { train, test, views: true }, options);
        const embedSeconds = embedded.embedSeconds;
        checkCancelled();

        const labelIndex = new Map(labels.map((label, index) => [label, index]));
        // Only training entries reach the tuner; it refuses anything else (assertTrainOnly).
        const set: TuningSet = {
          views: train.map((e, i) => embedded.views(e, i)),
          y: Int32Array.from(train, (e) => labelIndex.get(e.label)!),
          groups: nearDuplicateClusters(train.map((e) => e.dhash)),
          splits: train.map((e) => e.split),
          numClasses: labels.length,
        };
        const balance = balanceOf(params);
        options.onProgress?.({ phase: 'tune', done: 0, total: 1 });
        const fitted = fitHeadPipeline(
          set,
          { seed: params.seed, C: params.C, balance, tune: params.tune, budgetSeconds: params.budgetSeconds, maxTrials: params.maxTrials, targetPrecision: params.targetPrecision },
          {
            signal: options.signal,
            onTried: (detail, done, planned) => options.onProgress?.({ phase: 'tune', done, total: Math.max(done, planned), detail }),
            onFit: (step, total, loss) => options.onProgress?.({ phase: 'fit', done: step, total, detail: `loss ${loss.toFixed(4)}` }),
          },
        );
        const { head, thresholds } = fitted;
        checkCancelled();

        options.onProgress?.({ phase: 'evaluate', done: 0, total: test.length });
        const scored: ScoredImage[] = test.map((e) => ({ image: e.source, truth: labelIndex.get(e.label)!, probs: headProbabilities(head, embedded.testVector(e)) }));
        // Thresholds come from out-of-fold predictions on the training images, never from the test set.
        const flat = { ...evaluatePredictions(labels, scored, thresholds), ...untrainedNote(split) };
        // With a taxonomy, accuracy per level and the fallback to parents; its target-precision thresholds come out of fold too.
        const calibration = fitted.outOfFold.map((probs, i) => ({ image: String(i), truth: set.y[i]!, probs }));
        const report = taxonomy ? { ...flat, hierarchy: evaluateHierarchy(labels, scored, thresholds, taxonomy, { calibration }) } : flat;
        checkCancelled();

        options.onProgress?.({ phase: 'write', done: 0, total: 1 });
        const trainSeconds = (performance.now() - started) / 1000;
        const output: VersionOutput = {
          backbone: { id: spec.id, dim: spec.dim },
          labels,
          thresholds,
          head,
          params: { ...params, balance, C: fitted.tuning.winner.C, head: fitted.tuning.winner, thresholds: fitted.thresholdMethod, taxonomy },
          images: { train: train.length, test: test.length },
          report,
          snapshot: [...train, ...test].map((e) => ({ sha256: e.sha256, label: e.label, split: e.split, source: e.source })),
          extra: {
            'tuning.json': { ...fitted.tuning, balance: fitted.balanceReason, thresholds: fitted.thresholdMethod },
            // The winner's out-of-fold probabilities per training photo: src/review ranks likely mislabelled photos from them.
            'out-of-fold.json': { labels, photos: train.map((e, i) => ({ sha256: e.sha256, label: e.label, probs: Array.from(fitted.outOfFold[i]!, (p) => Number(p.toPrecision(4))) })) },
          },
          metrics: {
            trainSeconds,
            embedSeconds,
            C: fitted.tuning.winner.C,
            head: describeConfig(fitted.tuning.winner),
            tuning: { tried: fitted.tuning.tried.length, skipped: fitted.tuning.skipped.length, stoppedBy: fitted.tuning.stoppedBy },
          },
        };
        return { output, result: { report, trainSeconds, embedSeconds } };
      },
    });
  } finally {
    if (!options.embedder) await embedder?.close();
  }
}
