// `npm run bench -- --ablation`: one row per technique switched on alone over a plain linear probe,
// then all together: test accuracy, macro-F1 (at out-of-fold thresholds), unknown rate and time.
// Embeddings are cached in the home, so each row's time is its head time plus the cold cost of the
// views it needs (measured once, when they were embedded).
import { AUGMENT_PRESETS } from '../src/augment/index.js';
import { evaluatePredictions } from '../src/evaluate/index.js';
import type { HomeLayout } from '../src/home/index.js';
import { describeConfig, fitHeadPipeline, type PipelineParams } from '../src/jobs/index.js';
import type { Registry } from '../src/registry/index.js';
import { headProbabilities } from '../src/train/index.js';
import { loadBenchData, testVector, tuningSetOf } from './embeddings.js';

interface Row {
  name: string;
  augment?: 'light' | 'strong';
  tta?: boolean;
  params: Partial<PipelineParams>;
}

/** The plain probe: standardised logistic regression, C by grouped CV, no balancing, no augmentation. */
const BASE: PipelineParams = { seed: 1, C: 'auto', balance: 'none', tune: false, budgetSeconds: 120 };

const ROWS: readonly Row[] = Object.freeze([
  { name: 'linear probe (C by grouped CV)', params: {} },
  { name: '+ balance auto', params: { balance: 'auto' } },
  { name: '+ augment light', augment: 'light', params: {} },
  { name: '+ augment strong', augment: 'strong', params: {} },
  { name: '+ TTA flip', tta: true, params: {} },
  { name: '+ tune (head, lr, epochs, balance)', params: { tune: true, balance: 'auto' } },
  { name: 'all: augment light, balance auto, tune, TTA flip', augment: 'light', tta: true, params: { tune: true, balance: 'auto' } },
]);

export async function runAblation(
  registry: Registry,
  home: HomeLayout,
  options: { train: string; test: string; backbone?: string; seed: number; budgetSeconds: number; workers?: number; json: boolean; rows?: string },
): Promise<void> {
  const wanted = options.rows ? ROWS.filter((_, k) => options.rows!.split(',').map(Number).includes(k)) : ROWS;
  const policies = [...new Set(wanted.flatMap((r) => (r.augment ? [r.augment] : [])))].map((name) => AUGMENT_PRESETS[name]);
  const data = await loadBenchData(registry, home, options, options.backbone, options.seed, policies, wanted.some((r) => r.tta), options.workers);
  const labelIndex = new Map(data.labels.map((label, k) => [label, k]));
  const results: { row: string; accuracy: number; macroF1: number; unknownRate: number; headSeconds: number; trainSeconds: number; winner: string }[] = [];
  for (const row of wanted) {
    const { set } = tuningSetOf(data, data.labels, row.augment);
    const start = performance.now();
    const fitted = fitHeadPipeline(set, { ...BASE, seed: options.seed, budgetSeconds: options.budgetSeconds, ...row.params }, {
      onTried: (line) => process.stderr.write(`  [${row.name}] ${line}\n`),
    });
    const headSeconds = (performance.now() - start) / 1000;
    const scored = data.test.map((e) => ({ image: e.source, truth: labelIndex.get(e.label)!, probs: headProbabilities(fitted.head, testVector(data, e, row.tta === true)) }));
    const report = evaluatePredictions(data.labels, scored, fitted.thresholds);
    const embedSeconds = data.embedSeconds.plain! + (row.augment ? data.embedSeconds[row.augment]! : 0) + (row.tta ? data.embedSeconds['tta-flip']! : 0);
    const result = {
      row: row.name,
      accuracy: round(report.accuracy),
      macroF1: round(report.macroF1),
      unknownRate: round(report.unknownRate),
      headSeconds: round(headSeconds, 1),
      trainSeconds: round(headSeconds + embedSeconds, 1),
      winner: describeConfig(fitted.tuning.winner),
    };
    results.push(result);
    process.stderr.write(`${JSON.stringify(result)}\n`);
  }
  const embedNote = Object.entries(data.embedSeconds).map(([k, v]) => `${k} ${v.toFixed(0)} s`).join(', ');
  console.log(`Ablation on ${data.backbone}, ${data.train.length} train / ${data.test.length} test images, seed ${options.seed}; cold embedding: ${embedNote}`);
  console.log('| technique | test accuracy | macro-F1 | unknown | head (s) | train incl. cold embedding (s) | chosen head |');
  console.log('|---|---:|---:|---:|---:|---:|---|');
  for (const r of results) console.log(`| ${r.row} | ${r.accuracy.toFixed(3)} | ${r.macroF1.toFixed(3)} | ${(r.unknownRate * 100).toFixed(1)}% | ${r.headSeconds} | ${r.trainSeconds} | ${r.winner} |`);
  if (options.json) console.log(JSON.stringify({ backbone: data.backbone, rows: results }));
}

function round(value: number, digits = 4): number {
  return Number(value.toFixed(digits));
}
