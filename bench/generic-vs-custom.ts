// `node --import tsx bench/generic-vs-custom.ts [--datasets clothing,grocery] [--top 5] [--no-custom] [--max-trials N] [--json]`:
// generic labels against custom labels on the same photos. For each dataset, a throw-away home imports
// train and test (grocery-store-dev: train -> val), trains the default custom model (frozen backbone,
// default search), and scores DetectLabels' ImageNet classes mapped to the shop's labels by how often
// they co-occur on the training photos (src/demo/generic-baseline.ts).
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { importFolder } from '../src/dataset/index.js';
import { genericBaseline } from '../src/demo/index.js';
import { resolveHome } from '../src/home/index.js';
import { trainVersion } from '../src/jobs/index.js';
import { Registry } from '../src/registry/index.js';

const SHARED = path.resolve(import.meta.dirname, '..', '..', 'shared', 'datasets');
const DATASETS: Readonly<Record<string, { train: string; test: string; testName: string }>> = Object.freeze({
  clothing: { train: path.join(SHARED, 'clothing-dataset-small', 'train'), test: path.join(SHARED, 'clothing-dataset-small', 'test'), testName: 'test' },
  grocery: { train: path.join(SHARED, 'grocery-store-dev', 'train'), test: path.join(SHARED, 'grocery-store-dev', 'val'), testName: 'val' },
});

const { values } = parseArgs({
  options: {
    datasets: { type: 'string', default: 'clothing,grocery' },
    top: { type: 'string', default: '5' },
    seed: { type: 'string', default: '1' },
    'no-custom': { type: 'boolean', default: false },
    // Cut the custom model's search after this many configurations (default: the whole plan).
    'max-trials': { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});

const log = (line: string): void => void process.stderr.write(`${line}\n`);

async function runOne(name: string): Promise<Record<string, unknown>> {
  const data = DATASETS[name];
  if (!data) throw new Error(`unknown dataset "${name}"; known: ${Object.keys(DATASETS).join(', ')}`);
  const root = await fs.mkdtemp(path.join(os.tmpdir(), `skulens-gvc-${name}-`));
  // The home's own models folder: the shipped default backbone, converted there at first use.
  const home = resolveHome(root, {});
  const registry = Registry.open(home.database);
  try {
    registry.createProject(name);
    for (const [dir, split] of [[data.train, 'train'], [data.test, 'test']] as const) {
      const report = await importFolder(registry, home, name, dir, { split });
      log(`${name}: imported ${report.imported} ${split} images from ${dir}`);
    }
    const generic = await genericBaseline(registry, home, name, { top: Number(values.top), onProgress: (done, total) => done % 500 === 0 && log(`${name}: generic ${done}/${total}`) });
    let custom: { accuracy: number; macroF1: number; backbone: string; trainSeconds: number } | undefined;
    if (!values['no-custom']) {
      const result = await trainVersion(registry, home, name, { seed: Number(values.seed), ...(values['max-trials'] ? { maxTrials: Number(values['max-trials']) } : {}) }, { onProgress: ({ phase, done, total }) => done === total && log(`${name}: ${phase} ${done}/${total}`) });
      custom = { accuracy: result.report.accuracy, macroF1: result.report.macroF1, backbone: result.version.backbone, trainSeconds: result.trainSeconds };
    }
    const labels = new Set(registry.listEntries(registry.getProject(name).id).map((e) => e.label)).size;
    return {
      dataset: name,
      split: `train -> ${data.testName}`,
      labels,
      images: { train: generic.trainPhotos, test: generic.total },
      generic: { accuracy: round(generic.accuracy), answered: generic.answered, top: generic.top, seconds: round(generic.seconds, 1), examples: generic.examples },
      custom: custom && { ...custom, accuracy: round(custom.accuracy), macroF1: round(custom.macroF1), trainSeconds: round(custom.trainSeconds, 1) },
    };
  } finally {
    registry.close();
    await fs.rm(root, { recursive: true, force: true });
  }
}

function round(value: number, digits = 4): number {
  return Number(value.toFixed(digits));
}

const rows = [];
for (const name of values.datasets.split(',').map((s) => s.trim()).filter(Boolean)) rows.push(await runOne(name));
const load = os.loadavg().map((v) => v.toFixed(2)).join(' ');
console.log(`date ${new Date().toISOString().slice(0, 10)}, load ${load}, Node ${process.version}`);
console.log('| data | labels | train / test | generic labels -> shop label | custom (frozen, default search) |');
console.log('|---|---:|---|---:|---:|');
for (const r of rows as { dataset: string; split: string; labels: number; images: { train: number; test: number }; generic: { accuracy: number }; custom?: { accuracy: number } }[]) {
  console.log(`| ${r.dataset} (${r.split}) | ${r.labels} | ${r.images.train} / ${r.images.test} | ${r.generic.accuracy.toFixed(3)} | ${r.custom ? r.custom.accuracy.toFixed(3) : '-'} |`);
}
if (values.json) console.log(JSON.stringify({ rows, load: os.loadavg() }));
