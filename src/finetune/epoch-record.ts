// One epoch's figures as the engine reports them: shared by the fine-tune and fast-path messages.
import { z } from 'zod';

/** A finite number (NaN and infinities refused). */
export const finite = z.number().refine(Number.isFinite, 'must be finite');

export const EpochRecordSchema = z.object({
  epoch: z.number().int().min(1),
  trainLoss: finite,
  valAccuracy: z.number().min(0).max(1),
  valLoss: finite,
  seconds: z.number().min(0),
  best: z.boolean(),
  /** Resolution the epoch trained and validated at (full fine-tune; progressive resizing). */
  size: z.number().int().optional(),
  /** Full fine-tune with EMA, last epochs: the raw (not averaged) weights' validation accuracy. */
  valAccuracyRaw: z.number().optional(),
  /** Full fine-tune, last epoch at the first size: validation accuracy at the serving size. */
  valAccuracyAtServingSize: z.number().optional(),
});
/** One epoch's figures. */
export type EpochRecord = z.infer<typeof EpochRecordSchema>;

