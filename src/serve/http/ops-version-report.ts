// DescribeProjectVersionReport (a skulens extension): what a trained version's folder says about how it
// was trained: the tuning report (tuning.json: the head settings tried and chosen, or the fast path's
// fixed recipe), the fine-tune plan (epochs fitted to the budget, and what ran) and the per-epoch history
// of a fast or fine-tuned version. The console draws its epoch curves and tuning table from it.
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { SkulensError } from '../../errors.js';
import type { HomeLayout } from '../../home/index.js';
import { readVersionJson, versionArn, versionId, type Version } from '../../registry/index.js';
import { TrainingModeSchema } from './mode-options.js';
import { operation, type Operation } from './operation.js';

const EpochSchema = z.object({
  Epoch: z.number().int(),
  TrainLoss: z.number(),
  ValLoss: z.number(),
  ValAccuracy: z.number().describe('0-1, on the validation split held out of the training photos'),
  Seconds: z.number(),
  Best: z.boolean(),
  Size: z.number().int().optional().describe('input side the epoch trained at (fine-tune)'),
});

const ReportSchema = z.object({
  ProjectVersionArn: z.string(),
  TrainingMode: TrainingModeSchema,
  TuningReport: z.unknown().optional().describe("tuning.json: frozen versions list every head setting tried (grouped-CV accuracy, macro F1, seconds) and the winner; fast versions their fixed recipe"),
  TrainingPlan: z.unknown().optional().describe('fine-tuned versions: the plan fixed before training (epochs, sizes, measured step seconds)'),
  EpochHistory: z.array(EpochSchema).describe('fast and fine-tuned versions: one entry per epoch; empty for frozen versions'),
});

interface EngineRecord {
  epoch: number;
  trainLoss: number;
  valLoss: number;
  valAccuracy: number;
  seconds: number;
  best: boolean;
  size?: number;
}

/** A version file as JSON, or undefined when the version has none. */
async function optionalJson(home: HomeLayout, dir: string, name: string): Promise<Record<string, unknown> | undefined> {
  try {
    await fs.access(path.resolve(home.root, dir, name));
  } catch {
    return undefined;
  }
  return (await readVersionJson(home, dir, name)) as Record<string, unknown>;
}

function epochs(history: unknown): z.input<typeof EpochSchema>[] {
  if (!Array.isArray(history)) return [];
  return (history as EngineRecord[]).map((r) => ({
    Epoch: r.epoch,
    TrainLoss: r.trainLoss,
    ValLoss: r.valLoss,
    ValAccuracy: r.valAccuracy,
    Seconds: r.seconds,
    Best: r.best,
    ...(r.size !== undefined ? { Size: r.size } : {}),
  }));
}

/** The mode that trained a version (versions from before modes were recorded are frozen). */
function modeOf(version: Version): z.infer<typeof TrainingModeSchema> {
  const mode = TrainingModeSchema.safeParse(version.params.mode);
  return mode.success ? mode.data : 'frozen';
}

export const versionReportOperations: Record<string, Operation> = {
  DescribeProjectVersionReport: operation({
    role: 'detect',
    summary:
      "skulens: how a trained version was trained, from its folder: the tuning report (tuning.json), a fine-tune's plan, and a fast or fine-tuned version's per-epoch history (train loss, validation loss and accuracy). A version still training is ResourceNotReadyException (its epochs show in DescribeProjectVersions' StatusMessage).",
    input: z.object({ ProjectVersionArn: z.string().min(1) }),
    output: ReportSchema,
    handle: async (ctx, input) => {
      const version = ctx.registry.versions.resolve(input.ProjectVersionArn);
      if (version.dir === null) throw new SkulensError('ERR_VERSION_NOT_READY', { version: versionId(version), status: version.status, wanted: 'trained' });
      const read = (name: string) => optionalJson(ctx.home, version.dir!, name);
      const [tuning, fineTune, fast] = await Promise.all([read('tuning.json'), read('finetune.json'), read('fast.json')]);
      const mode = modeOf(version);
      const history = fineTune?.history ?? fast?.history ?? (tuning?.validation as { history?: unknown } | undefined)?.history;
      return {
        ProjectVersionArn: versionArn(version),
        TrainingMode: mode,
        ...(tuning ? { TuningReport: tuning } : {}),
        ...(fineTune?.plan ? { TrainingPlan: { ...(fineTune.plan as object), probeValAccuracy: fineTune.probeValAccuracy ?? null, stoppedBy: fineTune.stoppedBy, epochsRun: fineTune.epochsRun } } : {}),
        EpochHistory: epochs(history),
      };
    },
  }),
};
