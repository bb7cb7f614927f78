// The parts of a fine-tuning job around the PyTorch engine: which backbones it can train, the job file
// it is handed, the grouped validation split, progress from its messages, and serving the exported
// graph on the test split with onnxruntime.
import os from 'node:os';
import path from 'node:path';
import { openEmbedder, type BackboneSpec } from '../backbone/index.js';
import { SkulensError } from '../errors.js';
import { pixelScale, type EngineJob, type EngineMessage } from '../finetune/index.js';
import type { ScoredImage } from '../evaluate/index.js';
import type { HomeLayout } from '../home/index.js';
import type { Entry } from '../registry/index.js';
import { headProbabilities, type LogisticHead } from '../train/index.js';
import type { FineTuneParams, FineTuneProgress } from './fine-tune.js';

/** Seconds of a fine-tune's budget kept for what follows training: held-out scoring, the export and the test split. */
export function endSeconds(testPhotos: number): number {
  return 30 + 0.05 * testPhotos;
}

/** The engine's job file: the images, labels and splits by index, and the recipe. */
export function engineJob(input: {
  base: BackboneSpec;
  params: FineTuneParams;
  /** The plan's epochs (exact when params.epochs is given), the first resolution and the serving one. */
  epochs: number;
  trainSize: number;
  size: number;
  work: string;
  canvas: EngineJob['canvas'];
  y: number[];
  split: { trainIdx: number[]; valIdx: number[] };
  trainCount: number;
  testCount: number;
  numClasses: number;
  /** Epoch seconds when the whole job must end, or null. */
  budgetEnd: number | null;
  /** The verified ONNX file of the base backbone (for a .tflite row, its cached conversion). */
  model: string;
}): EngineJob {
  const { base, params } = input;
  return {
    model: input.model,
    inputName: base.input.name,
    output: base.tap,
    pool: base.pool,
    dim: base.dim,
    numClasses: input.numClasses,
    images: path.join(input.work, 'images.u8'),
    count: input.trainCount + input.testCount,
    canvas: input.canvas,
    size: input.size,
    trainSize: input.trainSize,
    finalEpochs: input.size === input.trainSize ? 0 : params.finalEpochs,
    ...pixelScale(base.input),
    labels: input.y,
    train: input.split.trainIdx,
    val: input.split.valIdx,
    test: Array.from({ length: input.testCount }, (_, k) => input.trainCount + k),
    testCount: input.testCount,
    epochs: input.epochs,
    epochsExact: params.epochs !== undefined,
    unfreeze: params.unfreeze,
    lr: params.lr,
    headLr: params.headLr,
    weightDecay: params.weightDecay,
    batchSize: params.batchSize,
    labelSmoothing: params.labelSmoothing,
    dropout: params.dropout,
    augment: params.augment,
    balance: params.balance,
    lpft: params.lpft ?? params.from !== undefined,
    ema: params.ema,
    llrd: params.llrd,
    erase: params.erase,
    device: params.device,
    seed: params.seed,
    threads: params.threads ?? Math.min(2, os.availableParallelism()),
    // Time after the engine: serving the test split through onnxruntime and writing (about 15 ms an
    // image on an idle 2-core machine; the margin is for a busy one).
    deadline: input.budgetEnd === null ? null : input.budgetEnd - endSeconds(input.testCount),
    out: path.join(input.work, 'out'),
  };
}

/** Embeds the test split with the exported graph through onnxruntime, as a started version would. */
export async function serveTestSplit(
  spec: BackboneSpec,
  test: readonly Entry[],
  home: HomeLayout,
  workers: number | undefined,
  checkCancelled: () => void,
  progress: (p: FineTuneProgress) => void,
): Promise<Float32Array[]> {
  const embedder = await openEmbedder(spec, { modelsDir: home.models, workers });
  const served: Float32Array[] = [];
  try {
    for (const [k, e] of test.entries()) {
      checkCancelled();
      served.push(await embedder.embed({ path: path.resolve(home.root, e.blob), name: e.source }));
      progress({ phase: 'evaluate', done: k + 1, total: test.length, detail: 'serving the test split with onnxruntime' });
    }
  } finally {
    await embedder.close();
  }
  return served;
}

/** The backbone if the engine can load it: an ONNX file in NCHW layout. */
export function fineTunable(spec: BackboneSpec): BackboneSpec {
  if (spec.runtime !== 'onnx' || spec.weights.source !== 'file') {
    throw new SkulensError('ERR_FINETUNE_BACKBONE_UNSUPPORTED', {
      backbone: spec.id,
      detail: 'it is a TF.js graph, and only ONNX backbones are fine-tuned (use mobilenet-v2-imagenet or an ONNX row of your own)',
    });
  }
  if (spec.input.layout !== 'nchw') throw new SkulensError('ERR_FINETUNE_BACKBONE_UNSUPPORTED', { backbone: spec.id, detail: 'its input is NHWC; the engine trains NCHW graphs' });
  return spec;
}

/** The validation images scored by the trained head on PyTorch's raw embeddings (normalised as serving does). */
export function valScored(train: readonly Entry[], valIdx: readonly number[], y: readonly number[], head: LogisticHead, embeddings: Float32Array): ScoredImage[] {
  const dim = head.dim;
  return valIdx.map((i, k) => {
    const e = embeddings.slice(k * dim, (k + 1) * dim);
    let norm = 0;
    for (const v of e) norm += v * v;
    norm = Math.sqrt(norm) || 1;
    return { image: train[i]!.source, truth: y[i]!, probs: headProbabilities(head, e.map((v) => v / norm)) };
  });
}

/** One line of the engine's plan, as the CLI and logs print it. */
export function describePlan(plan: Extract<EngineMessage, { type: 'plan' }>, device?: string): string {
  const steps = Object.entries(plan.stepSeconds).map(([size, s]) => `${s.toFixed(2)} s/step at ${size}`).join(', ');
  const sizes = plan.finalEpochs > 0 ? `${plan.epochs - plan.finalEpochs} at ${plan.trainSize} px + ${plan.finalEpochs} at ${plan.size} px` : `at ${plan.size} px`;
  const cut = plan.epochs < plan.requestedEpochs ? ` (${plan.requestedEpochs} requested; the budget allows ${plan.epochs})` : '';
  const over = plan.fits ? '' : '; this is more than the budget: it will stop the run early';
  return `Plan: ${plan.epochs} epoch${plan.epochs === 1 ? '' : 's'}${cut}, ${sizes}, about ${(plan.expectedSeconds / 60).toFixed(1)} min${device ? ` on ${device}` : ''} (${steps}, ${plan.threads} thread${plan.threads > 1 ? 's' : ''})${over}`;
}

