// Operations the web console needs beyond Rekognition's (any script may call them too): the dataset
// health report with each finding's files as thumbnail handles, a dataset's images page by page, a
// version's scored test images (confusion cells, mistakes, live thresholds) and a new version with
// edited thresholds.
import path from 'node:path';
import { z } from 'zod';
import { checkDataset, type HealthSummary } from '../../dataset/index.js';
import { SkulensError } from '../../errors.js';
import { scoreTestImages, thresholdVersion, type TestPrediction } from '../../jobs/index.js';
import type { Entry, Version } from '../../registry/index.js';
import { parseProjectArn, versionArn, versionId } from '../../registry/index.js';
import { chooseBalance } from '../../train/index.js';
import { nextToken, parseToken } from './wire.js';
import { operation, type ApiContext, type Operation } from './operation.js';

/** Where uploaded datasets are unpacked before their import (under the home, removed after it). */
export function uploadsDir(ctx: Pick<ApiContext, 'home'>): string {
  return path.join(ctx.home.tmp, 'uploads');
}

/** How a client sees where a file came from: never a server path. */
export function displayRef(ctx: ApiContext, source: string, sha256?: string): string {
  if (source.startsWith('s3://')) return source;
  const uploads = uploadsDir(ctx) + path.sep;
  if (source.startsWith(uploads)) return `upload:${source.slice(uploads.length).split(path.sep).slice(1).join('/')}`;
  const shown = ctx.roots.display(source);
  if (shown) return shown;
  return sha256 ? `sha256:${sha256}` : path.basename(source);
}

function balanceName(y: Int32Array, numClasses: number): string {
  const names = { weights: 'class weights (balanced)', oversample: 'oversampling', undersample: 'undersampling', none: 'no rebalancing' } as const;
  return `${names[chooseBalance(y, numClasses, 'logistic').strategy]}, chosen by balance auto`;
}

/** A finding's file line with its server paths replaced and the entries it names, for thumbnails. */
function findingFile(ctx: ApiContext, text: string, bySource: Map<string, Entry>): { Text: string; Sha256: string[] } {
  const pieces = text.replace(/^\d+ images: /, '').split(' ~ ').map((p) => p.replace(/ \((line \d+|\d+x\d+)\)$/, ''));
  const shas: string[] = [];
  let shown = text;
  for (const piece of pieces) {
    if (piece === '...') continue;
    const entry = bySource.get(piece);
    if (entry) shas.push(entry.sha256);
    shown = shown.split(piece).join(displayRef(ctx, piece, entry?.sha256));
  }
  return { Text: shown, Sha256: shas };
}

/** Files shown per finding. */
const FILES_SHOWN = 200;

const ImageRowSchema = z.object({ Sha256: z.string(), Label: z.string(), Split: z.enum(['train', 'test']), SourceRef: z.string(), Width: z.number(), Height: z.number() });

/** Scored test images per version, kept while the server runs (a version never changes once trained). */
const SCORED = new Map<string, Promise<{ labels: string[]; thresholds: number[]; predictions: TestPrediction[] }>>();
const SCORED_KEEP = 8;

function scored(ctx: ApiContext, version: Version) {
  const key = `${ctx.home.root}\0${version.id}\0${version.createdAt}`;
  let found = SCORED.get(key);
  if (!found) {
    found = scoreTestImages(ctx.registry, ctx.home, version).then((s) => ({ labels: s.manifest.labels, thresholds: s.manifest.thresholds, predictions: s.predictions }));
    found.catch(() => SCORED.delete(key));
    SCORED.set(key, found);
    if (SCORED.size > SCORED_KEEP) SCORED.delete(SCORED.keys().next().value!);
  }
  return found;
}

export const consoleOperations: Record<string, Operation> = {
  DescribeDatasetHealth: operation({
    role: 'train',
    summary: "skulens: the health report of a project's dataset (counts per label, findings with what to do); each finding's files name their images' Sha256 for thumbnails.",
    input: z.object({ ProjectArn: z.string() }),
    output: z.object({
      Images: z.object({ Train: z.number(), Test: z.number() }),
      Labels: z.array(z.object({ Label: z.string(), Train: z.number(), Test: z.number() })),
      ImbalanceRatio: z.number(),
      ImbalanceStrategy: z.string(),
      SkippedAtImport: z.number(),
      Findings: z.array(z.object({ Severity: z.enum(['error', 'warning', 'info']), Kind: z.string(), Message: z.string(), Files: z.array(z.object({ Text: z.string(), Sha256: z.array(z.string()) })) })),
    }),
    handle: (ctx, input) => {
      const project = ctx.registry.projects.get(parseProjectArn(input.ProjectArn));
      const summary: HealthSummary = checkDataset(ctx.registry, project.name, { imbalanceStrategy: balanceName, maxFilesPerFinding: FILES_SHOWN });
      const bySource = new Map(ctx.registry.entries.list(project.id).map((e) => [e.source, e]));
      return {
        Images: { Train: summary.images.train, Test: summary.images.test },
        Labels: summary.labels.map((l) => ({ Label: l.label, Train: l.train, Test: l.test })),
        ImbalanceRatio: summary.imbalanceRatio,
        ImbalanceStrategy: summary.imbalanceStrategy,
        SkippedAtImport: summary.skippedAtImport,
        Findings: summary.findings.map((f) => ({ Severity: f.severity, Kind: f.kind, Message: f.message, Files: f.files.slice(0, FILES_SHOWN).map((file) => findingFile(ctx, file, bySource)) })),
      };
    },
  }),

  ListDatasetImages: operation({
    role: 'train',
    summary: "skulens: a project's images (both splits unless Split is given), optionally of one label, with the Sha256 that GET /v1/thumbnails/<sha256> takes; paginated.",
    input: z.object({
      ProjectArn: z.string(),
      Split: z.enum(['train', 'test']).optional(),
      Label: z.string().optional(),
      NextToken: z.string().optional(),
      MaxResults: z.number().int().min(1).max(500).optional(),
    }),
    output: z.object({ Images: z.array(ImageRowSchema), NextToken: z.string().optional() }),
    handle: (ctx, input) => {
      const project = ctx.registry.projects.get(parseProjectArn(input.ProjectArn));
      const offset = parseToken(input.NextToken);
      const limit = input.MaxResults ?? 100;
      const page = ctx.registry.entries.page(project.id, { split: input.Split, label: input.Label, offset, limit: limit + 1 });
      return {
        Images: page.slice(0, limit).map((e) => ({ Sha256: e.sha256, Label: e.label, Split: e.split, SourceRef: displayRef(ctx, e.source, e.sha256), Width: e.width, Height: e.height })),
        NextToken: page.length > limit ? nextToken(offset + limit, Infinity) : undefined,
      };
    },
  }),

  ListTestPredictions: operation({
    role: 'train',
    summary:
      "skulens: a trained version's test images with each label's probability (0-1, in Labels order) and the version's thresholds: confusion cells, mistakes and precision/recall at any threshold can be computed from it. The first call embeds (or reads cached embeddings of) the test images.",
    input: z.object({ ProjectVersionArn: z.string().min(1) }),
    output: z.object({
      Labels: z.array(z.string()),
      Thresholds: z.array(z.number()).describe('0-1, per label'),
      Predictions: z.array(z.object({ Sha256: z.string(), SourceRef: z.string(), Truth: z.string(), Probabilities: z.array(z.number()) })),
    }),
    handle: async (ctx, input) => {
      const version = ctx.registry.versions.resolve(input.ProjectVersionArn);
      const result = await scored(ctx, version);
      return {
        Labels: result.labels,
        Thresholds: result.thresholds,
        Predictions: result.predictions.map((p) => ({ Sha256: p.sha256, SourceRef: displayRef(ctx, p.source, p.sha256), Truth: p.truth, Probabilities: p.probs.map((x) => Math.round(x * 1e6) / 1e6) })),
      };
    },
  }),

  CreateThresholdVersion: operation({
    role: 'train',
    summary:
      "skulens: a new version with a trained version's backbone and head and edited per-label thresholds (Confidence 0-100; labels left out keep theirs), evaluated again on the same test images. Returns once the row exists (TRAINING_IN_PROGRESS); poll DescribeProjectVersions.",
    input: z.object({ ProjectVersionArn: z.string().min(1), Thresholds: z.record(z.string(), z.number().min(0).max(100)) }),
    output: z.object({ ProjectVersionArn: z.string() }),
    handle: async (ctx, input) => {
      const from = ctx.registry.versions.resolve(input.ProjectVersionArn);
      if (from.dir === null) throw new SkulensError('ERR_VERSION_NOT_READY', { version: versionId(from), status: from.status, wanted: 'trained' });
      const edits = Object.fromEntries(Object.entries(input.Thresholds).map(([label, confidence]) => [label, confidence / 100]));
      const created = await new Promise<Version>((resolve, reject) => {
        let started = false;
        thresholdVersion(ctx.registry, ctx.home, from, edits, {
          onStart: (version) => {
            started = true;
            resolve(version);
          },
        }).catch((error: unknown) => {
          // Before the row exists the caller hears it; after, the row shows TRAINING_FAILED with the reason.
          if (!started) reject(error);
        });
      });
      return { ProjectVersionArn: versionArn(created) };
    },
  }),
};
