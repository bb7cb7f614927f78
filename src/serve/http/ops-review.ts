// The review loop over the API. Rekognition's UpdateDatasetEntries relabels entries from Ground Truth
// JSON lines (source-ref names the entry); skulens extensions remove and keep entries, list the likely
// mislabelled photos and the recorded changes, run the queue of uncertain predictions with its
// per-project setting, and compare two versions. Every change records the calling key as its actor:
// handlers receive the authenticated caller, so nothing a client sends can name another actor.
import sharp from 'sharp';
import type { FastifyInstance } from 'fastify';
import path from 'node:path';
import { z } from 'zod';
import { SkulensError } from '../../errors.js';
import { parseDatasetArn, parseProjectArn, type Entry } from '../../registry/index.js';
import { answerReview, captureSettings, compareVersions, mislabelledRanking, reviewQueue, updateCaptureSettings } from '../../review/index.js';
import type { Caller } from '../../auth/index.js';
import { checkLabel } from '../../labels/index.js';
import { operation, type ApiContext, type Operation } from './operation.js';
import { displayRef } from './ops-console.js';

const by = (caller: Caller) => ({ actor: caller.keyId, origin: 'api' as const });

/** The Ground Truth line of an UpdateDatasetEntries change: the entry by source-ref (or skulens's sha256), the label by class-name. */
const ChangeLineSchema = z.looseObject({ 'source-ref': z.string().min(1) });

function classNameOf(line: Record<string, unknown>, lineNo: number): string {
  const names = Object.entries(line)
    .filter(([k, v]) => k.endsWith('-metadata') && typeof v === 'object' && v !== null && typeof (v as { 'class-name'?: unknown })['class-name'] === 'string')
    .map(([, v]) => (v as { 'class-name': string })['class-name']);
  if (names.length !== 1) throw new SkulensError('ERR_REQUEST_INVALID', { operation: 'UpdateDatasetEntries', detail: `line ${lineNo}: give exactly one "<attr>-metadata": {"class-name": ...} (found ${names.length})` });
  return names[0]!;
}

function entryByRef(ctx: ApiContext, projectId: number, ref: string, split: 'train' | 'test'): Entry[] {
  const sha = /^sha256:([0-9a-f]{64})$/.exec(ref)?.[1];
  const all = ctx.registry.entries.list(projectId, { split });
  return all.filter((e) => (sha ? e.sha256 === sha : e.source === ref || displayRef(ctx, e.source, e.sha256) === ref));
}

const EntryIds = z.array(z.number().int().positive()).min(1).max(1000);
const CaptureSettingsWire = z.object({
  Enabled: z.boolean(),
  MinConfidence: z.number(),
  MinMargin: z.number(),
  MaxBytes: z.number(),
  RetentionDays: z.number(),
});
const wireSettings = (s: ReturnType<typeof captureSettings>) => ({ Enabled: s.enabled, MinConfidence: s.minConfidence, MinMargin: s.minMargin, MaxBytes: s.maxBytes, RetentionDays: s.retentionDays });

export const reviewOperations: Record<string, Operation> = {
  UpdateDatasetEntries: operation({
    role: 'train',
    summary:
      "Rekognition's UpdateDatasetEntries, for relabelling: Changes.GroundTruth is base64 JSON lines, each naming an existing entry by source-ref (as ListDatasetImages shows it, or sha256:<hex>) and its new label by class-name. Adding images this way is not supported (import them). Each change is recorded.",
    input: z.object({ DatasetArn: z.string(), Changes: z.object({ GroundTruth: z.string().min(1) }) }),
    output: z.object({}),
    handle: (ctx, input, caller) => {
      const { project: name, type } = parseDatasetArn(input.DatasetArn);
      const project = ctx.registry.projects.get(name);
      const text = Buffer.from(input.Changes.GroundTruth, 'base64').toString('utf8');
      const lines = text.split('\n').map((l, i) => ({ l: l.trim(), no: i + 1 })).filter((x) => x.l !== '');
      // All lines are checked before any change is made, so a bad line changes nothing.
      const plan = lines.map(({ l, no }) => {
        let raw: unknown;
        try {
          raw = JSON.parse(l);
        } catch {
          throw new SkulensError('ERR_REQUEST_INVALID', { operation: 'UpdateDatasetEntries', detail: `line ${no} is not JSON` });
        }
        const line = ChangeLineSchema.safeParse(raw);
        if (!line.success) throw new SkulensError('ERR_REQUEST_INVALID', { operation: 'UpdateDatasetEntries', detail: `line ${no}: "source-ref" is required` });
        const entries = entryByRef(ctx, project.id, line.data['source-ref'], type === 'TRAIN' ? 'train' : 'test');
        if (entries.length === 0) throw new SkulensError('ERR_ENTRY_NOT_FOUND', { entry: `"${line.data['source-ref']}" (line ${no})` });
        return { entries, label: checkLabel(classNameOf(line.data, no), `Changes.GroundTruth line ${no} class-name`) };
      });
      for (const { entries, label } of plan) for (const e of entries) ctx.registry.entries.relabel(project.id, e.id, label, by(caller));
      return {};
    },
  }),
  DeleteDatasetEntries: operation({
    role: 'train',
    summary:
      'skulens: removes dataset entries by id (DescribeMislabelledEntries gives them) or by image (Sha256 and Label, as ListDatasetImages gives them). Each removal is recorded with the entry; its image is kept while a version may use it.',
    input: z
      .object({ ProjectArn: z.string(), EntryIds: EntryIds.optional(), Images: z.array(z.object({ Sha256: z.string(), Label: z.string() })).min(1).max(1000).optional() })
      .refine((i) => (i.EntryIds === undefined) !== (i.Images === undefined), { message: 'give EntryIds or Images' }),
    output: z.object({ Removed: z.number() }),
    handle: (ctx, input, caller) => {
      const project = ctx.registry.projects.get(parseProjectArn(input.ProjectArn));
      const byImage = (i: { Sha256: string; Label: string }): number => {
        const entry = ctx.registry.entries.find(project.id, i.Sha256, i.Label);
        if (!entry) throw new SkulensError('ERR_ENTRY_NOT_FOUND', { entry: `sha256:${i.Sha256} (${i.Label})` });
        return entry.id;
      };
      // Every entry is looked up before any is removed, so an unknown one removes nothing.
      const ids = input.EntryIds ?? input.Images!.map(byImage);
      for (const id of ids) ctx.registry.entries.get(project.id, id);
      for (const id of ids) ctx.registry.entries.remove(project.id, id, by(caller));
      return { Removed: ids.length };
    },
  }),
  KeepDatasetEntries: operation({
    role: 'train',
    summary: 'skulens: records that a person checked these entries and kept their labels (DescribeMislabelledEntries stops listing them).',
    input: z.object({ ProjectArn: z.string(), EntryIds }),
    output: z.object({ Kept: z.number() }),
    handle: (ctx, input, caller) => {
      const project = ctx.registry.projects.get(parseProjectArn(input.ProjectArn));
      for (const id of input.EntryIds) ctx.registry.entries.get(project.id, id);
      for (const id of input.EntryIds) ctx.registry.entries.keep(project.id, id, by(caller));
      return { Kept: input.EntryIds.length };
    },
  }),
  ListDatasetEntryChanges: operation({
    role: 'train',
    summary: 'skulens: every relabel, removal, keep and reviewed addition of a project\'s dataset, oldest first, with who, when and from where.',
    input: z.object({ ProjectArn: z.string() }),
    output: z.object({ Changes: z.array(z.object({ Id: z.number(), Action: z.string(), Sha256: z.string(), OldLabel: z.string().nullable(), NewLabel: z.string().nullable(), Actor: z.string(), Origin: z.string(), At: z.string() })) }),
    handle: (ctx, input) => {
      const project = ctx.registry.projects.get(parseProjectArn(input.ProjectArn));
      return {
        Changes: ctx.registry.entries.changes(project.id).map((c) => ({ Id: c.id, Action: c.action, Sha256: c.sha256, OldLabel: c.oldLabel, NewLabel: c.newLabel, Actor: c.actor, Origin: c.origin, At: c.at })),
      };
    },
  }),
  DescribeMislabelledEntries: operation({
    role: 'train',
    summary:
      'skulens: the training photos whose given label a version finds least likely while it is confident in another (confident learning on out-of-fold probabilities), ranked; photos reviewed since are left out. Default version: the latest trained.',
    input: z.object({ ProjectArn: z.string(), VersionName: z.string().optional(), MaxResults: z.number().int().min(1).max(1000).default(50) }),
    output: z.object({
      ProjectVersionArn: z.string(),
      Method: z.string(),
      Photos: z.number(),
      Flagged: z.number(),
      Entries: z.array(z.object({ Rank: z.number(), EntryId: z.number(), Sha256: z.string(), SourceRef: z.string(), Label: z.string(), SuggestedLabel: z.string(), Confidence: z.number(), SuggestedConfidence: z.number() })),
    }),
    handle: async (ctx, input) => {
      const name = parseProjectArn(input.ProjectArn);
      const r = await mislabelledRanking(ctx.registry, ctx.home, name, { version: input.VersionName, limit: input.MaxResults });
      return {
        ProjectVersionArn: r.version,
        Method: r.method,
        Photos: r.photos,
        Flagged: r.flagged,
        Entries: r.ranked.map((p) => ({
          Rank: p.rank,
          EntryId: p.entryId,
          Sha256: p.sha256,
          SourceRef: displayRef(ctx, p.source, p.sha256),
          Label: p.label,
          SuggestedLabel: p.suggested,
          Confidence: p.selfConfidence * 100,
          SuggestedConfidence: p.suggestedConfidence * 100,
        })),
      };
    },
  }),
  DescribeReviewSettings: operation({
    role: 'train',
    summary: 'skulens: when a project keeps served predictions for review (off unless the project opted in).',
    input: z.object({ ProjectArn: z.string() }),
    output: CaptureSettingsWire,
    handle: (ctx, input) => wireSettings(captureSettings(ctx.registry, ctx.registry.projects.get(parseProjectArn(input.ProjectArn)).id)),
  }),
  UpdateReviewSettings: operation({
    role: 'train',
    summary: 'skulens: opt a single-label project in (or out) of keeping uncertain predictions (top probability < MinConfidence or margin < MinMargin, both 0-1), with a size cap in bytes and a retention in days.',
    input: z.object({
      ProjectArn: z.string(),
      Enabled: z.boolean().optional(),
      MinConfidence: z.number().min(0).max(1).optional(),
      MinMargin: z.number().min(0).max(1).optional(),
      MaxBytes: z.number().int().min(0).optional(),
      RetentionDays: z.number().min(0).max(3650).optional(),
    }),
    output: CaptureSettingsWire,
    handle: (ctx, input) =>
      wireSettings(
        updateCaptureSettings(ctx.registry, parseProjectArn(input.ProjectArn), {
          enabled: input.Enabled,
          minConfidence: input.MinConfidence,
          minMargin: input.MinMargin,
          maxBytes: input.MaxBytes,
          retentionDays: input.RetentionDays,
        }),
      ),
  }),
  ListUncertainPredictions: operation({
    role: 'train',
    summary: 'skulens: the pending queue of uncertain predictions, most uncertain first; each image at GET /v1/review-images/<project>/<Id>.',
    input: z.object({ ProjectArn: z.string(), MaxResults: z.number().int().min(1).max(1000).default(50) }),
    output: z.object({
      Predictions: z.array(z.object({ Id: z.number(), ProjectVersion: z.string(), Source: z.string(), TopLabel: z.string().nullable(), Confidence: z.number(), Margin: z.number(), Uncertainty: z.number(), CustomLabels: z.unknown(), CreatedAt: z.string() })),
    }),
    handle: async (ctx, input) => ({
      Predictions: (await reviewQueue(ctx.registry, ctx.home, parseProjectArn(input.ProjectArn), { limit: input.MaxResults })).map((p) => ({
        Id: p.id,
        ProjectVersion: p.version,
        Source: p.source.startsWith('/') ? path.basename(p.source) : p.source,
        TopLabel: p.topLabel,
        Confidence: p.confidence * 100,
        Margin: p.margin * 100,
        Uncertainty: p.uncertainty,
        CustomLabels: p.answer,
        CreatedAt: p.createdAt,
      })),
    }),
  }),
  AnswerUncertainPrediction: operation({
    role: 'train',
    summary: 'skulens: CONFIRM the model\'s top label, CORRECT it (Label), or DISMISS the photo. A confirmed or corrected photo joins the training set; the change is recorded.',
    input: z.object({ ProjectArn: z.string(), Id: z.number().int().positive(), Action: z.enum(['CONFIRM', 'CORRECT', 'DISMISS']), Label: z.string().optional() }),
    output: z.object({ Status: z.string(), EntryId: z.number().nullable(), Label: z.string().nullable() }),
    handle: async (ctx, input, caller) => {
      if (input.Action === 'CORRECT' && !input.Label) throw new SkulensError('ERR_REQUEST_INVALID', { operation: 'AnswerUncertainPrediction', detail: 'Label: required with Action CORRECT' });
      const answer = input.Action === 'CONFIRM' ? { action: 'confirm' as const } : input.Action === 'DISMISS' ? { action: 'dismiss' as const } : { action: 'correct' as const, label: input.Label! };
      const { item, entry } = await answerReview(ctx.registry, ctx.home, parseProjectArn(input.ProjectArn), input.Id, answer, caller.keyId);
      return { Status: item.status.toUpperCase(), EntryId: entry?.id ?? null, Label: item.label };
    },
  }),
  CompareProjectVersions: operation({
    role: 'train',
    summary:
      'skulens: two versions on the same test photos: accuracy, per-label F1 deltas, the photos fixed and broken, and McNemar\'s test (exact binomial under 25 discordant photos, else chi-square with continuity correction).',
    input: z.object({ ProjectVersionArnA: z.string().min(1), ProjectVersionArnB: z.string().min(1) }),
    output: z.object({}).passthrough(),
    handle: async (ctx, input) => {
      const c = await compareVersions(ctx.registry, ctx.home, ctx.registry.versions.resolve(input.ProjectVersionArnA), ctx.registry.versions.resolve(input.ProjectVersionArnB));
      const photo = (p: (typeof c.fixed)[number]) => ({ Sha256: p.sha256, SourceRef: displayRef(ctx, p.source, p.sha256), Truth: p.truth, LabelA: p.a, LabelB: p.b });
      return {
        VersionA: c.a,
        VersionB: c.b,
        TestImages: c.testImages,
        AccuracyA: c.accuracyA,
        AccuracyB: c.accuracyB,
        Labels: c.labels.map((l) => ({ Label: l.label, F1A: l.f1A, F1B: l.f1B, Delta: l.delta })),
        Fixed: c.fixed.map(photo),
        Broken: c.broken.map(photo),
        McNemar: { Broken: c.mcnemar.b, Fixed: c.mcnemar.c, Method: c.mcnemar.method, Statistic: c.mcnemar.statistic, PValue: c.mcnemar.pValue },
        Verdict: c.verdict,
      };
    },
  }),
};

/** GET /v1/review-images/<project>/<id> (a WebP of a queued image). */
export function registerReview(app: FastifyInstance, ctx: ApiContext): void {
  // Captured photos are customers' photos: a train key may see them, a detect-only key may not.
  app.get<{ Params: { project: string; id: string } }>('/v1/review-images/:project/:id', { config: { role: 'train' } }, async (request, reply) => {
    const project = ctx.registry.projects.get(parseProjectArn(request.params.project, 'project'));
    const item = ctx.registry.review.get(project.id, Number(request.params.id) || 0);
    if (item.status !== 'pending') throw new SkulensError('ERR_PATH_NOT_FOUND', { path: `review image ${item.id} (${item.status}: its photo is in the dataset now, or was dismissed)` });
    const bytes = await sharp(path.resolve(ctx.home.root, item.file), { limitInputPixels: 4096 * 4096 }).rotate().resize(320, 320, { fit: 'inside', withoutEnlargement: true }).webp({ quality: 75 }).toBuffer();
    reply.header('content-type', 'image/webp').header('cache-control', 'private, max-age=3600');
    return bytes;
  });
}

/** Documented beside the operations (the OpenAPI document's extra paths). */
export const REVIEW_PATHS = {
  '/v1/review-images/{project}/{id}': {
    get: {
      operationId: 'GetReviewImage',
      summary: 'skulens: a WebP (long side 320 px) of a pending uncertain prediction\'s image (ListUncertainPredictions gives the ids).',
      responses: { '200': { description: 'image/webp' } },
    },
  },
};
