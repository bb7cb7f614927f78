// The likely mislabelled training photos of a version. The ranking comes from out-of-fold probabilities
// of the training photos (confident.ts): a frozen version stores its tuned head's own (out-of-fold.json);
// for a fast or fine-tuned version, which hold out a validation split instead, a logistic head on the
// default frozen backbone's cached embeddings is cross-validated (3 grouped folds) over the same training
// photos. The ranking is stored under the home's review folder, per version; photos a person has
// relabelled, kept or removed since the version was made are left out.
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_BACKBONE_ID, EmbeddingCache, embedWithCache, getBackbone, openEmbedder } from '../backbone/index.js';
import { nearDuplicateClusters } from '../dataset/index.js';
import { SkulensError } from '../errors.js';
import { reviewRankingPath, writeFileAtomic, type HomeLayout } from '../home/index.js';
import { readVersionJson, versionId, type Entry, type Registry, type SnapshotEntry, type Version } from '../registry/index.js';
import { tuneHead, type TuningSet } from '../train/index.js';
import { confidentJoint } from './confident.js';

/** What a frozen version stores (out-of-fold.json) and what the fallback computes: one row per training photo. */
export const OutOfFoldFileSchema = z.object({
  labels: z.array(z.string()),
  photos: z.array(z.object({ sha256: z.string(), label: z.string(), probs: z.array(z.number()) })),
});
export type OutOfFoldFile = z.infer<typeof OutOfFoldFileSchema>;

/** One ranked photo, as the CLI, API and console show it. */
export interface MislabelledPhoto {
  rank: number;
  entryId: number;
  sha256: string;
  source: string;
  label: string;
  suggested: string;
  /** Out-of-fold probability of the given label, 0-1. */
  selfConfidence: number;
  /** Out-of-fold probability of the suggested label, 0-1. */
  suggestedConfidence: number;
}

export interface MislabelledRanking {
  version: string;
  /** Where the out-of-fold probabilities came from. */
  method: string;
  /** Training photos the ranking looked at. */
  photos: number;
  /** Off-diagonal photos of the confident joint, before leaving out reviewed ones. */
  flagged: number;
  ranked: MislabelledPhoto[];
}

const STORED_METHOD = 'out-of-fold probabilities of the version\'s own tuned head (grouped CV on the training photos)';
const fallbackMethod = (backbone: string): string => `out-of-fold probabilities of a logistic head (C 0.1) cross-validated in 3 grouped folds on ${backbone} embeddings of the version's training photos`;

/** The latest completed version of a project (the one `datasets check` ranks by default). */
export function latestTrained(registry: Registry, projectId: number): Version | undefined {
  return registry.versions
    .list(projectId)
    .filter((v) => v.dir !== null && v.status !== 'TRAINING_FAILED' && v.status !== 'TRAINING_IN_PROGRESS')
    .at(-1);
}

/** Computes out-of-fold probabilities for a version that stored none (fast, fine-tuned, added-label versions). */
async function crossValidated(registry: Registry, home: HomeLayout, version: Version, train: SnapshotEntry[], backbone: string): Promise<OutOfFoldFile> {
  const blobs = new Map(registry.entries.list(version.projectId).map((e) => [e.sha256, e]));
  const usable = train.filter((e) => blobs.has(e.sha256));
  const labels = [...new Set(usable.map((e) => e.label))].sort();
  const labelIndex = new Map(labels.map((l, i) => [l, i]));
  const spec = getBackbone(backbone, home.models);
  const embedder = await openEmbedder(spec, { modelsDir: home.models });
  try {
    const vectors = await embedWithCache(embedder, new EmbeddingCache(home.embeddingCache), usable.map((e) => ({ sha256: e.sha256, path: path.resolve(home.root, blobs.get(e.sha256)!.blob) })));
    const set: TuningSet = {
      views: usable.map((e) => [vectors.get(e.sha256)!]),
      y: Int32Array.from(usable, (e) => labelIndex.get(e.label)!),
      groups: nearDuplicateClusters(usable.map((e) => blobs.get(e.sha256)!.dhash)),
      splits: usable.map(() => 'train'),
      numClasses: labels.length,
    };
    const { outOfFold } = tuneHead(set, { kind: 'logistic', C: 0.1, balance: 'weights', augment: false }, [], { seed: version.seed, budgetSeconds: 3600 });
    return { labels, photos: usable.map((e, i) => ({ sha256: e.sha256, label: e.label, probs: Array.from(outOfFold[i]!, round) })) };
  } finally {
    await embedder.close();
  }
}

/** Four significant digits: small probabilities keep their order (the ranking key is the given label's probability). */
const round = (p: number): number => Number(p.toPrecision(4));

async function readJson(file: string): Promise<unknown> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** The version's out-of-fold probabilities and how they were made: stored with it, stored by an earlier call, or computed now. */
async function outOfFoldOf(registry: Registry, home: HomeLayout, version: Version, backbone: string): Promise<{ data: OutOfFoldFile; method: string }> {
  const own = OutOfFoldFileSchema.safeParse(await readVersionJson(home, version.dir!, 'out-of-fold.json').catch(() => undefined));
  if (own.success) return { data: own.data, method: STORED_METHOD };
  const file = reviewRankingPath(home, version.project, version.name);
  const cached = OutOfFoldFileSchema.safeParse(await readJson(file));
  if (cached.success) return { data: cached.data, method: fallbackMethod(backbone) };
  const snapshot = (await readVersionJson(home, version.dir!, 'snapshot.json')) as SnapshotEntry[];
  const train = snapshot.filter((e) => e.split === 'train');
  if (new Set(train.map((e) => e.label)).size < 2) {
    throw new SkulensError('ERR_REVIEW_NO_RANKING', { project: version.project, detail: `${versionId(version)} has fewer than 2 labels in its training photos` });
  }
  const data = await crossValidated(registry, home, version, train, backbone);
  await writeFileAtomic(file, JSON.stringify(data));
  return { data, method: fallbackMethod(backbone) };
}

/**
 * The ranked likely mislabelled photos of `version` (default: the project's latest trained version).
 * Multi-label and groups projects are refused (ERR_LABEL_TYPE_UNSUPPORTED): their out-of-fold
 * probabilities are not one distribution over labels, which the confident joint needs.
 */
export async function mislabelledRanking(
  registry: Registry,
  home: HomeLayout,
  projectName: string,
  options: { version?: string; limit?: number; /** The frozen backbone of the fallback (versions without stored out-of-fold probabilities); default the default backbone. */ backbone?: string } = {},
): Promise<MislabelledRanking> {
  const project = registry.projects.get(projectName);
  const labelType = registry.projects.labelType(project.id);
  if (labelType !== 'single') {
    throw new SkulensError('ERR_LABEL_TYPE_UNSUPPORTED', { operation: 'Finding mislabelled photos', labelType, project: projectName, detail: 'the confident joint needs one label per photo' });
  }
  const version = options.version ? registry.versions.resolveIn(projectName, options.version) : latestTrained(registry, project.id);
  if (!version || version.dir === null) throw new SkulensError('ERR_REVIEW_NO_RANKING', { project: projectName, detail: `train a version first (\`skulens train ${projectName}\`)` });
  const { data, method } = await outOfFoldOf(registry, home, version, options.backbone ?? DEFAULT_BACKBONE_ID);
  const labelIndex = new Map(data.labels.map((l, i) => [l, i]));
  const photos = data.photos.filter((p) => labelIndex.has(p.label)).map((p) => ({ id: p.sha256, given: labelIndex.get(p.label)!, probs: p.probs }));
  const { suspects } = confidentJoint(photos, data.labels.length);
  // A photo a person has looked at since the version was made (relabelled, kept, removed) is not listed again.
  const reviewed = new Set(registry.entries.changes(project.id).filter((c) => c.at >= version.createdAt).map((c) => c.sha256));
  const ranked: MislabelledPhoto[] = [];
  for (const s of suspects) {
    const label = data.labels[s.given]!;
    const entry: Entry | undefined = registry.entries.find(project.id, s.id, label);
    if (!entry || reviewed.has(s.id)) continue;
    ranked.push({ rank: ranked.length + 1, entryId: entry.id, sha256: s.id, source: entry.source, label, suggested: data.labels[s.suggested]!, selfConfidence: s.selfConfidence, suggestedConfidence: s.suggestedConfidence });
    if (options.limit !== undefined && ranked.length >= options.limit) break;
  }
  return { version: versionId(version), method, photos: photos.length, flagged: suspects.length, ranked };
}
