// `node --import tsx bench/groups.ts [--mode fast|frozen] [--train DIR --test DIR --labels-csv FILE] [--home DIR] [--json]`:
// attribute groups on grocery-store-dev. Every photo gets `category`, `type` (the coarse label) and
// `product` (the fine label) from labels.csv, and packaged goods a `brand` (the first word of the fine
// label: Arla, Garant, Alpro, Oatly, Tropicana, ...). Trains a groups version and a single-label version
// on the same photos (the labels that have test photos, as the single-label job keeps) in the same mode
// (default fast: a softmax per group over the trained embedding; it falls back to frozen without the
// engine), and prints per-group accuracy beside the single-label accuracy. Embeddings and activations are
// cached in the home.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { importListing, type SourceListing } from '../src/dataset/index.js';
import { resolveHome } from '../src/home/index.js';
import { checkFastPath, fastVersion, trainVersion, type TrainResult } from '../src/jobs/index.js';
import type { EvaluationReport } from '../src/evaluate/index.js';
import type { Version } from '../src/registry/index.js';
import { walkImages } from '../src/predict/index.js';
import { Registry } from '../src/registry/index.js';

const SHARED = path.resolve(import.meta.dirname, '..', '..', 'shared');
const GROCERY = path.join(SHARED, 'datasets', 'grocery-store-dev');
const { values } = parseArgs({
  options: {
    train: { type: 'string', default: path.join(GROCERY, 'train') },
    test: { type: 'string', default: path.join(GROCERY, 'val') },
    'labels-csv': { type: 'string', default: path.join(GROCERY, 'labels.csv') },
    models: { type: 'string', default: process.env.SKULENS_MODELS },
    home: { type: 'string' },
    mode: { type: 'string', default: 'fast' },
    seed: { type: 'string', default: '1' },
    // The head: by default one logistic head per group at C 0.1 without the search (the search runs once
    // per groups version on its largest group, and costs minutes); --tune runs it, for both models.
    c: { type: 'string', default: '0.1' },
    tune: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});
const log = (line: string): void => void process.stderr.write(`${line}\n`);
const round = (x: number): number => Number(x.toFixed(4));

/** Group labels of one fine label from labels.csv (fine_label, fine_id, coarse_label, coarse_id, category). */
async function groupLabels(file: string): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const line of (await fs.readFile(file, 'utf8')).trim().split('\n').slice(1)) {
    const [fine, , coarse, , category] = line.split(',').map((c) => c.trim());
    const labels = [`category:${category}`, `type:${coarse}`, `product:${fine}`];
    if (category === 'Packages') labels.push(`brand:${fine!.split('-')[0]}`);
    out.set(fine!, labels);
  }
  return out;
}

async function listing(origin: string, labelsOf: (fine: string) => string[] | undefined, keep: (fine: string) => boolean): Promise<SourceListing> {
  const items: SourceListing['items'] = [];
  for (const [dir, split] of [[values.train, 'train'], [values.test, 'test']] as const) {
    for await (const file of walkImages(dir)) {
      const fine = path.basename(path.dirname(file));
      const labels = labelsOf(fine);
      if (!labels || !keep(fine)) continue;
      items.push({ ref: file, line: null, labels: labels.map((label) => ({ label, metadata: null })), split, read: () => fs.readFile(file) });
    }
  }
  return { origin, items, rejected: [], notices: [] };
}

const root = values.home ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'skulens-bench-groups-')));
const home = resolveHome(root, { ...process.env, SKULENS_MODELS: values.models && path.resolve(values.models) });
const registry = Registry.open(home.database);
try {
  const groups = await groupLabels(values['labels-csv']);
  const tested = new Set((await fs.readdir(values.test, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name));
  const progress = { onProgress: ({ phase, done, total }: { phase: string; done: number; total: number }) => done === total && log(`${phase} ${done}/${total}`) };
  const seed = Number(values.seed);
  const head = values.tune ? { seed } : { seed, tune: false, C: Number(values.c) };
  if (values.mode !== 'fast' && values.mode !== 'frozen') throw new Error(`--mode ${values.mode}: expected fast or frozen`);
  const check = values.mode === 'fast' ? await checkFastPath(home, {}) : undefined;
  if (check && !check.ok) log(`Training the frozen head: ${check.reason}`);
  const mode = check?.ok ? 'fast' : 'frozen';
  const train = async (project: string): Promise<{ report: EvaluationReport; version: Version }> => {
    if (check?.ok) return fastVersion(registry, home, project, { seed }, progress);
    const result: TrainResult = await trainVersion(registry, home, project, head, progress);
    return result;
  };
  if (!registry.findProject('groups')) {
    registry.createProject('groups', 'groups');
    await importListing(registry, home, 'groups', await listing('groups', (fine) => groups.get(fine), (fine) => tested.has(fine)), { split: undefined });
  }
  if (!registry.findProject('single')) {
    registry.createProject('single');
    await importListing(registry, home, 'single', await listing('single', (fine) => [fine], (fine) => tested.has(fine)));
  }
  const started = performance.now();
  const grouped = await train('groups');
  const groupSeconds = (performance.now() - started) / 1000;
  const single = await train('single');
  const perGroup = Object.fromEntries(grouped.report.groups!.map((g) => [g.group, { values: g.values.length, accuracy: round(g.accuracy), accuracyWhereValued: round(g.accuracyPresent), imagesWhereValued: g.imagesPresent, macroF1: round(g.macroF1) }]));
  for (const g of grouped.report.groups!) log(`${g.group.padEnd(10)} ${String(g.values.length).padStart(3)} values  accuracy ${g.accuracy.toFixed(3)}  where valued ${g.accuracyPresent.toFixed(3)} (${g.imagesPresent} photos)  macro-F1 ${g.macroF1.toFixed(3)}`);
  log(`single-label on the same photos: accuracy ${single.report.accuracy.toFixed(3)}  macro-F1 ${single.report.macroF1.toFixed(3)}`);
  const summary = {
    mode,
    head: mode === 'fast' ? 'a softmax per group on the trained embedding' : values.tune ? 'tuned' : `logistic C=${values.c}`,
    images: grouped.version.metrics?.images,
    groups: perGroup,
    allGroupsAccuracy: round(grouped.report.accuracy),
    singleLabel: { accuracy: round(single.report.accuracy), macroF1: round(single.report.macroF1) },
    groupsTrainSeconds: round(groupSeconds),
    load: os.loadavg().map((l) => Number(l.toFixed(2))),
  };
  if (values.json) console.log(JSON.stringify(summary));
} finally {
  registry.close();
  if (!values.home) await fs.rm(root, { recursive: true, force: true });
}
