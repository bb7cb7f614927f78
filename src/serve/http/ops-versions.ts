// Model version operations: CreateProjectVersion (trains in the background), DescribeProjectVersions,
// StartProjectVersion, StopProjectVersion, DeleteProjectVersion.
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { SkulensError } from '../../errors.js';
import { readVersionJson, versionArn, versionId, type Version, parseProjectArn } from '../../registry/index.js';
import { epochSeconds, nextToken, parseToken } from './wire.js';
import { MODE_HELP, MODE_OPTIONS_INPUT, modeParams, modesDescription, TrainingModeSchema } from './mode-options.js';
import { operation, type ApiContext, type Operation } from './operation.js';

const StatusSchema = z.enum(['TRAINING_IN_PROGRESS', 'TRAINING_COMPLETED', 'TRAINING_FAILED', 'STARTING', 'RUNNING', 'STOPPING', 'STOPPED', 'DELETING']);

const VersionRefInput = z.object({ ProjectVersionArn: z.string().min(1) });

const DescriptionSchema = z.object({
  ProjectVersionArn: z.string(),
  VersionName: z.string(),
  CreationTimestamp: z.number(),
  MinInferenceUnits: z.number().optional(),
  Status: StatusSchema,
  StatusMessage: z.string().optional(),
  BillableTrainingTimeInSeconds: z.number().optional(),
  TrainingEndTimestamp: z.number().optional(),
  EvaluationResult: z
    .object({
      F1Score: z.number(),
      Summary: z.object({ S3Object: z.object({ Bucket: z.string(), Name: z.string() }) }),
      Accuracy: z.number().optional().describe('skulens: argmax accuracy on the test split'),
      Coverage: z.number().optional().describe('skulens: share of test images that get a label at the thresholds (DetectCustomLabels without MinConfidence)'),
      AnsweredPrecision: z.number().optional().describe('skulens: share of the labels answered at the thresholds that are right'),
      ThresholdsChosenOn: z.enum(['held-out training photos', 'test']).optional().describe('skulens: test when the thresholds were edited looking at the test split (the figures then flatter)'),
    })
    .optional(),
  BackboneId: z.string().describe('skulens: the backbone of this version'),
  TrainingMode: TrainingModeSchema.optional().describe('skulens: how the version was trained'),
  TrainingPlan: z
    .object({
      RequestedEpochs: z.number().int(),
      PlannedEpochs: z.number().int(),
      EpochsRun: z.number().int(),
      StoppedBy: z.string(),
      ExpectedSeconds: z.number(),
      ServingSize: z.number().int(),
      Device: z.string(),
    })
    .optional()
    .describe('skulens, fine-tuned versions: the plan fixed before training (epochs fitted to the budget) and what ran'),
  EvaluationSummary: z.unknown().optional().describe("skulens: the evaluation summary itself, in Rekognition's shape"),
});

async function describe(ctx: ApiContext, version: Version): Promise<z.input<typeof DescriptionSchema>> {
  const metrics = version.metrics as { macroF1?: number; trainSeconds?: number; accuracy?: number; coverage?: number; answeredPrecision?: number; thresholdsChosenOn?: string } | null;
  // The child may report its last phase just after the row completed: progress only describes a training.
  const progress = version.status === 'TRAINING_IN_PROGRESS' ? ctx.work.trainingProgress(version.id) : undefined;
  const plan = trainingPlan(version);
  const message =
    version.statusMessage ??
    (progress ? `${progress.phase} ${progress.done}/${progress.total}${progress.detail ? ` (${progress.detail})` : ''}` : undefined) ??
    (plan && plan.EpochsRun < plan.PlannedEpochs ? `The ${plan.StoppedBy === 'budget' ? 'time budget' : plan.StoppedBy} stopped the training after ${plan.EpochsRun} of ${plan.PlannedEpochs} planned epochs` : undefined) ??
    (plan && plan.PlannedEpochs < plan.RequestedEpochs ? `The time budget allowed ${plan.PlannedEpochs} of the recipe's ${plan.RequestedEpochs} epochs` : undefined) ??
    (typeof version.params.fallback === 'string' ? `Trained frozen instead of fast: ${version.params.fallback}` : undefined);
  const mode = TrainingModeSchema.safeParse(version.params.mode);
  return {
    ProjectVersionArn: versionArn(version),
    VersionName: version.name,
    CreationTimestamp: epochSeconds(version.createdAt),
    ...(ctx.host.holds(version.id) ? { MinInferenceUnits: 1 } : {}),
    Status: version.status,
    ...(message ? { StatusMessage: ctx.shown(message) } : {}),
    ...(metrics?.trainSeconds !== undefined ? { BillableTrainingTimeInSeconds: Math.round(metrics.trainSeconds) } : {}),
    ...(version.completedAt ? { TrainingEndTimestamp: epochSeconds(version.completedAt) } : {}),
    ...(version.dir && metrics?.macroF1 !== undefined
      ? {
          EvaluationResult: {
            F1Score: metrics.macroF1,
            Summary: { S3Object: { Bucket: 'skulens-home', Name: path.posix.join(version.dir, 'evaluation.json') } },
            ...(metrics.accuracy !== undefined ? { Accuracy: metrics.accuracy } : {}),
            // Versions trained before these figures existed have none.
            ...(metrics.coverage !== undefined ? { Coverage: metrics.coverage, AnsweredPrecision: metrics.answeredPrecision ?? 0 } : {}),
            ThresholdsChosenOn: metrics.thresholdsChosenOn === 'test' ? ('test' as const) : ('held-out training photos' as const),
          },
          EvaluationSummary: await readVersionJson(ctx.home, version.dir, 'evaluation.json'),
        }
      : {}),
    BackboneId: version.backbone,
    ...(mode.success ? { TrainingMode: mode.data } : {}),
    ...(plan ? { TrainingPlan: plan } : {}),
  };
}

/** A fine-tuned version's plan vs what ran, from its metrics. */
function trainingPlan(version: Version): z.input<typeof DescriptionSchema>['TrainingPlan'] {
  const m = version.metrics as Record<string, unknown> | null;
  if (!m || typeof m.plannedEpochs !== 'number') return undefined;
  return {
    RequestedEpochs: Number(m.requestedEpochs ?? m.plannedEpochs),
    PlannedEpochs: m.plannedEpochs,
    EpochsRun: Number(m.epochsRun),
    StoppedBy: String(m.stoppedBy),
    ExpectedSeconds: Number(m.expectedSeconds),
    ServingSize: Number(m.size),
    Device: String(m.device),
  };
}

export const versionOperations: Record<string, Operation> = {
  CreateProjectVersion: operation({
    role: 'train',
    summary: "Trains a new version on the project's dataset in the background and returns its ARN at once (TRAINING_IN_PROGRESS).",
    input: z.object({
      ProjectArn: z.string(),
      VersionName: z.string().optional().describe('the name of the version, unique in its project: its short id <project>/<VersionName> and its ARN use it (1-64 letters, digits, ".", "_", "-"); default v<N>, numbers never reused'),
      OutputConfig: z.unknown().optional(),
      TrainingData: z.unknown().optional(),
      TestingData: z.unknown().optional(),
      Tags: z.record(z.string(), z.string()).optional(),
      KmsKeyId: z.string().optional(),
      Backbone: z.string().optional().describe('skulens: backbone id (default mobilenet-v2-imagenet)'),
      Seed: z.number().int().min(0).max(2 ** 31 - 1).optional().describe('skulens: training seed'),
      Mode: TrainingModeSchema.optional().describe(MODE_HELP),
      ...MODE_OPTIONS_INPUT,
    }),
    output: z.object({ ProjectVersionArn: z.string() }),
    handle: async (ctx, input) => {
      const project = parseProjectArn(input.ProjectArn);
      const common = { ...(input.Backbone !== undefined ? { backbone: input.Backbone } : {}), ...(input.Seed !== undefined ? { seed: input.Seed } : {}) };
      const { mode, params } = modeParams(input);
      const version = await ctx.work.startTraining(project, { mode, params: { ...common, ...params } }, { versionName: input.VersionName });
      return { ProjectVersionArn: versionArn(version) };
    },
  }),

  ListTrainingModes: operation({
    role: 'train',
    summary: "skulens: the training modes CreateProjectVersion takes (the default first), each with its <Mode>Options fields, their help and JSON schemas; the console's training form is built from it.",
    input: z.object({}),
    output: z.object({ Modes: z.array(z.object({ Name: TrainingModeSchema, Summary: z.string(), Default: z.boolean(), Docs: z.string(), OptionsField: z.string(), Options: z.array(z.object({ Field: z.string(), Help: z.string(), Schema: z.unknown() })) })) }),
    handle: () => ({ Modes: modesDescription() }),
  }),

  DescribeProjectVersions: operation({
    role: 'detect',
    summary: 'Versions of a project with their status and evaluation; paginated, newest first.',
    input: z.object({
      ProjectArn: z.string(),
      VersionNames: z.array(z.string()).max(10).optional(),
      NextToken: z.string().optional(),
      MaxResults: z.number().int().min(1).max(100).optional(),
    }),
    output: z.object({ ProjectVersionDescriptions: z.array(DescriptionSchema), NextToken: z.string().optional() }),
    handle: async (ctx, input) => {
      const project = ctx.registry.projects.get(parseProjectArn(input.ProjectArn));
      const all = ctx.registry
        .versions.list(project.id)
        .filter((v) => !input.VersionNames || input.VersionNames.includes(v.name))
        .reverse();
      const offset = parseToken(input.NextToken);
      const page = all.slice(offset, offset + (input.MaxResults ?? 100));
      return { ProjectVersionDescriptions: await Promise.all(page.map((v) => describe(ctx, v))), NextToken: nextToken(offset + page.length, all.length) };
    },
  }),

  StartProjectVersion: operation({
    role: 'train',
    summary: 'Loads a trained version for serving (STARTING, then RUNNING). Versions on one backbone share its session.',
    input: VersionRefInput.extend({ MinInferenceUnits: z.number().int().min(1).optional(), MaxInferenceUnits: z.number().int().min(1).optional() }),
    output: z.object({ Status: StatusSchema }),
    handle: (ctx, input) => ({ Status: ctx.host.start(ctx.registry.versions.resolve(input.ProjectVersionArn)).status }),
  }),

  StopProjectVersion: operation({
    role: 'train',
    summary:
      'Releases a started version; detects against it fail at once with ResourceNotReadyException. ' +
      'skulens: on a version this server is training, cancels the training as Ctrl-C does in the CLI (STOPPING; the version is then removed).',
    input: VersionRefInput,
    output: z.object({ Status: StatusSchema }),
    handle: (ctx, input) => {
      const version = ctx.registry.versions.resolve(input.ProjectVersionArn);
      if (version.status === 'TRAINING_IN_PROGRESS' && ctx.work.cancelTraining(version.id)) return { Status: 'STOPPING' as const };
      return { Status: ctx.host.stop(version).status };
    },
  }),

  DeleteProjectVersion: operation({
    role: 'train',
    summary: 'Deletes a version and its artefacts. Refused while it trains or is started.',
    input: VersionRefInput,
    output: z.object({ Status: StatusSchema }),
    handle: async (ctx, input) => {
      const version = ctx.registry.versions.resolve(input.ProjectVersionArn);
      if (version.status === 'TRAINING_IN_PROGRESS' || ctx.host.holds(version.id)) {
        throw new SkulensError('ERR_VERSION_IN_USE', { version: versionId(version), status: version.status, detail: 'stop it (or wait for the training to end) before deleting it' });
      }
      ctx.registry.versions.delete(version.id);
      if (version.dir) await fs.rm(path.resolve(ctx.home.root, version.dir), { recursive: true, force: true });
      return { Status: 'DELETING' as const };
    },
  }),
};
