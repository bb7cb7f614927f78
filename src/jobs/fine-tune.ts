// Fine-tunes a backbone end to end and registers the result as an ordinary model version: images ->
// canvas file -> PyTorch engine (child process) -> exported ONNX backbone + logistic head -> served
// through onnxruntime on the test split (checked against PyTorch) -> immutable artefacts.
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { backboneSpecSchema, getBackbone, openEmbedder, type BackboneSpec } from '../backbone/index.js';
import { nearDuplicateClusters, sha256Hex } from '../dataset/index.js';
import { SkulensError, isSkulensError, reasonOf } from '../errors.js';
import { bestF1Thresholds, evaluatePredictions, toRekognitionSummary, type EvaluationReport, type ScoredImage } from '../evaluate/index.js';
import {
  canvasSide,
  checkExport,
  detectEngine,
  pixelScale,
  readFloat32,
  readHead,
  runEngine,
  writeCanvasFile,
  type EngineDone,
  type EngineJob,
  type EngineMessage,
  type ExportCheck,
} from '../finetune/index.js';
import type { HomeLayout } from '../home/index.js';
import { versionArn, versionId, writeVersionArtefacts, type Entry, type Registry, type Version } from '../registry/index.js';
import { encodeHead, groupedStratifiedFolds, headProbabilities } from '../train/index.js';
import type { JobProgress } from './train-version.js';

/** Fine-tuning parameters, validated once at the edge (CLI, HTTP). Defaults are the measured recipe. */
export const FineTuneParamsSchema = z.object({
  backbone: z.string().default('mobilenet-v2-imagenet'),
  seed: z.number().int().min(0).max(2 ** 31 - 1).default(1),
  epochs: z.number().int().min(1).max(200).default(6),
  /** 'all', or the number of last blocks trained (a block = a depthwise convolution and the convs around it). */
  unfreeze: z.union([z.literal('all'), z.number().int().min(1).max(1000)]).default('all'),
  /** Wall-clock budget of the whole job in seconds; training shrinks its schedule to fit. */
  budgetSeconds: z.number().positive().max(7 * 24 * 3600).optional(),
  batchSize: z.number().int().min(1).max(512).default(32),
  lr: z.number().positive().max(1).default(3e-4),
  headLr: z.number().positive().max(10).default(3e-3),
  weightDecay: z.number().min(0).max(1).default(0.01),
  labelSmoothing: z.number().min(0).max(0.5).default(0.1),
  dropout: z.number().min(0).max(0.9).default(0.2),
  /** Augmentation strength: 0 = centre crops only, 1 = crop area 0.5-1, flip, colour jitter 0.2. */
  augment: z.number().min(0).max(1).default(1),
  /** Class balancing by loss weights: n/(K n_c), its square root, or none. */
  balance: z.enum(['balanced', 'sqrt', 'none']).default('sqrt'),
  /** Epochs without a better validation accuracy before stopping. */
  patience: z.number().int().min(1).max(100).default(2),
  /** Share of the training images held out (whole near-duplicate groups) for early stopping. */
  valFraction: z.number().min(0.05).max(0.5).default(0.1),
  threads: z.number().int().min(1).max(256).optional(),
  workers: z.number().int().min(1).max(64).optional(),
  /** The python with torch and onnx; default SKULENS_PYTHON, else /usr/bin/python3, else python3. */
  python: z.string().min(1).optional(),
});
export type FineTuneParams = z.infer<typeof FineTuneParamsSchema>;

export type FineTunePhase = 'prepare' | 'finetune' | 'export' | 'evaluate' | 'write';

export type FineTuneProgress = JobProgress<FineTunePhase>;

export interface FineTuneOptions {
  onProgress?: (progress: FineTuneProgress) => void;
  onStart?: (version: Version) => void;
  /** Every engine message, for logs and benchmarks. */
  onEngineMessage?: (message: EngineMessage) => void;
  signal?: AbortSignal;
}

export interface FineTuneResult {
  version: Version;
  report: EvaluationReport;
  trainSeconds: number;
  engine: EngineDone;
  check: ExportCheck;
}

/**
 * Fine-tunes `params.backbone` on the project and writes a version whose backbone is the exported ONNX
 * graph (inside the version folder) and whose head is the fine-tuned classifier. On failure the version
 * is TRAINING_FAILED; on cancel it is removed; either way no version folder is written.
 *
 * @throws SkulensError ERR_FINETUNE_ENGINE_MISSING (no torch; before any version exists),
 *   ERR_FINETUNE_BACKBONE_UNSUPPORTED, ERR_TRAINING_CANCELLED, ERR_FINETUNE_FAILED, ERR_FINETUNE_EXPORT_MISMATCH.
 */
export async function fineTuneVersion(
  registry: Registry,
  home: HomeLayout,
  projectName: string,
  rawParams: Partial<FineTuneParams>,
  options: FineTuneOptions = {},
): Promise<FineTuneResult> {
  const started = performance.now();
  const params = FineTuneParamsSchema.parse(rawParams);
  const project = registry.getProject(projectName);
  const base = fineTunable(getBackbone(params.backbone, home.models));
  const { labels, train, test } = trainableSplit(registry.listEntries(project.id), projectName);
  const engineInfo = await detectEngine(params.python);

  const version = registry.createVersion(project.id, { backbone: base.id, params: { mode: 'fine-tune', ...params }, seed: params.seed });
  options.onStart?.(version);
  const work = path.join(home.tmp, `.finetune.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`);
  const progress = options.onProgress ?? (() => undefined);
  try {
    await fs.mkdir(path.join(work, 'out'), { recursive: true });
    const images = [...train, ...test];
    const canvas = await writeCanvasFile(
      images.map((e) => ({ path: path.resolve(home.root, e.blob), name: e.source })),
      base.input,
      path.join(work, 'images.u8'),
      { signal: options.signal, onProgress: (done, total) => progress({ phase: 'prepare', done, total, detail: 'decoding images' }) },
    );
    const labelIndex = new Map(labels.map((label, index) => [label, index]));
    const y = images.map((e) => labelIndex.get(e.label)!);
    const { trainIdx, valIdx } = groupedValidation(train, y.slice(0, train.length), params);
    const budgetEnd = params.budgetSeconds === undefined ? null : Date.now() / 1000 + params.budgetSeconds - (performance.now() - started) / 1000;
    const job: EngineJob = {
      model: path.resolve(home.models, base.weights.source === 'file' ? base.weights.file : ''),
      inputName: base.input.name,
      output: base.tap,
      pool: base.pool,
      dim: base.dim,
      numClasses: labels.length,
      images: path.join(work, 'images.u8'),
      count: images.length,
      canvas,
      size: base.input.size,
      ...pixelScale(base.input),
      labels: y,
      train: trainIdx,
      val: valIdx,
      test: test.map((_, k) => train.length + k),
      testCount: test.length,
      epochs: params.epochs,
      unfreeze: params.unfreeze,
      lr: params.lr,
      headLr: params.headLr,
      weightDecay: params.weightDecay,
      batchSize: params.batchSize,
      labelSmoothing: params.labelSmoothing,
      dropout: params.dropout,
      augment: params.augment,
      balance: params.balance,
      patience: params.patience,
      seed: params.seed,
      threads: params.threads ?? Math.min(2, os.availableParallelism()),
      // Time after the engine: serving the test split through onnxruntime and writing (about 15 ms an
      // image on an idle 2-core machine; the margin is for a busy one).
      deadline: budgetEnd === null ? null : budgetEnd - 30 - 0.05 * test.length,
      out: path.join(work, 'out'),
    };
    await fs.writeFile(path.join(work, 'job.json'), JSON.stringify(job));
    const engine = await runEngine(engineInfo.python, path.join(work, 'job.json'), {
      signal: options.signal,
      onMessage: (message) => {
        options.onEngineMessage?.(message);
        forwardProgress(message, progress);
      },
    });

    const out = (name: string): string => path.join(work, 'out', name);
    const head = await readHead(out(engine.files.head), base.dim, labels.length);
    const onnxBytes = await fs.readFile(out(engine.files.model));
    const onnxSha = sha256Hex(onnxBytes);
    const tuned: BackboneSpec = backboneSpecSchema.parse({
      ...base,
      id: `ft-${onnxSha.slice(0, 16)}`,
      description: `${base.id} fine-tuned on project ${projectName} (${versionId(version)})`,
      weights: { source: 'file', file: 'backbone.onnx', sha256: onnxSha },
    });

    // Serve the exported graph exactly as a started version would, and hold it to PyTorch's outputs.
    const embedder = await openEmbedder({ ...tuned, weights: { source: 'file', file: out(engine.files.model), sha256: onnxSha } }, {
      modelsDir: home.models,
      workers: params.workers,
    });
    const served: Float32Array[] = [];
    try {
      for (const [k, e] of test.entries()) {
        if (options.signal?.aborted) throw new SkulensError('ERR_TRAINING_CANCELLED', { version: versionId(version) });
        served.push(await embedder.embed({ path: path.resolve(home.root, e.blob), name: e.source }));
        progress({ phase: 'evaluate', done: k + 1, total: test.length, detail: 'serving the test split with onnxruntime' });
      }
    } finally {
      await embedder.close();
    }
    const check = checkExport(
      await readFloat32(out(engine.files.testEmbeddings), test.length * base.dim),
      await readFloat32(out(engine.files.testLogits), test.length * labels.length),
      served,
      head,
    );
    const scored: ScoredImage[] = test.map((e, k) => ({ image: e.source, truth: labelIndex.get(e.label)!, probs: headProbabilities(head, served[k]!) }));
    const thresholds = bestF1Thresholds(labels.length, scored);
    const report = evaluatePredictions(labels, scored, thresholds);
    if (options.signal?.aborted) throw new SkulensError('ERR_TRAINING_CANCELLED', { version: versionId(version) });

    progress({ phase: 'write', done: 0, total: 1 });
    const headBytes = encodeHead(head);
    const engineSummary = { ...engine, files: undefined }; // the work-folder file names mean nothing later
    const dir = await writeVersionArtefacts(home, {
      manifest: {
        format: 'skulens-model/1',
        project: projectName,
        version: version.name,
        backbone: { id: tuned.id, dim: tuned.dim, spec: { ...tuned }, base: base.id },
        labels,
        thresholds,
        head: { file: 'head.bin', kind: head.kind, sha256: sha256Hex(headBytes) },
        params: { mode: 'fine-tune', ...params },
        seed: params.seed,
        images: { train: train.length, test: test.length },
        createdAt: version.createdAt,
      },
      head: headBytes,
      evaluationSummary: toRekognitionSummary(report, { projectVersionArn: versionArn(version), evaluationEndTimestamp: new Date(), numberOfTrainingImages: train.length }),
      report,
      snapshot: images.map((e) => ({ sha256: e.sha256, label: e.label, split: e.split, source: e.source })),
      extra: { 'finetune.json': { engine: { ...engineInfo }, ...engineSummary, check, servedAccuracy: report.accuracy, validation: valIdx.length } },
      files: { 'backbone.onnx': onnxBytes },
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
        mode: 'fine-tune',
        epochsRun: engine.epochsRun,
        bestEpoch: engine.bestEpoch,
        stoppedBy: engine.stoppedBy,
        valAccuracy: engine.valAccuracy,
        torchTestAccuracy: engine.testAccuracy,
        exportMaxDiff: Math.max(check.embeddingMaxDiff, check.logitMaxDiff),
      },
    });
    return { version: completed, report, trainSeconds, engine, check };
  } catch (error) {
    if (isSkulensError(error, 'ERR_TRAINING_CANCELLED') || options.signal?.aborted) {
      registry.deleteVersion(version.id);
      throw new SkulensError('ERR_TRAINING_CANCELLED', { version: versionId(version) }, { cause: error });
    }
    registry.setVersionStatus(version.id, 'TRAINING_FAILED', reasonOf(error));
    throw error;
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
}

/** The backbone if the engine can load it: an ONNX file in NCHW layout. */
function fineTunable(spec: BackboneSpec): BackboneSpec {
  if (spec.runtime !== 'onnx' || spec.weights.source !== 'file') {
    throw new SkulensError('ERR_FINETUNE_BACKBONE_UNSUPPORTED', {
      backbone: spec.id,
      detail: 'it is a TF.js graph, and only ONNX backbones are fine-tuned (use mobilenet-v2-imagenet or an ONNX row of your own)',
    });
  }
  if (spec.input.layout !== 'nchw') throw new SkulensError('ERR_FINETUNE_BACKBONE_UNSUPPORTED', { backbone: spec.id, detail: 'its input is NHWC; the engine trains NCHW graphs' });
  return spec;
}

function forwardProgress(message: EngineMessage, progress: (p: FineTuneProgress) => void): void {
  if (message.type === 'progress') {
    const detail = `epoch ${message.epoch}/${message.epochs} loss ${message.loss.toFixed(4)} ${message.imagesPerSecond.toFixed(1)} img/s`;
    progress({ phase: 'finetune', done: (message.epoch - 1) * message.steps + message.step, total: message.epochs * message.steps, detail });
  } else if (message.type === 'epoch') {
    const detail = `epoch ${message.epoch}/${message.epochs} loss ${message.trainLoss.toFixed(4)} val acc ${message.valAccuracy.toFixed(3)}${message.best ? ' (best)' : ''}`;
    progress({ phase: 'finetune', done: message.epoch, total: message.epochs, detail });
  } else if (message.type === 'phase') {
    progress({ phase: 'export', done: message.phase === 'export' ? 1 : 0, total: 2, detail: message.phase === 'export' ? 'torch.onnx.export' : 'scoring the test split in PyTorch' });
  }
}

/** Holds out whole near-duplicate groups, stratified, for early stopping; the test split is never used. */
function groupedValidation(train: readonly Entry[], y: number[], params: FineTuneParams): { trainIdx: number[]; valIdx: number[] } {
  const k = Math.max(2, Math.min(train.length, Math.round(1 / params.valFraction)));
  const folds = groupedStratifiedFolds(y, nearDuplicateClusters(train.map((e) => e.dhash)), k, params.seed);
  const trainIdx: number[] = [];
  const valIdx: number[] = [];
  folds.forEach((fold, i) => (fold === 0 ? valIdx : trainIdx).push(i));
  if (valIdx.length === 0 || trainIdx.length === 0) throw new SkulensError('ERR_TRAINING_INVALID', { detail: `${train.length} training images are too few to hold out a validation split` });
  return { trainIdx, valIdx };
}

/** Labels with images in both splits, as trainVersion uses. */
function trainableSplit(entries: readonly Entry[], project: string): { labels: string[]; train: Entry[]; test: Entry[] } {
  if (entries.length === 0) throw new SkulensError('ERR_DATASET_EMPTY', { project, detail: '; import a folder of photos first' });
  const has = (label: string, split: Entry['split']): boolean => entries.some((e) => e.label === label && e.split === split);
  const labels = [...new Set(entries.map((e) => e.label))].filter((label) => has(label, 'train') && has(label, 'test')).sort();
  if (labels.length < 2) throw new SkulensError('ERR_TRAINING_INVALID', { detail: `fine-tuning needs 2 labels with train and test images; project "${project}" has ${labels.length}` });
  const kept = new Set(labels);
  return { labels, train: entries.filter((e) => e.split === 'train' && kept.has(e.label)), test: entries.filter((e) => e.split === 'test' && kept.has(e.label)) };
}
