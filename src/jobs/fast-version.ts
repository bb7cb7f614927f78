// The fast path as a model version: activation cache -> engine (the blocks above the cut + head,
// trained on cached activations) -> the exported ONNX backbone served with onnxruntime on the test
// split (checked against PyTorch on a few photos) -> thresholds from the grouped validation split ->
// artefacts (backbone.onnx, head.bin, tuning.json, fast.json) on the version-job skeleton. A groups project
// trains one head with a softmax per group over the same embedding, a multi-label project a sigmoid per
// label (fast-plan.ts; labels, params and evaluation as the frozen path writes them).
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { getBackbone, verifiedWeights } from '../backbone/index.js';
import type { EvaluationReport } from '../evaluate/index.js';
import { readGraph } from '../autodiff/index.js';
import { findCut, untrainableOp } from '../engine/index.js';
import { FastParamsSchema, trainFast, type EngineMessage, type FastParamsInput, type FastRunResult } from '../finetune/index.js';
import { isSkulensError, SkulensError } from '../errors.js';
import type { HomeLayout } from '../home/index.js';
import { versionId, type Entry, type Registry, type Version } from '../registry/index.js';
import { ANSWER_PROBABILITY, decodeHead, type LogisticHead } from '../train/index.js';
import { completedVersion } from './fine-tune-from.js';
import { fineTunable } from './fine-tune-parts.js';
import { calibrateRun, uncalibratedHead } from './fast-calibration.js';
import { fastPlan } from './fast-plan.js';
import { forwardEngineProgress } from './engine-progress.js';
import { runVersionJob, type JobProgress } from './version-job.js';

/** The fast path's parameters are the driver's (src/finetune/fast.ts); the CLI and HTTP edges validate with them. */
export { FastParamsSchema, type FastParams, type FastParamsInput } from '../finetune/index.js';

export type FastPhase = 'cache' | 'train' | 'export' | 'evaluate';
export type FastProgress = JobProgress<FastPhase>;

export interface FastOptions {
  onProgress?: (progress: FastProgress) => void;
  onStart?: (version: Version) => void;
  /** Every engine message, for logs and benchmarks. */
  onEngineMessage?: (message: EngineMessage) => void;
  signal?: AbortSignal;
}

export interface FastResult {
  version: Version;
  report: EvaluationReport;
  trainSeconds: number;
  run: FastRunResult;
}

/**
 * Trains the fast path on the project and writes a version whose backbone is the exported graph (the
 * whole backbone with the trained blocks, inside the version folder), served like a fine-tuned version.
 *
 * @throws SkulensError ERR_FINETUNE_BACKBONE_UNSUPPORTED, ERR_AUTODIFF_OP_UNSUPPORTED, ERR_TRAINING_CANCELLED, ERR_FINETUNE_FAILED, ERR_FINETUNE_EXPORT_MISMATCH.
 */
export async function fastVersion(registry: Registry, home: HomeLayout, projectName: string, rawParams: FastParamsInput, options: FastOptions = {}): Promise<FastResult> {
  const started = performance.now();
  const params = FastParamsSchema.parse(rawParams);
  const project = registry.projects.get(projectName);
  const base = fineTunable(getBackbone(params.backbone, home.models));
  const file = (e: Entry): string => path.resolve(home.root, e.blob);
  const plan = fastPlan(registry, project, file);
  const { labels } = plan;
  const start = params.from === undefined ? undefined : await warmStart(registry, home, projectName, params.from, base.id, params.cut);
  const work = path.join(home.tmp, `.fast.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`);
  const progress = options.onProgress ?? (() => undefined);
  try {
    return await runVersionJob(registry, home, {
      project,
      init: { backbone: base.id, params: { mode: 'fast', ...params, ...plan.labelParams }, seed: params.seed },
      onStart: options.onStart,
      signal: options.signal,
      work: async (version, checkCancelled) => {
        await fs.mkdir(work, { recursive: true });
        const trained = await trainFast(
          {
            home,
            spec: base,
            labels,
            train: plan.train,
            evaluate: plan.evaluate,
            heads: plan.heads,
            params,
            work,
            start,
          },
          {
            signal: options.signal,
            onProgress: (phase, done, total) =>
              progress(phase === 'serve' ? { phase: 'evaluate', done, total, detail: 'serving the test split with onnxruntime' } : { phase: 'cache', done, total, detail: phase === 'cache' ? 'activations below the cut' : 'decoding' }),
            onMessage: (message) => {
              options.onEngineMessage?.(message);
              forwardEngineProgress(message, progress as (p: JobProgress<string>) => void, 'train');
            },
          },
        );
        checkCancelled();
        // Calibrated on the held-out photos inside the training split (never the test split, which only scores).
        const run = calibrateRun(trained);
        const report = plan.report(run);
        const spec = { ...run.spec, description: `${base.id} with the blocks above ${run.engine.cut} trained on project ${projectName} (${versionId(version)})` };
        const tuning = {
          mode: 'fast',
          // A fixed, deterministic plan (no search): the recipe measured in docs/fast-path.md.
          budget: { plan: 'fixed recipe', epochs: run.epochs, from: params.from ?? null, budgetSeconds: params.budgetSeconds ?? null, stoppedBy: run.engine.stoppedBy, epochsRun: run.engine.epochsRun },
          chosen: { cut: run.engine.cut, shape: run.engine.shape, views: params.views, members: run.engine.members, flipTest: params.flipTest ?? params.members === 1, epochs: run.epochs, lr: params.lr, headLr: params.headLr, weightDecay: params.weightDecay, batchSize: params.batchSize, flip: params.flip },
          validation: { ...run.validation, history: run.engine.history },
          thresholds: run.calibration ? THRESHOLD_METHOD.calibrated : THRESHOLD_METHOD[plan.heads?.kind ?? 'softmax'],
          ...(run.calibration ? { calibration: { temperature: run.calibration.temperature, answerProbability: ANSWER_PROBABILITY } } : {}),
        };
        return {
          output: {
            backbone: { id: spec.id, dim: spec.dim, spec, base: base.id },
            labels,
            thresholds: run.thresholds,
            head: run.head,
            params: { mode: 'fast', ...params, ...plan.labelParams, taxonomy: plan.taxonomy, ...(run.calibration ? { temperature: run.calibration.temperature } : {}) },
            images: plan.images,
            report,
            snapshot: plan.snapshot,
            extra: {
              'tuning.json': tuning,
              'fast.json': { engine: { runtime: 'onnxruntime', device: params.device, freezeDepthwise: params.freezeDepthwise }, ...run.engine, files: undefined, check: run.check, cache: run.cache, timings: run.timings, servedAccuracy: report.accuracy },
            },
            files: { 'backbone.onnx': await fs.readFile(run.onnxFile), [UPPER_FILE]: await fs.readFile(run.upperFile) },
            metrics: {
              trainSeconds: (performance.now() - started) / 1000,
              mode: 'fast',
              cut: run.engine.cut,
              epochsRun: run.engine.epochsRun,
              members: run.engine.members,
              valAccuracy: run.validation.accuracy,
              ...(run.calibration ? { temperature: run.calibration.temperature } : {}),
              cache: { computed: run.cache.computed, reused: run.cache.reused },
              exportMaxDiff: Math.max(run.check.embeddingMaxDiff, run.check.logitMaxDiff),
            },
          },
          result: { report, run, trainSeconds: (performance.now() - started) / 1000 },
        };
      },
    });
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
}

/** How each head layout's thresholds are fitted (tuning.json). */
const THRESHOLD_METHOD = Object.freeze({
  calibrated: `the head divided by the temperature fitted on the grouped validation split's logits (calibrated softmax); every label answers at ${ANSWER_PROBABILITY}`,
  softmax: 'best F1 per label on the grouped validation split, shrunk toward the pooled best-F1 threshold',
  groups: 'best F1 per group value on the held-out photos (a softmax per group), shrunk toward the group\'s pooled best-F1 threshold',
  multi: 'best F1 per label on the held-out photos, a sigmoid per label',
});

/** The trained blocks of a fast version, kept so that a later version can start from them. */
const UPPER_FILE = 'upper.f32';

/**
 * The warm start of `fast --from <version>`: that version's trained blocks and head. It must be a fast
 * version of the same base backbone and cut (a short `v3` names a version of this project).
 *
 * @throws SkulensError ERR_VERSION_NOT_FOUND, ERR_VERSION_NOT_READY, ERR_ARGUMENT_INVALID (not a fast version of this backbone and cut).
 */
async function warmStart(registry: Registry, home: HomeLayout, project: string, from: string, backbone: string, cut: number): Promise<{ upper: string; head: LogisticHead; labels: string[] }> {
  const { version, manifest, head } = await completedVersion(registry, home, project, from);
  const name = versionId(version);
  const refuse = (detail: string): SkulensError => new SkulensError('ERR_ARGUMENT_INVALID', { field: '--from', detail: `${name} ${detail}; a warm start needs a fast version of ${backbone} cut at ${cut} channels` });
  if (manifest.params.mode !== 'fast') throw refuse(`was trained by the ${String(manifest.params.mode ?? 'frozen')} path`);
  if (manifest.backbone.base !== backbone || manifest.params.cut !== cut) throw refuse(`is ${String(manifest.backbone.base)} cut at ${String(manifest.params.cut)} channels`);
  const upper = path.resolve(home.root, version.dir, UPPER_FILE);
  try {
    await fs.access(upper);
  } catch {
    throw refuse(`has no ${UPPER_FILE} (it predates warm starts: train it once more without --from)`);
  }
  const decoded = decodeHead(head);
  if (decoded.kind !== 'logistic') throw refuse(`has a ${decoded.kind} head`);
  // A calibrated version serves its head divided by its temperature: the training continues from the head as trained.
  return { upper, head: uncalibratedHead(decoded, manifest.params.temperature), labels: manifest.labels };
}

/** What the frozen head leaves out, for the line that says why `train` fell back to it. */
export const FAST_PATH_ADDS = 'the fast path would also train the top blocks of the backbone on cached activations (measured: clothing 0.90 -> 0.93, grocery-store-dev 0.74 -> 0.86, in minutes; see docs/fast-path.md)';

/** Whether the fast path can run here: the engine, a backbone it can load, and a cut above which it can train. */
export type FastPathCheck = { ok: true } | { ok: false; reason: string };

/**
 * Checks, before any version exists, what the fast path needs; `train`'s default mode falls back to the
 * frozen head when one is missing. The ONNX Runtime engine needs no Python: it needs a cut in the backbone's
 * graph and a gradient rule for every op above it.
 */
export async function checkFastPath(home: HomeLayout, rawParams: FastParamsInput): Promise<FastPathCheck> {
  const params = FastParamsSchema.parse(rawParams);
  const spec = getBackbone(params.backbone, home.models);
  try {
    fineTunable(spec);
  } catch (error) {
    if (isSkulensError(error, 'ERR_FINETUNE_BACKBONE_UNSUPPORTED')) return { ok: false, reason: `backbone ${spec.id} cannot be trained by the engine (an ONNX graph with NCHW input can)` };
    throw error;
  }
  const model = (await verifiedWeights(spec, home.models))[0]!; // a .tflite row's cached ONNX conversion
  const graph = readGraph(await fs.readFile(model));
  let cut: string;
  try {
    cut = findCut(graph, spec.tap, params.cut);
  } catch (error) {
    if (isSkulensError(error, 'ERR_FINETUNE_FAILED')) return { ok: false, reason: `backbone ${spec.id} has no place to cut: ${String(error.details.detail ?? error.message)}` };
    throw error;
  }
  const op = untrainableOp({ graph, cut, cutShape: [], tap: spec.tap, pool: spec.pool, dim: spec.dim, classes: 2 });
  if (op) return { ok: false, reason: `backbone ${spec.id} above ${cut}: ${op}` };
  return { ok: true };
}
