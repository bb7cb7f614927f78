// Shared by the benchmark modes: imports the train/test folders into a home (once) and embeds the
// original images plus any augmented views through the embedding cache, timing each kind of view.
import path from 'node:path';
import { FLIP_VIEW, drawViews, type AugmentPolicy, type AugmentView } from '../src/augment/index.js';
import { DEFAULT_BACKBONE_ID, EmbeddingCache, embedWithCache, getBackbone, openEmbedder } from '../src/backbone/index.js';
import { importFolder, nearDuplicateClusters } from '../src/dataset/index.js';
import type { HomeLayout } from '../src/home/index.js';
import type { Entry, Registry } from '../src/registry/index.js';
import type { TuningSet } from '../src/train/index.js';

export interface BenchData {
  backbone: string;
  labels: string[];
  train: Entry[];
  test: Entry[];
  vectors: Map<string, Float32Array>;
  /** Cold-equivalent embedding seconds per kind ('plain', a policy name, 'tta-flip'): measured when not cached, else 0. */
  embedSeconds: Record<string, number>;
  /** Views of each training image per policy name. */
  views: Record<string, AugmentView[][]>;
}

const log = (line: string): void => void process.stderr.write(`${line}\n`);

/** Imports (once) and embeds; `policies` adds augmented training views, `flipTest` the mirrored test images. */
export async function loadBenchData(
  registry: Registry,
  home: HomeLayout,
  dirs: { train: string; test: string },
  backboneId: string | undefined,
  seed: number,
  policies: AugmentPolicy[],
  flipTest: boolean,
  workers?: number,
): Promise<BenchData> {
  const project = 'bench';
  if (!registry.findProject(project)) registry.createProject(project);
  const projectId = registry.getProject(project).id;
  if (registry.listEntries(projectId).length === 0) {
    for (const [dir, split] of [[dirs.train, 'train'], [dirs.test, 'test']] as const) {
      const report = await importFolder(registry, home, project, dir, { split });
      log(`imported ${report.imported} ${split} images from ${dir}`);
    }
  }
  const entries = registry.listEntries(projectId);
  const train = entries.filter((e) => e.split === 'train');
  const test = entries.filter((e) => e.split === 'test');
  const labels = [...new Set(entries.map((e) => e.label))].sort();
  const spec = getBackbone(backboneId ?? DEFAULT_BACKBONE_ID, home.models);
  const embedder = await openEmbedder(spec, { modelsDir: home.models, workers });
  const cache = new EmbeddingCache(home.embeddingCache);
  const blob = (e: Entry): string => path.resolve(home.root, e.blob);
  const vectors = new Map<string, Float32Array>();
  const embedSeconds: Record<string, number> = {};
  const views: Record<string, AugmentView[][]> = {};
  const run = async (name: string, items: { sha256: string; path: string; view?: AugmentView }[]): Promise<void> => {
    const start = performance.now();
    let cached = 0;
    const got = await embedWithCache(embedder, cache, items, { onProgress: (done, total, c) => ((cached = c), done === total && log(`embed ${name}: ${total} (${c} cached)`)) });
    for (const [key, vector] of got) vectors.set(key, vector);
    // Cached vectors cost (almost) nothing; report the time only when everything was embedded now.
    embedSeconds[name] = cached === 0 ? (performance.now() - start) / 1000 : 0;
  };
  try {
    await run('plain', [...train, ...test].map((e) => ({ sha256: e.sha256, path: blob(e) })));
    for (const policy of policies) {
      views[policy.name] = train.map((e) => drawViews(policy, seed, e.sha256));
      await run(policy.name, train.flatMap((e, i) => views[policy.name]![i]!.map((view) => ({ sha256: e.sha256, path: blob(e), view }))));
    }
    if (flipTest) await run('tta-flip', test.map((e) => ({ sha256: e.sha256, path: blob(e), view: FLIP_VIEW })));
  } finally {
    await embedder.close();
  }
  return { backbone: spec.id, labels, train, test, vectors, embedSeconds, views };
}

/** The tuning set of the training images whose label is in `labels`, with the views of `policy` (if any). */
export function tuningSetOf(data: BenchData, labels: readonly string[], policy?: string): { set: TuningSet; entries: Entry[] } {
  const index = new Map(labels.map((label, k) => [label, k]));
  const keep = data.train.map((e, i) => ({ e, i })).filter(({ e }) => index.has(e.label));
  const views = policy ? data.views[policy]! : undefined;
  return {
    entries: keep.map(({ e }) => e),
    set: {
      views: keep.map(({ e, i }) => [data.vectors.get(e.sha256)!, ...(views ? views[i]!.map((v) => data.vectors.get(`${e.sha256}.${v.key}`)!) : [])]),
      y: Int32Array.from(keep, ({ e }) => index.get(e.label)!),
      groups: nearDuplicateClusters(keep.map(({ e }) => e.dhash)),
      splits: keep.map(({ e }) => e.split),
      numClasses: labels.length,
    },
  };
}

/** A test image's embedding, averaged with its mirror image when `tta`. */
export function testVector(data: BenchData, e: Entry, tta: boolean): Float32Array {
  const plain = data.vectors.get(e.sha256)!;
  if (!tta) return plain;
  const flipped = data.vectors.get(`${e.sha256}.${FLIP_VIEW.key}`)!;
  const out = Float32Array.from(plain, (v, d) => v + flipped[d]!);
  const norm = Math.hypot(...out) || 1;
  return out.map((v) => v / norm);
}
