// Dataset operations. A project's dataset has two sides, TRAIN and TEST (the split of its entries);
// each is a Rekognition dataset with its own ARN. Imports run in the background (CreateDataset).
import { z } from 'zod';
import { distributeAutoSplit } from '../../dataset/index.js';
import { SkulensError } from '../../errors.js';
import type { Entry } from '../../registry/index.js';
import { datasetArn, parseDatasetArn, parseProjectArn } from '../../registry/index.js';
import { epochSeconds, nextToken, parseToken } from './wire.js';
import { operation, type ApiContext, type Operation } from './operation.js';
import { projectDatasets } from './ops-projects.js';

function datasetOf(ctx: ApiContext, arn: string) {
  const { project: name, type } = parseDatasetArn(arn);
  const project = ctx.registry.projects.get(name);
  const split = type === 'TRAIN' ? ('train' as const) : ('test' as const);
  const meta = projectDatasets(ctx, project).find((d) => d.DatasetType === type);
  if (!meta) throw new SkulensError('ERR_DATASET_NOT_FOUND', { dataset: arn });
  return { project, split, meta };
}

/**
 * Where an entry came from, as a client may see it: an s3:// URI as is; a local file relative to the
 * import root it came from; otherwise (a CLI import) only its content address, never a server path.
 */
function sourceRef(ctx: ApiContext, entry: Entry): string {
  if (entry.source.startsWith('s3://')) return entry.source;
  return ctx.roots.display(entry.source) ?? `sha256:${entry.sha256}`;
}

/** One Ground Truth manifest line for an entry, the format Rekognition lists and imports. */
function manifestLine(ctx: ApiContext, entry: Entry): string {
  return JSON.stringify({
    'source-ref': sourceRef(ctx, entry),
    'skulens-label': 0,
    'skulens-label-metadata': {
      'class-name': entry.label,
      confidence: 1,
      type: 'groundtruth/image-classification',
      'human-annotated': 'yes',
      'creation-date': entry.importedAt,
      'job-name': 'skulens-import',
    },
  });
}

const DatasetArnInput = z.object({ DatasetArn: z.string() });

/**
 * ListDatasetEntries' NextToken: an opaque cursor on the last (label, sha256) listed, so a page
 * resumes after that key (SQLite seeks the index) and entries added or removed between pages cause
 * neither repeats nor gaps, as an offset would.
 */
type EntryKey = { label: string; sha256: string };
function entryToken(entry: Entry): string {
  return Buffer.from(JSON.stringify(['k', entry.label, entry.sha256])).toString('base64url');
}
function parseEntryToken(token: string | undefined): EntryKey | undefined {
  if (token === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed) || parsed.length !== 3 || parsed[0] !== 'k' || typeof parsed[1] !== 'string' || typeof parsed[2] !== 'string') {
    throw new SkulensError('ERR_ARGUMENT_INVALID', { field: 'NextToken', detail: 'not a token from a previous response' });
  }
  return { label: parsed[1], sha256: parsed[2] };
}
const isAfter = (e: Entry, key: EntryKey | undefined): boolean => !key || e.label > key.label || (e.label === key.label && e.sha256 > key.sha256);

export const datasetOperations: Record<string, Operation> = {
  CreateDataset: operation({
    role: 'train',
    summary:
      'Imports images into the TRAIN or TEST side of a project, in a background process (poll DescribeDataset). DatasetSource.Uri is an s3:// source or a folder per label, CSV or manifest under one of the server\'s import roots; GroundTruthManifest.S3Object is an s3:// manifest. A TRAIN import of a plain folder per label is split 80/20 automatically; folders with train/ and test/ keep theirs.',
    input: z.object({
      ProjectArn: z.string(),
      DatasetType: z.enum(['TRAIN', 'TEST']),
      DatasetSource: z
        .object({
          Uri: z.string().min(1).max(4096).optional().describe('skulens extension: an s3:// URI, or a path under one of the server\'s import roots (serve --import-root)'),
          GroundTruthManifest: z.object({ S3Object: z.object({ Bucket: z.string().min(1), Name: z.string().min(1), Version: z.string().optional() }) }).optional(),
          DatasetArn: z.string().optional(),
        })
        .refine((s) => [s.Uri, s.GroundTruthManifest, s.DatasetArn].filter((x) => x !== undefined).length === 1, { message: 'give exactly one of Uri, GroundTruthManifest or DatasetArn' }),
      Tags: z.record(z.string(), z.string()).optional(),
    }),
    output: z.object({ DatasetArn: z.string() }),
    handle: async (ctx, input) => {
      const project = ctx.registry.projects.get(parseProjectArn(input.ProjectArn));
      const source = input.DatasetSource;
      if (source.DatasetArn !== undefined) {
        throw new SkulensError('ERR_ARGUMENT_INVALID', { field: 'DatasetSource.DatasetArn', detail: 'copying another dataset is not supported; import from a Uri or a manifest' });
      }
      const uri = source.Uri ?? `s3://${source.GroundTruthManifest!.S3Object.Bucket}/${source.GroundTruthManifest!.S3Object.Name}`;
      const isS3 = uri.startsWith('s3://');
      if (isS3 && !ctx.importsS3) throw new SkulensError('ERR_S3_NOT_CONFIGURED', { detail: `cannot import ${uri}: set SKULENS_S3_ENDPOINT (and AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY) for the server, or use a local path` });
      const split = input.DatasetType === 'TEST' ? ('test' as const) : undefined;
      // A local path must lie under an import root; missing and outside answer alike (ERR_PATH_NOT_ALLOWED).
      // Its identity goes with it: the import child refuses it if it was swapped after this check.
      const local = isS3 ? undefined : await ctx.roots.check(uri);
      ctx.work.startImport(project.name, input.DatasetType === 'TRAIN' ? 'train' : 'test', local?.path ?? uri, split, local?.identity);
      return { DatasetArn: datasetArn(project, input.DatasetType) };
    },
  }),

  DescribeDataset: operation({
    role: 'train',
    summary: 'Status of a dataset (of its last import in this server) and its counts.',
    input: DatasetArnInput,
    output: z.object({
      DatasetDescription: z.object({
        CreationTimestamp: z.number(),
        LastUpdatedTimestamp: z.number(),
        Status: z.string(),
        StatusMessage: z.string().optional(),
        StatusMessageCode: z.enum(['SUCCESS', 'SERVICE_ERROR', 'CLIENT_ERROR']).optional(),
        DatasetStats: z.object({ LabeledEntries: z.number(), TotalEntries: z.number(), TotalLabels: z.number(), ErrorEntries: z.number() }),
      }),
    }),
    handle: (ctx, input) => {
      const { project, split, meta } = datasetOf(ctx, input.DatasetArn);
      const counts = ctx.registry.entries.counts(project.id).filter((row) => row.split === split);
      const total = counts.reduce((sum, row) => sum + row.count, 0);
      const state = ctx.work.importState(project.name, split);
      return {
        DatasetDescription: {
          CreationTimestamp: meta.CreationTimestamp,
          LastUpdatedTimestamp: epochSeconds(state?.updatedAt ?? project.createdAt),
          Status: meta.Status,
          ...(meta.StatusMessage ? { StatusMessage: meta.StatusMessage } : {}),
          StatusMessageCode: meta.Status.endsWith('FAILED') ? ('CLIENT_ERROR' as const) : ('SUCCESS' as const),
          DatasetStats: { LabeledEntries: total, TotalEntries: total, TotalLabels: counts.length, ErrorEntries: state?.errorEntries ?? 0 },
        },
      };
    },
  }),

  ListDatasetEntries: operation({
    role: 'train',
    summary: 'The entries of a dataset as Ground Truth manifest lines (JSON strings); paginated and filterable.',
    input: DatasetArnInput.extend({
      ContainsLabels: z.array(z.string()).min(1).max(10).optional(),
      Labeled: z.boolean().optional(),
      SourceRefContains: z.string().optional(),
      HasErrors: z.boolean().optional(),
      NextToken: z.string().optional(),
      MaxResults: z.number().int().min(1).max(100).optional(),
    }),
    output: z.object({ DatasetEntries: z.array(z.string()), NextToken: z.string().optional() }),
    handle: (ctx, input) => {
      const { project, split } = datasetOf(ctx, input.DatasetArn);
      const after = parseEntryToken(input.NextToken);
      const limit = input.MaxResults ?? 100;
      // Every skulens entry is labelled and error-free (unusable files are skipped at import).
      if (input.Labeled === false || input.HasErrors === true) return { DatasetEntries: [] };
      const simple = (input.ContainsLabels?.length ?? 1) === 1 && input.SourceRefContains === undefined;
      let page: Entry[];
      if (simple) {
        page = ctx.registry.entries.pageAfter(project.id, { split, label: input.ContainsLabels?.[0], after, limit: limit + 1 });
      } else {
        const wanted = input.ContainsLabels && new Set(input.ContainsLabels);
        page = ctx.registry
          .entries.list(project.id, { split })
          .filter((e) => isAfter(e, after) && (!wanted || wanted.has(e.label)) && (input.SourceRefContains === undefined || sourceRef(ctx, e).includes(input.SourceRefContains)))
          .slice(0, limit + 1);
      }
      const more = page.length > limit;
      page = page.slice(0, limit);
      return { DatasetEntries: page.map((e) => manifestLine(ctx, e)), NextToken: more ? entryToken(page.at(-1)!) : undefined };
    },
  }),

  ListDatasetLabels: operation({
    role: 'train',
    summary: 'The labels of a dataset with their entry counts; paginated.',
    input: DatasetArnInput.extend({ NextToken: z.string().optional(), MaxResults: z.number().int().min(1).max(100).optional() }),
    output: z.object({
      DatasetLabelDescriptions: z.array(z.object({ LabelName: z.string(), LabelStats: z.object({ EntryCount: z.number(), BoundingBoxCount: z.number() }) })),
      NextToken: z.string().optional(),
    }),
    handle: (ctx, input) => {
      const { project, split } = datasetOf(ctx, input.DatasetArn);
      const rows = ctx.registry.entries.counts(project.id).filter((row) => row.split === split);
      const offset = parseToken(input.NextToken);
      const page = rows.slice(offset, offset + (input.MaxResults ?? 100));
      return {
        DatasetLabelDescriptions: page.map((row) => ({ LabelName: row.label, LabelStats: { EntryCount: row.count, BoundingBoxCount: 0 } })),
        NextToken: nextToken(offset + page.length, rows.length),
      };
    },
  }),

  DistributeDatasetEntries: operation({
    role: 'train',
    summary: "Re-draws the seeded, stratified 80/20 split of the entries that came without one (give the project's TRAIN and TEST dataset ARNs).",
    input: z.object({ Datasets: z.array(z.object({ Arn: z.string() })).min(1).max(2), Seed: z.number().int().min(0).optional() }),
    output: z.object({}),
    handle: (ctx, input) => {
      const projects = new Set(input.Datasets.map((d) => parseDatasetArn(d.Arn, 'Datasets.Arn').project));
      if (projects.size !== 1) throw new SkulensError('ERR_ARGUMENT_INVALID', { field: 'Datasets', detail: 'both datasets must belong to one project' });
      const project = ctx.registry.projects.get([...projects][0]!);
      distributeAutoSplit(ctx.registry, project.id, input.Seed);
      return {};
    },
  }),
};
