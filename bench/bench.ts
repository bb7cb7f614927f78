// `npm run bench -- [--mode fast|frozen|fine-tune] [--train DIR --test DIR] [--backbone ID] [--json]`:
// import -> train -> evaluate -> predict on a folder-per-label pair in a throw-away home, printing a
// table (and a JSON last line). The default mode is fast (bench/fast.ts), as for `skulens train`; without
// the PyTorch engine it says so in one line and runs the frozen path below.
// Other modes: --ablation, --open-set, --few-shot (training-quality studies on cached embeddings).
// `--taxonomy FILE --label-column C --levels A,B` (any mode) adds accuracy per level and the fallback to
// parents (bench/hierarchy.ts).
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { importFolder } from '../src/dataset/index.js';
import { resolveHome } from '../src/home/index.js';
import { DEFAULT_MODE, TRAINING_MODES, trainVersion } from '../src/jobs/index.js';
import { Registry } from '../src/registry/index.js';
import { latencyP50, sampleImages } from './latency.js';
import { runAblation } from './ablation.js';
import { runFewShot } from './few-shot.js';
import { runOpenSet } from './open-set.js';

const SHARED = path.resolve(import.meta.dirname, '..', '..', 'shared');

/** Exits once stdout and stderr have drained: a pipe (`| tail`) is written asynchronously, and exit() would drop the figures. */
async function exitAfterOutput(): Promise<never> {
  await Promise.all([process.stdout, process.stderr].map((stream) => new Promise<void>((resolve) => stream.write('', () => resolve()))));
  process.exit(0);
}

// `--taxonomy FILE --label-column C --levels A,B` wraps any mode: bench/hierarchy.ts runs it and scores
// its version at every level of the taxonomy.
if (process.argv.some((a) => a === '--taxonomy' || a.startsWith('--taxonomy='))) {
  await (await import('./hierarchy.js')).runHierarchyBench(process.argv.slice(2));
  await exitAfterOutput();
}

// `--mode fast` (the default) and `--mode fine-tune` are benchmarks with their own options
// (bench/fast.ts, bench/fine-tune.ts), so they are dispatched before this file's options are parsed.
const modeAt = process.argv.indexOf('--mode');
const modeArg = process.argv.find((a) => a.startsWith('--mode='))?.slice('--mode='.length) ?? (modeAt > 0 ? process.argv[modeAt + 1] : undefined);
const studies = ['--ablation', '--open-set', '--few-shot'].some((flag) => process.argv.includes(flag));
const mode = modeArg ?? (studies ? 'frozen' : DEFAULT_MODE);
if (!(mode in TRAINING_MODES)) throw new Error(`--mode ${mode}: use ${Object.keys(TRAINING_MODES).join(', ')}`);
if (mode === 'fine-tune') {
  await (await import('./fine-tune.js')).runFineTuneBench(process.argv.slice(2));
  await exitAfterOutput();
}
if (mode === 'fast' && (await (await import('./fast.js')).runFastBench(process.argv.slice(2)))) await exitAfterOutput();

const { values } = parseArgs({
  options: {
    mode: { type: 'string' },
    train: { type: 'string', default: path.join(SHARED, 'datasets', 'clothing-dataset-small', 'train') },
    test: { type: 'string', default: path.join(SHARED, 'datasets', 'clothing-dataset-small', 'test') },
    backbone: { type: 'string' },
    models: { type: 'string', default: process.env.SKULENS_MODELS },
    home: { type: 'string' },
    c: { type: 'string' },
    seed: { type: 'string', default: '1' },
    workers: { type: 'string' },
    'predict-sample': { type: 'string', default: '100' },
    json: { type: 'boolean', default: false },
    // Training options of the default mode (trainVersion params).
    augment: { type: 'string' },
    tta: { type: 'string' },
    balance: { type: 'string' },
    tune: { type: 'boolean' },
    'no-tune': { type: 'boolean' },
    budget: { type: 'string' },
    // Study modes.
    ablation: { type: 'boolean', default: false },
    rows: { type: 'string' },
    'open-set': { type: 'boolean', default: false },
    pairs: { type: 'string', default: '5' },
    'target-precision': { type: 'string' },
    'few-shot': { type: 'boolean', default: false },
    draws: { type: 'string', default: '3' },
    labels: { type: 'string' },
  },
});

const log = (line: string): void => void process.stderr.write(`${line}\n`);

async function main(): Promise<void> {
  const root = values.home ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'skulens-bench-')));
  const home = resolveHome(root, { ...process.env, SKULENS_MODELS: values.models && path.resolve(values.models) });
  const registry = Registry.open(home.database);
  try {
    if (values.ablation || values['open-set'] || values['few-shot']) {
      const common = { train: values.train, test: values.test, backbone: values.backbone, seed: Number(values.seed), workers: values.workers ? Number(values.workers) : undefined, json: values.json };
      const C = values.c ? Number(values.c) : 0.1;
      if (values.ablation) await runAblation(registry, home, { ...common, budgetSeconds: budgetSeconds(), rows: values.rows });
      if (values['open-set']) await runOpenSet(registry, home, { ...common, C, pairs: Number(values.pairs), targetPrecision: values['target-precision'] ? Number(values['target-precision']) : undefined });
      if (values['few-shot']) await runFewShot(registry, home, { ...common, C, draws: Number(values.draws), labels: values.labels });
      return;
    }
    const project = 'bench';
    if (!registry.findProject(project)) registry.createProject(project);
    const importStart = performance.now();
    for (const [dir, split] of [[values.train, 'train'], [values.test, 'test']] as const) {
      const report = await importFolder(registry, home, project, dir, { split });
      log(`imported ${report.imported} ${split} images from ${dir} (${report.skipped.length} skipped, ${report.duplicates} already there)`);
      for (const s of report.skipped) log(`  skipped: ${s.reason}`);
    }
    const importSeconds = (performance.now() - importStart) / 1000;

    let lastPhase = '';
    const result = await trainVersion(
      registry,
      home,
      project,
      {
        backbone: values.backbone,
        seed: Number(values.seed),
        ...(values.c ? { C: Number(values.c) } : {}),
        ...(values.workers ? { workers: Number(values.workers) } : {}),
        ...(values.augment ? { augment: values.augment } : {}),
        ...(values.tta === 'flip' ? { tta: 'flip' as const } : {}),
        ...(values.balance ? { balance: values.balance as 'auto' } : {}),
        ...(values['no-tune'] ? { tune: false } : values.tune ? { tune: true } : {}),
        ...(values.budget ? { budgetSeconds: budgetSeconds() } : {}),
      },
      {
        onProgress: ({ phase, done, total }) => {
          if (phase !== lastPhase || done === total) log(`${phase} ${done}/${total}`);
          lastPhase = phase;
        },
      },
    );
    const { report } = result;
    const images = { train: result.version.metrics?.images as { train: number; test: number } };

    // Latency: one image at a time through a started version, as a client would call it.
    const predictMsPerImage = await latencyP50(registry, home, result.version, await sampleImages(values.test, Number(values['predict-sample'])));

    const summary = {
      backbone: result.version.backbone,
      accuracy: round(report.accuracy),
      macroF1: round(report.macroF1),
      coverage: round(report.coverage),
      answeredPrecision: round(report.answeredPrecision),
      images: images.train,
      embedMsPerImage: round((result.embedSeconds * 1000) / (images.train.train + images.train.test), 1),
      trainSeconds: round(result.trainSeconds, 1),
      predictMsPerImage: round(predictMsPerImage, 1),
      peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
    };
    const rows: [string, string][] = [
      ['date', new Date().toISOString().slice(0, 10)],
      ['machine', `${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`],
      ['backbone', summary.backbone],
      ['images (train / test)', `${summary.images.train} / ${summary.images.test}`],
      ['import (s)', importSeconds.toFixed(1)],
      ['test accuracy', summary.accuracy.toFixed(3)],
      ['test macro-F1', summary.macroF1.toFixed(3)],
      ['unknown rate at thresholds', report.unknownRate.toFixed(3)],
      ['coverage / answered precision at thresholds', `${summary.coverage.toFixed(3)} / ${summary.answeredPrecision.toFixed(3)}`],
      ['embedding (ms/image, wall)', summary.embedMsPerImage.toFixed(1)],
      ['train incl. embedding (s)', summary.trainSeconds.toFixed(1)],
      ['predict p50 (ms/image, 1 at a time)', summary.predictMsPerImage.toFixed(1)],
      ['peak RSS (MB)', String(summary.peakRssMB)],
    ];
    const width = Math.max(...rows.map(([k]) => k.length));
    console.log(rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n'));
    if (values.json) console.log(JSON.stringify(summary));
  } finally {
    registry.close();
    if (!values.home) await fs.rm(root, { recursive: true, force: true });
  }
}

/** --budget as seconds ("90", "90s", "5m"); default 120. */
function budgetSeconds(): number {
  const match = /^(\d+(?:\.\d+)?)(s|m)?$/.exec(values.budget ?? '120');
  return match ? Number(match[1]) * (match[2] === 'm' ? 60 : 1) : 120;
}

function round(value: number, digits = 4): number {
  return Number(value.toFixed(digits));
}

await main();
