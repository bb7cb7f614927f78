// Fine-tuning on the ONNX Runtime engine: the fast path's engine with the cut at the image input. The
// training photos are decoded once into canvases (the serving resize before its centre crop) and augmented
// in TypeScript for every batch; the network trains with layer-wise learning-rate decay below its top
// block, a linear probe starts a warm start's head, and a budget shrinks the epochs before training from a
// measured step. Members, the held-out folds and their thresholds, the served graph and its check are the
// fast path's.
import fs from 'node:fs/promises';
import path from 'node:path';
import { preprocess, verifiedWeights } from '../backbone/index.js';
import { augmentedPixels, runTraining, type EngineEvent } from '../engine/index.js';
import { SkulensError } from '../errors.js';
import type { FastRunInput, FastRunOptions, FastRunResult } from './fast.js';
import { finishRun } from './fast-finish.js';
import { onnxOutcome } from './fast-onnx.js';
import { FastHeadsSchema, targetsSchema } from './fast-protocol.js';
import { memberSplits } from './fast-validation.js';
import { canvasSide, pixelScale, writeCanvasFile } from './images.js';
import type { EngineMessage } from './protocol.js';

/** What a fine-tune adds to a fast-path run's input. */
export interface FineTuneSettings {
  /** Layer-wise learning-rate decay per block from the top (1: one rate for the whole body). */
  llrd: number;
  /** Augmentation strength (0: centre crops only, 1: crop area 0.5-1, flip, colour jitter 0.2). */
  augment: number;
  erase: number;
  /** 'all', or the last N blocks. */
  unfreeze: 'all' | number;
  lpft: boolean;
  /** The epochs were given: the budget stops the run but does not plan it. */
  epochsExact: boolean;
  /** Unix time in ms by which the whole job must end (its budget counts from the job's start); null = none. */
  deadline: number | null;
}

const CHECK_IMAGES = 8;

/** The engine's plan event as the protocol's plan message (what the CLI prints). */
function asMessage(event: EngineEvent, size: number, threads: number): EngineMessage {
  if (event.type !== 'plan') return event as EngineMessage;
  return { type: 'plan', requestedEpochs: event.requestedEpochs, epochs: event.epochs, finalEpochs: 0, trainSize: size, size, stepsPerEpoch: 0, stepSeconds: { [size]: event.stepSeconds }, expectedSeconds: event.expectedSeconds, fits: event.fits, threads, endSeconds: 20 };
}

/**
 * Fine-tunes `input.spec` (the whole graph from its image input) on `input.train` and serves `input.evaluate`.
 *
 * @throws SkulensError as trainFast, and ERR_IMAGE_UNREADABLE naming a photo that cannot be decoded.
 */
export async function trainFineTune(input: FastRunInput, settings: FineTuneSettings, options: FastRunOptions = {}): Promise<FastRunResult> {
  const { home, params, work, spec } = input;
  const timings: Record<string, number> = {};
  let t = performance.now();
  const lap = (name: string): void => {
    timings[name] = Number(((performance.now() - t) / 1000).toFixed(2));
    t = performance.now();
  };
  const layout = input.heads === undefined ? { kind: 'softmax' as const } : FastHeadsSchema.parse(input.heads);
  const targets = input.heads === undefined ? undefined : input.train.map((item) => targetsSchema(layout as never, input.labels.length).parse(item.targets));
  const modelFile = (await verifiedWeights(spec, home.models))[0]!;
  const file = path.join(work, 'canvases.u8');
  const side = canvasSide(spec.input);
  await writeCanvasFile(input.train.map((item) => ({ path: item.path, name: item.name })), spec.input, file, { signal: options.signal, onProgress: (d, n) => options.onProgress?.('decode', d, n) });
  const canvases = { data: new Uint8Array(await fs.readFile(file)), count: input.train.length, side };
  await fs.rm(file, { force: true });
  lap('decode');
  const splits = memberSplits(input.train, params);
  const size = spec.input.size;
  const check = input.evaluate.slice(0, CHECK_IMAGES);
  const threads = params.threads ?? (await import('node:os')).availableParallelism();
  if (params.epochs === undefined) throw new SkulensError('ERR_TRAINING_INVALID', { detail: 'a fine-tune needs its epochs (the recipe\'s or the user\'s)' });
  const result = await runTraining(
    {
      model: await fs.readFile(modelFile),
      input: spec.input.name,
      size,
      tap: spec.tap,
      pool: spec.pool,
      dim: spec.dim,
      cut: { tensor: spec.input.name, shape: [3, size, size] },
      source: augmentedPixels(canvases, { size, ...pixelScale(spec.input), strength: settings.augment, erase: settings.erase }),
      classes: input.labels.length,
      layout,
      labels: input.train.map((item) => item.label),
      targets,
      splits,
      settings: {
        ...params,
        epochs: params.epochs!,
        lrDecay: settings.llrd,
        flipTest: params.flipTest ?? false,
        blocks: settings.unfreeze === 'all' ? undefined : settings.unfreeze,
        linearProbe: settings.lpft,
        planEpochs: true,
        exactEpochs: settings.epochsExact,
      },
      threads,
      device: params.device,
      deadline: settings.deadline,
      check: await Promise.all(check.map(async (image) => Float32Array.from((await preprocess(image, spec.input)).data))),
    },
    { signal: options.signal, onEvent: (event) => event.type !== 'cut' && options.onMessage?.(asMessage(event, size, threads)) },
  );
  lap('engine');
  const cut = { tensor: spec.input.name, shape: [3, size, size] };
  const outcome = await onnxOutcome(result, work, input.labels.length, cut, 0);
  const described = `${spec.id} fine-tuned from its input${result.members > 1 ? ` (${result.members} members)` : ''}`;
  return finishRun({ input, spec, splits, checkCount: check.length, outcome, epochs: result.history.length / Math.max(1, result.members), cache: { computed: 0, reused: 0, dir: '' }, timings, options, described });
}
