// A fine-tune on the ONNX Runtime engine as a model version: the fast path's plan (every label type),
// the engine with its cut at the image input (src/finetune/fine-tune-onnx.ts), thresholds from the
// held-out folds, the served graph and its artefacts on the version-job skeleton. `--from` continues from
// a version's own backbone graph with a linear probe starting the head.
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { getBackbone } from '../backbone/index.js';
import { trainFineTune, type EngineMessage } from '../finetune/index.js';
import type { HomeLayout } from '../home/index.js';
import { versionId, type Entry, type Registry } from '../registry/index.js';
import { fastPlan } from './fast-plan.js';
import { defaultFineTuneEpochs, type FineTuneOptions, type FineTuneParams, type FineTuneResult } from './fine-tune.js';
import { coldStart, inputAt, warmStart } from './fine-tune-from.js';
import { endSeconds, fineTunable } from './fine-tune-parts.js';
import { forwardEngineProgress } from './engine-progress.js';
import { runVersionJob, type JobProgress } from './version-job.js';

/** Runs a fine-tune on the ONNX engine (params already validated). */
export async function fineTuneOnnxVersion(registry: Registry, home: HomeLayout, projectName: string, params: FineTuneParams, options: FineTuneOptions, started: number): Promise<FineTuneResult> {
  const project = registry.projects.get(projectName);
  const start = params.from ? await warmStart(registry, home, projectName, params.from) : coldStart(getBackbone(params.backbone, home.models));
  const size = params.trainSize ?? start.baseInput.size;
  const base = fineTunable({ ...start.spec, input: inputAt(start.baseInput, size) });
  const file = (e: Entry): string => path.resolve(home.root, e.blob);
  const plan = fastPlan(registry, project, file);
  const work = path.join(home.tmp, `.finetune.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`);
  const progress = options.onProgress ?? (() => undefined);
  const modeParams = { mode: 'fine-tune', ...params, ...plan.labelParams };
  try {
    return await runVersionJob(registry, home, {
      project,
      init: { backbone: start.baseId, params: modeParams, seed: params.seed },
      onStart: options.onStart,
      signal: options.signal,
      work: async (version, checkCancelled) => {
        await fs.mkdir(work, { recursive: true });
        let planned: Extract<EngineMessage, { type: 'plan' }> | undefined;
        const trainPhotos = Math.round(plan.train.length * (1 - params.valFraction));
        const epochs = params.epochs ?? defaultFineTuneEpochs(trainPhotos, params.from !== undefined);
        const run = await trainFineTune(
          {
            home,
            spec: base,
            labels: plan.labels,
            train: plan.train,
            evaluate: plan.evaluate,
            heads: plan.heads,
            params: { ...fastDefaults, ...params, epochs, members: params.members, flip: 0.5, views: 1, cut: 0, flipTest: false, device: params.device === 'cuda' ? 'cuda' : 'cpu', freezeDepthwise: params.freezeDepthwise },
            work,
          },
          { llrd: params.llrd, augment: params.augment, erase: params.erase, unfreeze: params.unfreeze, lpft: params.lpft ?? params.from !== undefined, epochsExact: params.epochs !== undefined, deadline: params.budgetSeconds === undefined ? null : Date.now() + (params.budgetSeconds - endSeconds(plan.evaluate.length)) * 1000 - (performance.now() - started) },
          {
            signal: options.signal,
            onProgress: (phase, done, total) => progress(phase === 'serve' ? { phase: 'evaluate', done, total, detail: 'serving the test split with onnxruntime' } : { phase: 'prepare', done, total, detail: 'decoding images' }),
            onMessage: (message: EngineMessage) => {
              options.onEngineMessage?.(message);
              if (message.type === 'plan') planned = message;
              forwardEngineProgress(message, progress as (p: JobProgress<string>) => void, 'finetune');
            },
          },
        );
        checkCancelled();
        progress({ phase: 'write', done: 0, total: 1 });
        const report = plan.report(run);
        const trainSeconds = (performance.now() - started) / 1000;
        const spec = { ...run.spec, id: run.spec.id.replace(/^fast-/, 'ft-'), description: `${start.baseId} fine-tuned on project ${projectName} (${versionId(version)})${start.from ? `, continued from ${versionId(start.from)}` : ''}` };
        // The run in the PyTorch engine's summary form, which the CLI, the bench and reports read.
        const engineplan = planned ?? { type: 'plan' as const, requestedEpochs: epochs, epochs, finalEpochs: 0, trainSize: size, size, stepsPerEpoch: 0, stepSeconds: {}, expectedSeconds: 0, fits: true, threads: run.engine.threads, endSeconds: 0 };
        const { type: _type, ...planFields } = engineplan;
        const engine: FineTuneResult['engine'] = {
          type: 'done', bestEpoch: run.engine.epochsRun, valAccuracy: run.validation.accuracy, valLoss: run.engine.valLoss, epochsRun: run.engine.epochsRun, stoppedBy: run.engine.stoppedBy,
          history: run.engine.history, threads: run.engine.threads, trainSeconds: run.engine.trainSeconds, testAccuracy: report.accuracy, probeValAccuracy: run.engine.probeValAccuracy ?? null,
          plan: planFields, device: params.device === 'cuda' ? 'cuda' : 'cpu', precision: 'float32', files: { model: '', head: '', valEmbeddings: '', testEmbeddings: '', testLogits: '' },
        };
        return {
          output: {
            backbone: { id: spec.id, dim: spec.dim, spec, base: start.baseId },
            labels: plan.labels,
            thresholds: run.thresholds,
            head: run.head,
            params: modeParams,
            images: plan.images,
            report,
            snapshot: plan.snapshot,
            extra: {
              'finetune.json': { engine: { runtime: 'onnxruntime', device: params.device, freezeDepthwise: params.freezeDepthwise }, ...engine, files: undefined, check: run.check, servedAccuracy: report.accuracy, validation: run.validation, timings: run.timings, ...(start.from ? { from: versionId(start.from) } : {}) },
            },
            files: { 'backbone.onnx': await fs.readFile(run.onnxFile), 'upper.f32': await fs.readFile(run.upperFile) },
            metrics: {
              trainSeconds,
              mode: 'fine-tune',
              engine: 'onnx',
              epochsRun: run.engine.epochsRun,
              plannedEpochs: engine.plan.epochs,
              requestedEpochs: engine.plan.requestedEpochs,
              expectedSeconds: engine.plan.expectedSeconds,
              size,
              stoppedBy: run.engine.stoppedBy,
              device: engine.device,
              members: run.engine.members,
              ...(start.from ? { from: versionId(start.from) } : {}),
              valAccuracy: run.validation.accuracy,
              exportMaxDiff: Math.max(run.check.embeddingMaxDiff, run.check.logitMaxDiff),
            },
          },
          result: { report, trainSeconds, engine, check: run.check },
        };
      },
    });
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
}

/** The fast path's settings a fine-tune does not choose (their defaults; the fine-tune's own override them). */
const fastDefaults = { labelSmoothing: 0.1, dropout: 0.2, ema: 0, balance: 'sqrt', valFraction: 0.1, members: 1, seed: 1, lr: 1e-3, headLr: 3e-3, weightDecay: 0.05, batchSize: 64, backbone: 'mobilenet-v2-imagenet' } as const;
