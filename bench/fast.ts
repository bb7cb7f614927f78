// The fast path's benchmark, `npm run bench` in its default mode (also `node --import tsx bench/fast.ts`):
// imports a folder-per-label train/test pair into a throw-away home (or --home, kept, so that a second
// run is a warm retrain), trains the fast-path version (activation cache, training, export, serving the
// test split through onnxruntime, all timed together), and measures one-image predict latency through a
// started version. Prints a table and, with --json, one JSON line. Without the engine it says so in one
// line and returns false, so `npm run bench` falls back to the frozen path.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { importFolder } from '../src/dataset/index.js';
import { resolveHome } from '../src/home/index.js';
import { FAST_PATH_ADDS, FastParamsSchema, checkFastPath, fastVersion } from '../src/jobs/index.js';
import { latencyP50, sampleImages } from './latency.js';
import { Registry } from '../src/registry/index.js';

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

/** Runs the fast-path benchmark; false (after one line) when the fast path cannot run here. */
export async function runFastBench(argv: string[]): Promise<boolean> {
  const { values } = parseArgs({
    args: argv,
    options: {
      mode: { type: 'string' },
      train: { type: 'string', default: path.join(SHARED, 'datasets', 'clothing-dataset-small', 'train') },
      test: { type: 'string', default: path.join(SHARED, 'datasets', 'clothing-dataset-small', 'test') },
      backbone: { type: 'string' },
      models: { type: 'string', default: process.env.SKULENS_MODELS },
      home: { type: 'string' },
      seed: { type: 'string' },
      cut: { type: 'string' },
      views: { type: 'string' },
      members: { type: 'string' },
      epochs: { type: 'string' },
      lr: { type: 'string' },
      'head-lr': { type: 'string' },
      'weight-decay': { type: 'string' },
      'flip-test': { type: 'string' },
      size: { type: 'string' },
      from: { type: 'string' },
      ema: { type: 'string' },
      'val-fraction': { type: 'string' },
      'batch-size': { type: 'string' },
      budget: { type: 'string' },
      threads: { type: 'string' },
      workers: { type: 'string' },
      device: { type: 'string' },
      'freeze-depthwise': { type: 'string' },
      'predict-sample': { type: 'string', default: '100' },
      json: { type: 'boolean', default: false },
    },
  });
  const params = FastParamsSchema.parse(
    Object.fromEntries(
      Object.entries({
        backbone: values.backbone, seed: values.seed, cut: values.cut, views: values.views, members: values.members, epochs: values.epochs, lr: values.lr, headLr: values['head-lr'],
        weightDecay: values['weight-decay'], ema: values.ema, flipTest: values['flip-test'] === undefined ? undefined : values['flip-test'] !== 'false', size: values.size, from: values.from, valFraction: values['val-fraction'], batchSize: values['batch-size'],
        budgetSeconds: values.budget, threads: values.threads, workers: values.workers, device: values.device,
        freezeDepthwise: values['freeze-depthwise'] === undefined ? undefined : values['freeze-depthwise'] !== 'false',
      }).filter(([, v]) => v !== undefined),
    ),
  );
  const root = values.home ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'skulens-bench-fast-')));
  const home = resolveHome(root, { ...process.env, SKULENS_MODELS: values.models && path.resolve(values.models) });
  const check = await checkFastPath(home, params);
  if (!check.ok) {
    log(`Training the frozen head: ${check.reason}; ${FAST_PATH_ADDS}.`);
    if (!values.home) await fs.rm(root, { recursive: true, force: true });
    return false;
  }
  const registry = Registry.open(home.database);
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
    const result = await fastVersion(registry, home, 'bench', params, {
      onEngineMessage: (m) => {
        const s = ((performance.now() - t) / 1000).toFixed(0).padStart(4);
        if (m.type === 'epoch') log(`${s}s epoch ${m.epoch}/${m.epochs}: loss ${m.trainLoss.toFixed(4)}, val acc ${m.valAccuracy.toFixed(4)}, ${m.seconds.toFixed(0)} s (load ${load().join(' ')})`);
        else if (m.type === 'cut') log(`${s}s cut at ${m.tensor} ${JSON.stringify(m.shape)}`);
        else if (m.type === 'phase') log(`${s}s ${m.phase}`);
      },
    });
    const cpu = (await cpuSeconds()) - cpuBefore;
    const loadAfter = load();
    const { report, run } = result;

    const predictMs = await latencyP50(registry, home, result.version, await sampleImages(values.test, Number(values['predict-sample'])));
    const images = result.version.metrics?.images as { train: number; test: number };
    const summary = {
      mode: 'fast',
      engine: 'onnx',
      backbone: params.backbone,
      cut: `${run.engine.cut} ${JSON.stringify(run.engine.shape)}`,
      accuracy: round(report.accuracy),
      macroF1: round(report.macroF1),
      unknownRate: round(report.unknownRate),
      coverage: round(report.coverage),
      answeredPrecision: round(report.answeredPrecision),
      untested: report.untested.length,
      valAccuracy: round(run.validation.accuracy),
      images: { ...images, validation: run.validation.val, labels: report.labels.length },
      cache: { computed: run.cache.computed, reused: run.cache.reused },
      epochsRun: run.engine.epochsRun,
      trainSeconds: round(result.trainSeconds, 1),
      // The engine's training alone (all members), and per step of a batch.
      engineTrainSeconds: round(run.engine.timings.train ?? 0, 1),
      secondsPerStep: round((run.engine.timings.train ?? 0) / Math.max(1, run.engine.history.length * Math.ceil(run.validation.train / params.batchSize)), 3),
      importSeconds: round(importSeconds, 1),
      phases: run.timings,
      predictMsPerImage: round(predictMs, 1),
      exportMaxDiff: Math.max(run.check.embeddingMaxDiff, run.check.logitMaxDiff),
      cpuSeconds: round(cpu, 1),
      load: { before: loadBefore, after: loadAfter },
      params: { cut: params.cut, views: params.views, members: run.engine.members, epochs: run.epochs, size: params.size ?? null, ema: params.ema, flipTest: params.flipTest ?? params.members === 1, from: params.from ?? null, lr: params.lr, headLr: params.headLr, weightDecay: params.weightDecay, valFraction: params.valFraction, batchSize: params.batchSize, device: params.device, freezeDepthwise: params.freezeDepthwise },
    };
    console.log(
      `fast path (${summary.cut}): test accuracy ${summary.accuracy.toFixed(3)}, coverage ${summary.coverage.toFixed(3)} at answered precision ${summary.answeredPrecision.toFixed(3)}, macro-F1 ${summary.macroF1.toFixed(3)} on ${images.test} images; ` +
        `${summary.trainSeconds.toFixed(0)} s all included (${summary.engineTrainSeconds.toFixed(0)} s training, ${summary.secondsPerStep} s/step; ${summary.cpuSeconds.toFixed(0)} CPU s), predict p50 ${summary.predictMsPerImage} ms; load ${loadBefore.join(' ')} -> ${loadAfter.join(' ')}`,
    );
    if (values.json) console.log(JSON.stringify(summary));
    return true;
  } finally {
    registry.close();
    if (!values.home) await fs.rm(root, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (!(await runFastBench(process.argv.slice(2)))) process.exitCode = 1;
}
