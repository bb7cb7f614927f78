// `npm run bench -- --open-set`: hold out whole labels (pairs, in label order), train on the rest, and
// measure how the unseen labels' test images come back: "unknown" (no label reaches its threshold)
// or confidently wrong, plus the AUROC of max-confidence for known vs unseen images.
import { decideLabels } from '../src/evaluate/index.js';
import type { HomeLayout } from '../src/home/index.js';
import { fitHeadPipeline, type PipelineParams } from '../src/jobs/index.js';
import type { Registry } from '../src/registry/index.js';
import { headProbabilities } from '../src/train/index.js';
import { loadBenchData, tuningSetOf } from './embeddings.js';

/** AUROC of scores, positives vs negatives (Mann-Whitney, ties count one half). */
export function auroc(positives: readonly number[], negatives: readonly number[]): number {
  let wins = 0;
  for (const p of positives) for (const n of negatives) wins += p > n ? 1 : p === n ? 0.5 : 0;
  return wins / (positives.length * negatives.length);
}

export async function runOpenSet(
  registry: Registry,
  home: HomeLayout,
  options: { train: string; test: string; backbone?: string; seed: number; C: number; pairs: number; targetPrecision?: number; workers?: number; json: boolean },
): Promise<void> {
  const data = await loadBenchData(registry, home, options, options.backbone, options.seed, [], false, options.workers);
  const params: PipelineParams = { seed: options.seed, C: options.C, balance: 'auto', tune: false, budgetSeconds: 60, targetPrecision: options.targetPrecision };
  const rows: { unseen: string; unseenImages: number; unseenUnknown: number; unseenConfidentlyWrong: number; knownUnknown: number; knownAccuracy: number; auroc: number }[] = [];
  for (let pair = 0; pair < options.pairs && 2 * pair + 1 < data.labels.length; pair++) {
    const unseen = [data.labels[2 * pair]!, data.labels[2 * pair + 1]!];
    const known = data.labels.filter((l) => !unseen.includes(l));
    const { set } = tuningSetOf(data, known);
    const { head, thresholds } = fitHeadPipeline(set, params);
    const knownConf: number[] = [];
    const unseenConf: number[] = [];
    let unseenUnknown = 0;
    let knownUnknown = 0;
    let knownCorrect = 0;
    for (const e of data.test) {
      const probs = headProbabilities(head, data.vectors.get(e.sha256)!);
      const answer = decideLabels(known, probs, thresholds);
      const top = Math.max(...probs);
      if (unseen.includes(e.label)) {
        unseenConf.push(top);
        if (answer.length === 0) unseenUnknown++;
      } else {
        knownConf.push(top);
        if (answer.length === 0) knownUnknown++;
        if (known[probs.indexOf(top)] === e.label) knownCorrect++;
      }
    }
    const row = {
      unseen: unseen.join(' + '),
      unseenImages: unseenConf.length,
      unseenUnknown: round(unseenUnknown / unseenConf.length),
      unseenConfidentlyWrong: round(1 - unseenUnknown / unseenConf.length),
      knownUnknown: round(knownUnknown / knownConf.length),
      knownAccuracy: round(knownCorrect / knownConf.length),
      auroc: round(auroc(knownConf, unseenConf)),
    };
    rows.push(row);
    process.stderr.write(`${JSON.stringify(row)}\n`);
  }
  const mean = (key: 'unseenUnknown' | 'unseenConfidentlyWrong' | 'knownUnknown' | 'knownAccuracy' | 'auroc'): number => round(rows.reduce((s, r) => s + r[key], 0) / rows.length);
  console.log(`Open set on ${data.backbone}: train on 8 labels, test on all 10 (C=${options.C}, balance auto, ${options.targetPrecision ? `thresholds for precision ${options.targetPrecision}` : 'best-F1 thresholds'} on out-of-fold predictions)`);
  console.log('| unseen labels | unseen images | unseen -> unknown | unseen -> confidently wrong | known -> unknown | known accuracy | AUROC max-confidence |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) console.log(`| ${r.unseen} | ${r.unseenImages} | ${r.unseenUnknown.toFixed(3)} | ${r.unseenConfidentlyWrong.toFixed(3)} | ${r.knownUnknown.toFixed(3)} | ${r.knownAccuracy.toFixed(3)} | ${r.auroc.toFixed(3)} |`);
  console.log(`| mean | | ${mean('unseenUnknown').toFixed(3)} | ${mean('unseenConfidentlyWrong').toFixed(3)} | ${mean('knownUnknown').toFixed(3)} | ${mean('knownAccuracy').toFixed(3)} | ${mean('auroc').toFixed(3)} |`);
  if (options.json) console.log(JSON.stringify({ backbone: data.backbone, rows, mean: { unseenUnknown: mean('unseenUnknown'), auroc: mean('auroc') } }));
}

function round(value: number, digits = 4): number {
  return Number(value.toFixed(digits));
}
