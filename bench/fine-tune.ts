// `npm run bench -- --mode fine-tune [--backbone ID] [--epochs N] [--unfreeze all|N] [--budget 24m] [--recipe k=v,...] [--no-compare] [--json]`:
// imports the official train/test split into a throw-away home, fine-tunes (the ONNX Runtime engine, or --recipe engine=torch), serves the
// version through onnxruntime, and then trains the frozen (fast) version on the same split, printing
// the side-by-side table: accuracy, macro-F1, train time and serving latency.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { importFolder } from '../src/dataset/index.js';
import { parseDuration } from '../src/params.js';
import { resolveHome } from '../src/home/index.js';
import { describePlan, fineTuneVersion, trainVersion } from '../src/jobs/index.js';
import { Registry } from '../src/registry/index.js';
import { latencyP50, sampleImages } from './latency.js';

const SHARED = path.resolve(import.meta.dirname, '..', '..', 'shared');
const log = (line: string): void => void process.stderr.write(`${line}\n`);

/** Runs the fine-tuning benchmark with its own command-line options. */
export async function runFineTuneBench(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      mode: { type: 'string' },
      train: { type: 'string', default: path.join(SHARED, 'datasets', 'clothing-dataset-small', 'train') },
      test: { type: 'string', default: path.join(SHARED, 'datasets', 'clothing-dataset-small', 'test') },
      backbone: { type: 'string', default: 'mobilenet-v2-imagenet' },
      models: { type: 'string', default: process.env.SKULENS_MODELS },
      home: { type: 'string' },
      seed: { type: 'string', default: '1' },
      epochs: { type: 'string' },
      /** Recipe overrides for ablations, e.g. ema=0,lpft=false,finalEpochs=0 (FineTuneParamsSchema names). */
      recipe: { type: 'string' },
      unfreeze: { type: 'string', default: 'all' },
      budget: { type: 'string', default: '24m' },
      threads: { type: 'string' },
      workers: { type: 'string' },
      'predict-sample': { type: 'string', default: '100' },
      'no-compare': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  const root = values.home ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'skulens-bench-ft-')));
  const home = resolveHome(root, { ...process.env, SKULENS_MODELS: values.models && path.resolve(values.models) });
  const registry = Registry.open(home.database);
  try {
    const project = 'bench';
    if (!registry.findProject(project)) registry.createProject(project);
    for (const [dir, split] of [[values.train, 'train'], [values.test, 'test']] as const) {
      const report = await importFolder(registry, home, project, dir, { split });
      log(`imported ${report.imported} ${split} images from ${dir}`);
    }
    const sample = await sampleImages(values.test, Number(values['predict-sample']));

    const started = performance.now();
    let lastLine = 0;
    const ft = await fineTuneVersion(
      registry,
      home,
      project,
      {
        backbone: values.backbone,
        seed: Number(values.seed),
        ...(values.epochs ? { epochs: Number(values.epochs) } : {}),
        ...recipeOverrides(values.recipe),
        unfreeze: values.unfreeze === 'all' ? 'all' : Number(values.unfreeze),
        budgetSeconds: parseDuration(values.budget, '--budget'),
        ...(values.threads ? { threads: Number(values.threads) } : {}),
        ...(values.workers ? { workers: Number(values.workers) } : {}),
      },
      {
        onEngineMessage: (m) => {
          const t = ((performance.now() - started) / 1000).toFixed(0).padStart(5);
          if (m.type === 'epoch') {
            const extra = `${m.valAccuracyRaw !== undefined ? `, raw weights ${m.valAccuracyRaw.toFixed(4)}` : ''}${m.valAccuracyAtServingSize !== undefined ? `, at the serving size ${m.valAccuracyAtServingSize.toFixed(4)}` : ''}`;
            log(`${t}s epoch ${m.epoch}/${m.epochs}${m.size !== undefined ? ` at ${m.size} px` : ''}: train loss ${m.trainLoss.toFixed(4)}, val acc ${m.valAccuracy.toFixed(4)}${extra}, ${m.seconds.toFixed(0)} s`);
          }
          else if (m.type === 'ready') log(`${t}s engine ready: ${m.torch !== undefined ? `torch ${m.torch}` : (m.runtime ?? 'onnxruntime')} on ${m.device ?? 'cpu'} (${m.precision ?? 'float32'}), ${m.trainable}/${m.parameters} parameters trained, ${m.train} train / ${m.val} validation images`);
          else if (m.type === 'plan') log(`${t}s ${describePlan(m)}`);
          else if (m.type === 'phase') log(`${t}s ${m.phase}`);
          else if (m.type === 'progress' && performance.now() - lastLine > 30_000) {
            lastLine = performance.now();
            log(`${t}s   epoch ${m.epoch}/${m.epochs} step ${m.step}/${m.steps} loss ${m.loss.toFixed(4)} ${m.imagesPerSecond.toFixed(1)} img/s (${m.threads} thread${m.threads > 1 ? 's' : ''})`);
          }
        },
      },
    );
    const ftLatency = await latencyP50(registry, home, ft.version, sample);
    const rows = [
      {
        method: `fine-tune (${ft.engine.epochsRun} of ${ft.engine.plan.epochs} planned epochs, stopped by ${ft.engine.stoppedBy}, served at ${ft.engine.plan.size} px)`,
        accuracy: ft.report.accuracy,
        macroF1: ft.report.macroF1,
        trainSeconds: ft.trainSeconds,
        p50: ftLatency,
      },
    ];
    const summary: Record<string, unknown> = {
      mode: 'fine-tune',
      backbone: values.backbone,
      accuracy: round(ft.report.accuracy),
      macroF1: round(ft.report.macroF1),
      coverage: round(ft.report.coverage),
      answeredPrecision: round(ft.report.answeredPrecision),
      trainingTestAccuracy: round(ft.engine.testAccuracy),
      servedMinusTorch: round(ft.report.accuracy - ft.engine.testAccuracy),
      valAccuracy: round(ft.engine.valAccuracy),
      probeValAccuracy: ft.engine.probeValAccuracy === null ? null : round(ft.engine.probeValAccuracy),
      epochsRun: ft.engine.epochsRun,
      plannedEpochs: ft.engine.plan.epochs,
      requestedEpochs: ft.engine.plan.requestedEpochs,
      expectedSeconds: ft.engine.plan.expectedSeconds,
      stepSeconds: ft.engine.plan.stepSeconds,
      size: ft.engine.plan.size,
      stoppedBy: ft.engine.stoppedBy,
      device: ft.engine.device,
      history: ft.engine.history.map((h) => ({
        epoch: h.epoch,
        size: h.size,
        valAccuracy: round(h.valAccuracy),
        ...(h.valAccuracyRaw !== undefined ? { valAccuracyRaw: round(h.valAccuracyRaw) } : {}),
        ...(h.valAccuracyAtServingSize !== undefined ? { valAccuracyAtServingSize: round(h.valAccuracyAtServingSize) } : {}),
        seconds: round(h.seconds, 1),
      })),
      images: ft.version.metrics?.images,
      exportEmbeddingMaxDiff: ft.check.embeddingMaxDiff,
      exportLogitMaxDiff: ft.check.logitMaxDiff,
      trainSeconds: round(ft.trainSeconds, 1),
      predictMsPerImage: round(ftLatency, 1),
      load: os.loadavg().map((l) => round(l, 2)),
    };
    if (!values['no-compare']) {
      const frozen = await trainVersion(registry, home, project, { backbone: values.backbone, seed: Number(values.seed), ...(values.workers ? { workers: Number(values.workers) } : {}) });
      const frozenLatency = await latencyP50(registry, home, frozen.version, sample);
      rows.unshift({ method: 'frozen backbone + head (fast)', accuracy: frozen.report.accuracy, macroF1: frozen.report.macroF1, trainSeconds: frozen.trainSeconds, p50: frozenLatency });
      summary.frozen = { accuracy: round(frozen.report.accuracy), macroF1: round(frozen.report.macroF1), trainSeconds: round(frozen.trainSeconds, 1), predictMsPerImage: round(frozenLatency, 1) };
    }
    console.log(`${path.basename(path.dirname(path.resolve(values.test)))} dataset: ${ft.report.numTest} test images from ${values.test}; backbone ${values.backbone}; ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}; load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    console.log(`training-side test accuracy ${ft.engine.testAccuracy.toFixed(4)}, served (onnxruntime) ${ft.report.accuracy.toFixed(4)}; export max diff: embedding ${ft.check.embeddingMaxDiff.toExponential(2)}, logits ${ft.check.logitMaxDiff.toExponential(2)}`);
    console.log('| method | test accuracy | macro-F1 | train time | predict p50 (1 image) |');
    console.log('|---|---:|---:|---:|---:|');
    for (const r of rows) console.log(`| ${r.method} | ${r.accuracy.toFixed(3)} | ${r.macroF1.toFixed(3)} | ${formatSeconds(r.trainSeconds)} | ${r.p50.toFixed(1)} ms |`);
    if (values.json) console.log(JSON.stringify(summary));
  } finally {
    registry.close();
    if (!values.home) await fs.rm(root, { recursive: true, force: true });
  }
}

/** `k=v,k=v` recipe overrides: numbers and booleans as such, anything else as text (the job schema validates). */
function recipeOverrides(text: string | undefined): Record<string, unknown> {
  if (!text) return {};
  return Object.fromEntries(
    text.split(',').map((pair) => {
      const [key, raw = ''] = pair.split('=');
      const value = raw === 'true' ? true : raw === 'false' ? false : Number.isFinite(Number(raw)) && raw !== '' ? Number(raw) : raw;
      return [key!.trim(), value];
    }),
  );
}

function formatSeconds(seconds: number): string {
  return seconds >= 120 ? `${(seconds / 60).toFixed(1)} min` : `${seconds.toFixed(0)} s`;
}

function round(value: number, digits = 4): number {
  return Number(value.toFixed(digits));
}
