// The fast path's head layouts and its final message, as the ONNX Runtime engine reports a run (the messages
// it shares with fine-tuning are in protocol.ts).
import { z } from 'zod';
import { EpochRecordSchema } from './epoch-record.js';

/** The head's layout and per-photo targets, when it is not one softmax over the labels. */
export interface HeadLayout {
  /** Absent for a single-label project: one softmax. */
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
