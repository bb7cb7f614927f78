// `node --import tsx bench/multi.ts [--mode fast|frozen] [--train DIR --test DIR] [--home DIR] [--json]`:
// multi-label on clothing-dataset-small. Each photo carries its garment label and a derived second label
// set: `season:summer` for shorts, skirt, t-shirt and dress, `season:any` for the rest. Trains a multi-label
// version (a sigmoid per label; default fast, on the trained embedding with thresholds from held-out photos,
// falling back to frozen without the engine; frozen: thresholds out of fold) and prints per-label and
// micro/macro P/R/F1 and exact match on the test photos. Embeddings and activations are cached in the home.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { importListing, type SourceListing } from '../src/dataset/index.js';
import { resolveHome } from '../src/home/index.js';
import { checkFastPath, fastVersion, trainVersion } from '../src/jobs/index.js';
import { walkImages } from '../src/predict/index.js';
import { Registry } from '../src/registry/index.js';

const SHARED = path.resolve(import.meta.dirname, '..', '..', 'shared');
const CLOTHING = path.join(SHARED, 'datasets', 'clothing-dataset-small');
const SUMMER = new Set(['shorts', 'skirt', 't-shirt', 'dress']);
const { values } = parseArgs({
  options: {
    train: { type: 'string', default: path.join(CLOTHING, 'train') },
    test: { type: 'string', default: path.join(CLOTHING, 'test') },
    models: { type: 'string', default: process.env.SKULENS_MODELS },
    home: { type: 'string' },
    mode: { type: 'string', default: 'fast' },
    seed: { type: 'string', default: '1' },
    // The sigmoid head's L2 strength; 'auto' picks it from three by out-of-fold micro-F1 (three times the cost).
    c: { type: 'string', default: '0.1' },
    json: { type: 'boolean', default: false },
  },
});
const log = (line: string): void => void process.stderr.write(`${line}\n`);
const round = (x: number): number => Number(x.toFixed(4));

const root = values.home ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'skulens-bench-multi-')));
const home = resolveHome(root, { ...process.env, SKULENS_MODELS: values.models && path.resolve(values.models) });
const registry = Registry.open(home.database);
try {
  if (!registry.findProject('multi')) {
    registry.createProject('multi', 'multi');
    const items: SourceListing['items'] = [];
    for (const [dir, split] of [[values.train, 'train'], [values.test, 'test']] as const) {
      for await (const file of walkImages(dir)) {
        const garment = path.basename(path.dirname(file));
        const labels = [garment, SUMMER.has(garment) ? 'season:summer' : 'season:any'];
        items.push({ ref: file, line: null, labels: labels.map((label) => ({ label, metadata: null })), split, read: () => fs.readFile(file) });
      }
    }
    await importListing(registry, home, 'multi', { origin: 'multi', items, rejected: [], notices: [] });
  }
  if (values.mode !== 'fast' && values.mode !== 'frozen') throw new Error(`--mode ${values.mode}: expected fast or frozen`);
  const check = values.mode === 'fast' ? await checkFastPath(home, {}) : undefined;
  if (check && !check.ok) log(`Training the frozen head: ${check.reason}`);
  const mode = check?.ok ? 'fast' : 'frozen';
  const progress = { onProgress: ({ phase, done, total }: { phase: string; done: number; total: number }) => done === total && log(`${phase} ${done}/${total}`) };
  const seed = Number(values.seed);
  const started = performance.now();
  const { report, version } = check?.ok
    ? await fastVersion(registry, home, 'multi', { seed }, progress)
    : await trainVersion(registry, home, 'multi', { seed, C: values.c === 'auto' ? 'auto' : Number(values.c) }, progress);
  const seconds = (performance.now() - started) / 1000;
  const m = report.multiLabel!;
  for (const l of report.perLabel) log(`${l.label.padEnd(14)} threshold ${l.threshold.toFixed(3)}  P ${l.precision.toFixed(3)}  R ${l.recall.toFixed(3)}  F1 ${l.f1.toFixed(3)}  (${l.support})`);
  log(`micro P/R/F1 ${m.micro.precision.toFixed(3)}/${m.micro.recall.toFixed(3)}/${m.micro.f1.toFixed(3)}  macro F1 ${m.macro.f1.toFixed(3)}  exact match ${m.exactMatch.toFixed(3)}`);
  const summary = {
    mode,
    images: version.metrics?.images,
    perLabel: Object.fromEntries(report.perLabel.map((l) => [l.label, { precision: round(l.precision), recall: round(l.recall), f1: round(l.f1), support: l.support }])),
    micro: { precision: round(m.micro.precision), recall: round(m.micro.recall), f1: round(m.micro.f1) },
    macro: { precision: round(m.macro.precision), recall: round(m.macro.recall), f1: round(m.macro.f1) },
    exactMatch: round(m.exactMatch),
    trainSeconds: round(seconds),
    load: os.loadavg().map((l) => Number(l.toFixed(2))),
  };
  if (values.json) console.log(JSON.stringify(summary));
} finally {
  registry.close();
  if (!values.home) await fs.rm(root, { recursive: true, force: true });
}
