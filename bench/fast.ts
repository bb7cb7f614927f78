// `node --import tsx bench/fast.ts [--train DIR] [--test DIR] [--home DIR] [--cut 96] [--views 2] [--epochs 8] [--json]`:
// the fast path end to end on a folder-per-label train/test pair: import into a throw-away home (or
// --home, kept, for warm retrains), train (decode, activation cache, training, export, serving the
// test split through onnxruntime), score, and time one-image predictions. One JSON line with --json.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { getBackbone } from '../src/backbone/index.js';
import { importFolder } from '../src/dataset/index.js';
import { evaluatePredictions, type ScoredImage } from '../src/evaluate/index.js';
import { FastParamsSchema, detectEngine, trainFast, type FastItem } from '../src/finetune/index.js';
import { resolveHome } from '../src/home/index.js';
import { Registry } from '../src/registry/index.js';
import { headProbabilities } from '../src/train/index.js';
import { measureLatency } from './fast-latency.js';

const SHARED = path.resolve(import.meta.dirname, '..', '..', 'shared');
const log = (line: string): void => void process.stderr.write(`${line}\n`);
const round = (v: number, d = 4): number => Number(v.toFixed(d));
const load = (): number[] => os.loadavg().map((l) => round(l, 2));
/** CPU seconds of this process (all threads) plus its finished children (the engine), from /proc on Linux. */
async function cpuSeconds(): Promise<number> {
  const self = process.cpuUsage();
  let children = 0;
  try {
    const fields = (await fs.readFile('/proc/self/stat', 'utf8')).split(') ')[1]!.split(' ');
    children = (Number(fields[13]) + Number(fields[14])) / 100; // cutime + cstime, in USER_HZ (100 on Linux)
  } catch {
    // not Linux: children are left out
  }
  return (self.user + self.system) / 1e6 + children;
}

const { values } = parseArgs({
  options: {
    train: { type: 'string', default: path.join(SHARED, 'datasets', 'clothing-dataset-small', 'train') },
    test: { type: 'string', default: path.join(SHARED, 'datasets', 'clothing-dataset-small', 'test') },
    backbone: { type: 'string', default: 'mobilenet-v2-imagenet' },
    models: { type: 'string', default: process.env.SKULENS_MODELS ?? path.join(SHARED, 'models') },
    home: { type: 'string' },
    seed: { type: 'string', default: '1' },
    cut: { type: 'string' },
    views: { type: 'string' },
    epochs: { type: 'string' },
    lr: { type: 'string' },
    'head-lr': { type: 'string' },
    'weight-decay': { type: 'string' },
    'val-fraction': { type: 'string' },
    'batch-size': { type: 'string' },
    threads: { type: 'string' },
    'predict-sample': { type: 'string', default: '100' },
    json: { type: 'boolean', default: false },
  },
});
const num = (v: string | undefined): number | undefined => (v === undefined ? undefined : Number(v));
const params = FastParamsSchema.parse({
  backbone: values.backbone,
  seed: Number(values.seed),
  cut: num(values.cut),
  views: num(values.views),
  epochs: num(values.epochs),
  lr: num(values.lr),
  headLr: num(values['head-lr']),
  weightDecay: num(values['weight-decay']),
  valFraction: num(values['val-fraction']),
  batchSize: num(values['batch-size']),
  threads: num(values.threads),
});

const root = values.home ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'skulens-bench-fast-')));
const home = resolveHome(root, { ...process.env, SKULENS_MODELS: path.resolve(values.models) });
const registry = Registry.open(home.database);
const work = await fs.mkdtemp(path.join(os.tmpdir(), 'skulens-fast-work-'));
try {
  const loadBefore = load();
  let t = performance.now();
  if (!registry.findProject('bench')) registry.createProject('bench');
  for (const [dir, split] of [[values.train, 'train'], [values.test, 'test']] as const) {
    const report = await importFolder(registry, home, 'bench', dir, { split });
    log(`imported ${report.imported} ${split} images from ${dir}`);
  }
  const importSeconds = (performance.now() - t) / 1000;
  const cpuBefore = await cpuSeconds();
  t = performance.now();
  const entries = registry.listEntries(registry.getProject('bench').id);
  const labels = [...new Set(entries.map((e) => e.label))].sort();
  const index = new Map(labels.map((l, k) => [l, k]));
  const toPath = (blob: string): string => path.resolve(home.root, blob);
  const train: FastItem[] = entries.filter((e) => e.split === 'train').map((e) => ({ sha256: e.sha256, path: toPath(e.blob), name: e.source, label: index.get(e.label)!, dhash: e.dhash }));
  const test = entries.filter((e) => e.split === 'test');
  const engineInfo = await detectEngine(params.python);
  const spec = getBackbone(params.backbone, home.models);
  const started = performance.now();
  const result = await trainFast(
    { home, spec, labels, train, evaluate: test.map((e) => ({ path: toPath(e.blob), name: e.source })), params, python: engineInfo.python, work },
    {
      onMessage: (m) => {
        const s = ((performance.now() - started) / 1000).toFixed(0).padStart(4);
        if (m.type === 'epoch') log(`${s}s epoch ${m.epoch}/${m.epochs}: loss ${m.trainLoss.toFixed(4)}, val acc ${m.valAccuracy.toFixed(4)}, ${m.seconds.toFixed(0)} s (load ${load().join(' ')})`);
        else if (m.type === 'cut') log(`${s}s cut at ${m.tensor} ${JSON.stringify(m.shape)}`);
        else if (m.type === 'phase') log(`${s}s ${m.phase}`);
      },
    },
  );
  const scored: ScoredImage[] = test.map((e, k) => ({ image: e.source, truth: index.get(e.label)!, probs: headProbabilities(result.head, result.served[k]!) }));
  const report = evaluatePredictions(labels, scored, result.thresholds);
  const trainSeconds = (performance.now() - t) / 1000;
  const cpu = (await cpuSeconds()) - cpuBefore;
  const predictMs = await measureLatency(result, home, test.slice(0, Number(values['predict-sample'])).map((e) => toPath(e.blob)));
  const summary = {
    mode: 'fast',
    backbone: params.backbone,
    cut: `${result.engine.cut} ${JSON.stringify(result.engine.shape)}`,
    accuracy: round(report.accuracy),
    macroF1: round(report.macroF1),
    valAccuracy: round(result.validation.accuracy),
    images: { train: train.length, test: test.length, validation: result.validation.val },
    cache: { computed: result.cache.computed, reused: result.cache.reused },
    epochsRun: result.engine.epochsRun,
    trainSeconds: round(trainSeconds, 1),
    importSeconds: round(importSeconds, 1),
    phases: result.timings,
    predictMsPerImage: round(predictMs, 2),
    exportMaxDiff: Math.max(result.check.embeddingMaxDiff, result.check.logitMaxDiff),
    cpuSeconds: round(cpu, 1),
    load: { before: loadBefore, after: load() },
    params: { cut: params.cut, views: params.views, epochs: params.epochs, lr: params.lr, headLr: params.headLr, weightDecay: params.weightDecay, valFraction: params.valFraction, batchSize: params.batchSize },
  };
  console.log(`fast path: test accuracy ${report.accuracy.toFixed(4)}, macro-F1 ${report.macroF1.toFixed(4)}, ${trainSeconds.toFixed(0)} s all included; load ${load().join(' ')}`);
  if (values.json) console.log(JSON.stringify(summary));
} finally {
  registry.close();
  await fs.rm(work, { recursive: true, force: true });
  if (!values.home) await fs.rm(root, { recursive: true, force: true });
}
