// Fine-tunes a backbone end to end and registers the result as an ordinary model version: images ->
// canvas file -> PyTorch engine (child process; measures, plans, trains) -> exported ONNX backbone +
// logistic head -> thresholds from the grouped validation split -> served through onnxruntime on the
// test split (checked against PyTorch; the test split only scores) -> immutable artefacts.
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { backboneSpecSchema, getBackbone, verifiedWeights, type BackboneSpec } from '../backbone/index.js';
import { sha256Hex } from '../dataset/index.js';
import { evaluateHierarchy, evaluatePredictions, type EvaluationReport, type ScoredImage } from '../evaluate/index.js';
import { checkExport, detectEngine, epochsShowing, groupedValidation, pooledF1Thresholds, readFloat32, readHead, runEngine, writeCanvasFile, type EngineDone, type EngineMessage, type ExportCheck } from '../finetune/index.js';
import type { HomeLayout } from '../home/index.js';
import { Duration, Int, Num, Seed } from '../params.js';
import { versionId, type Registry, type Version } from '../registry/index.js';
import { headProbabilities } from '../train/index.js';
import { coldStart, defaultFinalSize, inputAt, warmStart } from './fine-tune-from.js';
import { forwardEngineProgress } from './engine-progress.js';
import { engineJob, fineTunable, serveTestSplit, valScored } from './fine-tune-parts.js';
import { trainableSplit, untrainedNote } from './split.js';
import { runVersionJob, type JobProgress, type VersionOutput } from './version-job.js';
import { fineTuneOnnxVersion } from './fine-tune-onnx.js';
import { SkulensError } from '../errors.js';

/**
 * What only the PyTorch engine does, refused for the ONNX engine with a coded error naming the option.
 *
 * @throws SkulensError ERR_ARGUMENT_INVALID.
 */
function refuseTorchOnly(params: FineTuneParams): FineTuneParams {
  if (params.finalEpochs > 0) throw new SkulensError('ERR_ARGUMENT_INVALID', { field: 'finalEpochs', detail: `${params.finalEpochs}: progressive resizing is an option of the PyTorch engine (engine torch)` });
  if (params.device === 'mps') throw new SkulensError('ERR_ARGUMENT_INVALID', { field: 'device', detail: 'mps: the ONNX engine trains on cpu or cuda; Apple MPS is an option of the PyTorch engine (engine torch)' });
  return params;
}

/**
 * Fine-tuning parameters. Defaults are the measured recipe. The CLI passes its raw values through this
 * schema once: numbers may come as text, the budget as "30m", --unfreeze as "all", "3" or "3-blocks".
 */
export const FineTuneParamsSchema = z.object({
  backbone: z.string().min(1).default('mobilenet-v2-imagenet'),
  seed: Seed,
  /** Exact epoch count; unset: the recipe's (FINE_TUNE_PHOTOS over the training photos, 4 to 12; 3 from a version), shrunk to fit a budget. */
  epochs: Int(1, 200).optional(),
  /** Continue from this version's backbone (`v3`, `<project>/v3` or an ARN): a warm start. */
  from: z.string().min(1).optional(),
  /** 'all', or the number of last blocks trained (a block = a depthwise convolution and the convs around it). */
  unfreeze: z
    .preprocess(
      (value) => (typeof value === 'string' && value !== 'all' ? value.replace(/-?blocks?$/, '') : value),
      z.union([z.literal('all'), z.coerce.number().int().min(1).max(1000)], { error: "use 'all' or a number of blocks from 1 to 1000 (e.g. 3 or 3-blocks)" }),
    )
    .default('all'),
  /** Wall-clock budget of the whole job in seconds (up to 7 days); the plan is fitted to it before training. */
  budgetSeconds: Duration(7 * 24 * 3600).optional(),
  // The fast path's optimiser settings, with layer-wise decay below its blocks: on grocery-store-dev val
  // they scored 0.862 against 0.797 for the earlier recipe (lr 3e-4, weight decay 0.01, batch 32, LP-FT,
  // EMA, 7 epochs); on clothing the two are equal within a run's noise, 0.919-0.930 against 0.919-0.927
  // (docs/fine-tuning.md, session 5 of 2026-11-29).
  batchSize: Int(1, 512).default(64),
  lr: Num(Number.MIN_VALUE, 1).default(1e-3),
  headLr: Num(Number.MIN_VALUE, 10).default(3e-3),
  weightDecay: Num(0, 1).default(0.05),
  labelSmoothing: Num(0, 0.5).default(0.1),
  dropout: Num(0, 0.9).default(0.2),
  /** Augmentation strength: 0 = centre crops only, 1 = crop area 0.5-1, flip, colour jitter 0.2. */
  augment: Num(0, 1).default(1),
  /** Class balancing by loss weights: n/(K n_c), its square root, or none. */
  balance: z.enum(['balanced', 'sqrt', 'none']).default('sqrt'),
  /** Training resolution of the first epochs; default the backbone's input size (224). */
  trainSize: Int(32, 1024).optional(),
  /** Resolution of the last `finalEpochs` epochs and of serving; default 9/7 of the training size (288). */
  finalSize: Int(32, 1024).optional(),
  /**
   * Epochs at `finalSize` at the end; default none: on clothing's grouped validation split a last epoch
   * at 288 px scored 0.909 against 0.941 after the epoch before it at 224 (2026-11-29, docs/fine-tuning.md).
   */
  finalEpochs: Int(0, 50).default(0),
  /**
   * Start the head from a linear probe on the backbone (LP-FT). Default: only for a warm start, whose new
   * labels need head rows on its tuned features; from ImageNet weights it measured worse (see batchSize).
   */
  lpft: z.boolean().optional(),
  /** Decay of the exponential moving average of the weights; 0 (the default) turns it off. */
  ema: Num(0, 0.9999).default(0),
  /** Layer-wise learning-rate decay per block from the top (block 0 of MobileNetV2 trains at 0.85^16 = 7% of lr); 1 turns it off. */
  llrd: Num(0.05, 1).default(0.85),
  /** Probability of random erasing per training crop. */
  erase: Num(0, 1).default(0),
  /** Where to train: auto = CUDA, then Apple MPS, then the CPU (the PyTorch engine); the ONNX engine trains on cpu or cuda. */
  device: z.enum(['auto', 'cpu', 'cuda', 'mps']).default('auto'),
  /**
   * What trains: onnxruntime in Node (the fast path's engine with its cut at the image input; no Python), or
   * the PyTorch engine (a python with torch and onnx).
   */
  engine: z.enum(['onnx', 'torch']).default('onnx'),
  /** Copies of the network trained with consecutive seeds and served together (the ONNX engine). */
  members: Int(1, 8).default(1),
  /** Keep the depthwise kernels as the backbone has them (the ONNX engine; see docs/fast-path.md). */
  freezeDepthwise: z.boolean().default(true),
  /** Share of the training images held out (whole near-duplicate groups) for validation and thresholds. */
  valFraction: Num(0.05, 0.5).default(0.1),
  threads: Int(1, 256).optional(),
  workers: Int(1, 64).optional(),
  /** The python with torch and onnx; default SKULENS_PYTHON, else /usr/bin/python3, else python3. */
  python: z.string().min(1).optional(),
});
export type FineTuneParams = z.output<typeof FineTuneParamsSchema>;

/** The most epochs the recipe plans unless told, and the epochs of a warm start (from a version). */
export const DEFAULT_EPOCHS = 12;
export const WARM_EPOCHS = 3;
/**
 * Training photos the recipe shows by default: 12 epochs of grocery-store-dev's 1,800 (capped), 9 of
 * clothing's 2,760 (11 and 12-14 minutes on two cores).
 */
export const FINE_TUNE_PHOTOS = 26_000;

/** Epochs unless told: FINE_TUNE_PHOTOS over the training photos (validation split excluded), 4 to DEFAULT_EPOCHS; WARM_EPOCHS for a warm start. */
export function defaultFineTuneEpochs(trainPhotos: number, warmStart: boolean): number {
  return warmStart ? WARM_EPOCHS : epochsShowing(FINE_TUNE_PHOTOS, trainPhotos, DEFAULT_EPOCHS);
}
export type FineTuneParamsInput = z.input<typeof FineTuneParamsSchema>;

export type FineTunePhase = 'prepare' | 'measure' | 'finetune' | 'export' | 'evaluate' | 'write';

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
  rawParams: FineTuneParamsInput,
  options: FineTuneOptions = {},
): Promise<FineTuneResult> {
  const started = performance.now();
  const params = FineTuneParamsSchema.parse(rawParams);
  if (params.engine === 'onnx') return fineTuneOnnxVersion(registry, home, projectName, refuseTorchOnly(params), options, started);
  const project = registry.projects.get(projectName);
  const start = params.from ? await warmStart(registry, home, projectName, params.from) : coldStart(getBackbone(params.backbone, home.models));
  const base = fineTunable(start.spec);
  const trainSize = params.trainSize ?? start.baseInput.size;
  const trainable = trainableSplit(registry.entries.list(project.id), projectName);
  const { labels, train, test } = trainable;
  const taxonomy = registry.taxonomies.get(project.id);
  const engineInfo = await detectEngine(params.python);
  const work = path.join(home.tmp, `.finetune.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`);
  const progress = options.onProgress ?? (() => undefined);
  try {
    return await runVersionJob(registry, home, {
      project,
      init: { backbone: start.baseId, params: { mode: 'fine-tune', ...params }, seed: params.seed },
      onStart: options.onStart,
      signal: options.signal,
      work: async (version, checkCancelled) => {
        await fs.mkdir(path.join(work, 'out'), { recursive: true });
        const images = [...train, ...test];
        const labelIndex = new Map(labels.map((label, index) => [label, index]));
        const y = images.map((e) => labelIndex.get(e.label)!);
        const split = groupedValidation(train, params, { splitSeed: registry.projects.splitSeed(project.id) });
        const epochs = params.epochs ?? defaultFineTuneEpochs(split.trainIdx.length, params.from !== undefined);
        // Progressive resizing needs an epoch at the first size: with fewer epochs, all train (and serve) at it.
        const finalSize = params.finalEpochs > 0 && epochs > params.finalEpochs ? (params.finalSize ?? defaultFinalSize(trainSize)) : trainSize;
        const serving = inputAt(start.baseInput, finalSize);
        const canvas = await writeCanvasFile(
          images.map((e) => ({ path: path.resolve(home.root, e.blob), name: e.source })),
          serving,
          path.join(work, 'images.u8'),
          { signal: options.signal, onProgress: (done, total) => progress({ phase: 'prepare', done, total, detail: 'decoding images' }) },
        );
        const budgetEnd = params.budgetSeconds === undefined ? null : Date.now() / 1000 + params.budgetSeconds - (performance.now() - started) / 1000;
        const model = (await verifiedWeights(base, home.models))[0]!;
        const job = engineJob({ base, params, epochs, trainSize, size: finalSize, work, canvas, y, split, trainCount: train.length, testCount: test.length, numClasses: labels.length, budgetEnd, model });
        await fs.writeFile(path.join(work, 'job.json'), JSON.stringify(job));
        const engine = await runEngine(engineInfo.python, path.join(work, 'job.json'), {
          signal: options.signal,
          onMessage: (message) => {
            options.onEngineMessage?.(message);
            forwardEngineProgress(message, progress as (p: JobProgress<string>) => void, 'finetune');
          },
        });

        const out = (name: string): string => path.join(work, 'out', name);
        const head = await readHead(out(engine.files.head), base.dim, labels.length);
        const onnxBytes = await fs.readFile(out(engine.files.model));
        const onnxSha = sha256Hex(onnxBytes);
        const tuned: BackboneSpec = backboneSpecSchema.parse({
          ...base,
          input: inputAt(start.baseInput, engine.plan.size),
          id: `ft-${onnxSha.slice(0, 16)}`,
          description: `${start.baseId} fine-tuned on project ${projectName} (${versionId(version)})${start.from ? `, continued from ${versionId(start.from)}` : ''}`,
          weights: { source: 'file', file: 'backbone.onnx', sha256: onnxSha },
        });
        // Serve the exported graph exactly as a started version would, and hold it to PyTorch's outputs.
        const served = await serveTestSplit({ ...tuned, weights: { source: 'file', file: out(engine.files.model), sha256: onnxSha } }, test, home, params.workers, checkCancelled, progress);
        const check = checkExport(
          await readFloat32(out(engine.files.testEmbeddings), test.length * base.dim),
          await readFloat32(out(engine.files.testLogits), test.length * labels.length),
          served,
          head,
        );
        // Thresholds from the grouped validation split (PyTorch's embeddings of the exported model); the
        // test split only scores.
        const valEmbeddings = await readFloat32(out(engine.files.valEmbeddings), split.valIdx.length * base.dim);
        const thresholds = pooledF1Thresholds(labels.length, valScored(train, split.valIdx, y, head, valEmbeddings));
        const scored: ScoredImage[] = test.map((e, k) => ({ image: e.source, truth: labelIndex.get(e.label)!, probs: headProbabilities(head, served[k]!) }));
        const flat = { ...evaluatePredictions(labels, scored, thresholds), ...untrainedNote(trainable) };
        const report = taxonomy ? { ...flat, hierarchy: evaluateHierarchy(labels, scored, thresholds, taxonomy) } : flat;
        checkCancelled();

        progress({ phase: 'write', done: 0, total: 1 });
        const engineSummary = { ...engine, files: undefined }; // the work-folder file names mean nothing later
        const trainSeconds = (performance.now() - started) / 1000;
        const output: VersionOutput = {
          backbone: { id: tuned.id, dim: tuned.dim, spec: { ...tuned }, base: start.baseId },
          labels,
          thresholds,
          head,
          params: { mode: 'fine-tune', ...params, taxonomy },
          images: { train: train.length, test: test.length },
          report,
          snapshot: images.map((e) => ({ sha256: e.sha256, label: e.label, split: e.split, source: e.source })),
          extra: {
            'finetune.json': {
              engine: { ...engineInfo },
              ...engineSummary,
              check,
              servedAccuracy: report.accuracy,
              validation: split.valIdx.length,
              thresholds: 'best F1 per label on the grouped validation split, shrunk toward the pooled best-F1 threshold',
              ...(start.from ? { from: versionId(start.from) } : {}),
            },
          },
          files: { 'backbone.onnx': onnxBytes },
          metrics: {
            trainSeconds,
            mode: 'fine-tune',
            epochsRun: engine.epochsRun,
            plannedEpochs: engine.plan.epochs,
            requestedEpochs: engine.plan.requestedEpochs,
            expectedSeconds: engine.plan.expectedSeconds,
            size: engine.plan.size,
            stoppedBy: engine.stoppedBy,
            device: engine.device,
            ...(start.from ? { from: versionId(start.from) } : {}),
            valAccuracy: engine.valAccuracy,
            torchTestAccuracy: engine.testAccuracy,
            exportMaxDiff: Math.max(check.embeddingMaxDiff, check.logitMaxDiff),
          },
        };
        return { output, result: { report, trainSeconds, engine, check } };
      },
    });
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
}
