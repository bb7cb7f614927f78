// The fast path's part of the engine protocol: its job file and its final message (the messages it
// shares with fine-tuning are in protocol.ts).
import { z } from 'zod';
import { EpochRecordSchema } from './epoch-record.js';
import type { EngineJobBase } from './job-base.js';

/**
 * The job file of a fast-path run: the frozen part below the cut is computed once per image and view
 * into float16 cache files, then the blocks above the cut and a head are trained on them.
 */
export interface FastJob extends EngineJobBase {
  kind: 'fast';
  /** Cut at the output of the last block with this many channels (found from the graph's structure). */
  cutChannels: number;
  /** Views per image: the centre crop, then `views - 1` random resized crops seeded per image. */
  views: number;
  cropStrength: number;
  /** Colour jitter of the random views (brightness, contrast, saturation factors in 1 +- jitter). */
  jitter: number;
  /** Views to compute: canvas index, the image's crop seed and one file per view (written atomically). */
  compute: { canvas: number; seed: number; files: string[] }[];
  /** Per training item (train + validation), its views' cache files, in view order; and its label index. */
  items: string[][];
  /** Canvas indices scored by the whole network in float32, to check the exported graph against. */
  check: number[];
  /** Probability of flipping a training feature map left-right. */
  flip: number;
  /** Export (and score validation with) the embedding averaged over the image and its mirror. */
  flipTest: boolean;
  /** Copies of the blocks above the cut trained with seeds seed, seed + 1, ...; served as one graph (fast_members.py). */
  members: number;
  /** Member m's training and held-out photos (member m holds out fold m); `train`/`val` are member 0's. */
  splits: { train: number[]; val: number[] }[];
  /**
   * A warm start from an earlier fast version of the same backbone and cut: its trained blocks (the flat
   * float32 vector its run wrote as upper.f32), its head (float32, rows x dim then rows), and for each
   * label of this run the row of the earlier head it continues (-1: a new label, starting at zero).
   */
  start?: { upper: string; head: string; rows: number[] };
  /** The head's layout when it is not one softmax over `labels` (absent for a single-label project: its job is unchanged). */
  heads?: FastHeads;
  /** With `heads`: per training item, its value index in each group (-1: no value; it adds nothing to that group's loss), or its label indexes (multi). */
  targets?: number[][];
}

/**
 * The head layouts the fast path trains besides one softmax: `groups`, a softmax per group over consecutive
 * segments of the logits (`sizes[g]` values each, in model.json's params.groups order); `multi`, a sigmoid
 * per label. Parsed where the driver takes a layout from its caller.
 */
export const FastHeadsSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('groups'), sizes: z.array(z.number().int().min(1)).min(1) }).strict(),
  z.object({ kind: z.literal('multi') }).strict(),
]);
export type FastHeads = z.infer<typeof FastHeadsSchema>;

/** One item's targets under a layout: a value index per group, each -1 (none) up to its group's size - 1; or distinct label indexes below `numLabels` (multi). */
export function targetsSchema(heads: FastHeads, numLabels: number): z.ZodType<number[]> {
  if (heads.kind === 'multi') return z.array(z.number().int().min(0).max(numLabels - 1)).refine((t) => new Set(t).size === t.length, { message: 'a label listed twice' });
  const { sizes } = heads;
  return z.array(z.number().int().min(-1)).length(sizes.length).refine((t) => t.every((v, g) => v < sizes[g]!), { message: 'a value index past its group' });
}

/** The fast path's last message: where the trained graph and its check files are, and its figures. */
export const FastDoneSchema = z.object({
  type: z.literal('fast-done'),
  cut: z.string(),
  shape: z.array(z.number().int()),
  computed: z.number().int(),
  valAccuracy: z.number(),
  valLoss: z.number(),
  epochsRun: z.number().int(),
  /** Members trained: fewer than asked when the budget ended the run early. */
  members: z.number().int().min(1),
  stoppedBy: z.enum(['epochs', 'budget']),
  history: z.array(EpochRecordSchema),
  threads: z.number().int(),
  trainSeconds: z.number(),
  timings: z.record(z.string(), z.number()),
  /** A fine-tune's linear probe (LP-FT): its accuracy on the held-out photos, or null. */
  probeValAccuracy: z.number().nullable().optional(),
  files: z.object({ model: z.string(), head: z.string(), upper: z.string(), valLogits: z.string(), checkEmbeddings: z.string(), checkLogits: z.string() }),
});
export type FastDone = z.infer<typeof FastDoneSchema>;
