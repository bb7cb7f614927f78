// The typed JSON Lines protocol between the TypeScript driver and the Python fine-tuning engine:
// the job file the driver writes, each message the engine prints on stdout (validated with zod, as
// any outside input), and the one message the driver writes on the engine's stdin (cancel).
import { z } from 'zod';
import { FastDoneSchema } from './fast-protocol.js';
import { EpochRecordSchema, finite } from './epoch-record.js';
import type { EngineJobBase } from './job-base.js';

/** The job file (`job.json`) of a full fine-tune. Paths are absolute. */
export interface EngineJob extends EngineJobBase {
  kind?: 'fine-tune';
  /** Resolution of the first epochs (progressive resizing); the last `finalEpochs` train at `size`. */
  trainSize: number;
  finalEpochs: number;
  /** Test images (indices into the image file after the training items), scored once after training. */
  test: number[];
  testCount: number;
  /** The user gave the epoch count: the plan keeps it even when the budget will stop it. */
  epochsExact: boolean;
  unfreeze: 'all' | number;
  augment: number;
  /** Start the head from a linear probe on the frozen backbone (LP-FT). */
  lpft: boolean;
  /** Layer-wise learning-rate decay per block from the top (1 = off). */
  llrd: number;
  /** Probability of random erasing per training crop. */
  erase: number;
  /** 'auto' (CUDA, then MPS, then CPU) or one device. */
  device: 'auto' | 'cpu' | 'cuda' | 'mps';
}

/** The plan the engine fixes after measuring, before it trains: printed, and kept in the version. */
export const PlanSchema = z.object({
  type: z.literal('plan'),
  requestedEpochs: z.number().int(),
  epochs: z.number().int(),
  finalEpochs: z.number().int(),
  trainSize: z.number().int(),
  size: z.number().int(),
  stepsPerEpoch: z.number().int(),
  /** Seconds of one training step, by resolution. */
  stepSeconds: z.record(z.string(), z.number()),
  expectedSeconds: z.number(),
  /** Whether the plan's expected time fits before the deadline (always, without one). */
  fits: z.boolean(),
  threads: z.number().int(),
  endSeconds: z.number(),
});
export type EnginePlan = Omit<z.infer<typeof PlanSchema>, 'type'>;

/** Every message the engine can print, one JSON object per line. */
export const EngineMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('probe'), python: z.string(), torch: z.string(), onnx: z.string(), numpy: z.string() }),
  z.object({
    type: z.literal('ready'),
    /** The PyTorch engine's torch version; the ONNX engine says `runtime: 'onnxruntime'` instead. */
    torch: z.string().optional(),
    runtime: z.string().optional(),
    parameters: z.number().int(),
    trainable: z.number().int(),
    train: z.number().int(),
    val: z.number().int(),
    device: z.string().optional(),
    precision: z.string().optional(),
  }),
  PlanSchema,
  z.object({
    type: z.literal('progress'),
    epoch: z.number().int(),
    epochs: z.number().int(),
    step: z.number().int(),
    steps: z.number().int(),
    loss: finite,
    lr: z.number(),
    imagesPerSecond: z.number(),
    threads: z.number().int(),
    elapsed: z.number(),
    size: z.number().int().optional(),
  }),
  EpochRecordSchema.extend({ type: z.literal('epoch'), epochs: z.number().int() }),
  z.object({ type: z.literal('phase'), phase: z.enum(['cache', 'measure', 'probe', 'evaluate', 'export']) }),
  z.object({ type: z.literal('cut'), tensor: z.string(), shape: z.array(z.number().int()) }),
  z.object({ type: z.literal('cache'), done: z.number().int(), total: z.number().int() }),
  FastDoneSchema,
  z.object({
    type: z.literal('done'),
    bestEpoch: z.number().int().min(0),
    valAccuracy: z.number(),
    valLoss: z.number(),
    epochsRun: z.number().int(),
    stoppedBy: z.enum(['epochs', 'patience', 'budget']),
    history: z.array(EpochRecordSchema),
    threads: z.number().int(),
    trainSeconds: z.number(),
    testAccuracy: z.number(),
    /** Validation accuracy of the linear probe the head started from (LP-FT), or null. */
    probeValAccuracy: z.number().nullable(),
    plan: PlanSchema.omit({ type: true }),
    device: z.string(),
    precision: z.string(),
    files: z.object({ model: z.string(), head: z.string(), valEmbeddings: z.string(), testEmbeddings: z.string(), testLogits: z.string() }),
  }),
  z.object({ type: z.literal('cancelled') }),
  z.object({ type: z.literal('error'), code: z.enum(['engine-missing', 'failed']), message: z.string(), trace: z.string().optional() }),
]);
export type { EpochRecord } from './epoch-record.js';
export type EngineMessage = z.infer<typeof EngineMessageSchema>;
export type EngineDone = Extract<EngineMessage, { type: 'done' }>;
export type { FastDone } from './fast-protocol.js';

/** The only message the driver sends (a line on the engine's stdin). Closing stdin means the same. */
export const CANCEL_LINE = `${JSON.stringify({ type: 'cancel' })}\n`;

/** Parses one stdout line; a line that is not a protocol message yields null (the driver logs it). */
export function parseEngineLine(line: string): EngineMessage | null {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return null;
  }
  const parsed = EngineMessageSchema.safeParse(raw);
  return parsed.success ? parsed.data : null;
}
