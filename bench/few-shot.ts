// `npm run bench -- --few-shot`: for each held-out label, train on the other labels, then add it from
// 1, 5 and 10 of its training photos (nearest class mean, as `skulens labels add`), and score the
// extended head on the whole test split: overall accuracy and the new label's recall and precision.
import type { HomeLayout } from '../src/home/index.js';
import { extendWithShots, fitHeadPipeline, type PipelineParams } from '../src/jobs/index.js';
import type { Registry } from '../src/registry/index.js';
import { headProbabilities, mulberry32, shuffleInPlace } from '../src/train/index.js';
import { loadBenchData, tuningSetOf } from './embeddings.js';

const SHOTS = Object.freeze([1, 5, 10]);

export async function runFewShot(
  registry: Registry,
  home: HomeLayout,
  options: { train: string; test: string; backbone?: string; seed: number; C: number; draws: number; labels?: string; workers?: number; json: boolean },
): Promise<void> {
  const data = await loadBenchData(registry, home, options, options.backbone, options.seed, [], false, options.workers);
  const params: PipelineParams = { seed: options.seed, C: options.C, balance: 'auto', tune: false, budgetSeconds: 60 };
  const heldOut = options.labels ? options.labels.split(',') : data.labels;
  const results: { label: string; shots: number; accuracy: number; recall: number; precision: number; baseAccuracy: number }[] = [];
  for (const label of heldOut) {
    const known = data.labels.filter((l) => l !== label);
    const labels = [...known, label];
    const index = new Map(labels.map((l, k) => [l, k]));
    const { set, entries } = tuningSetOf(data, known);
    const base = fitHeadPipeline(set, params);
    const baseTest = data.test.filter((e) => e.label !== label);
    let baseCorrect = 0;
    for (const e of baseTest) {
      const p = headProbabilities(base.head, data.vectors.get(e.sha256)!);
      if (p.indexOf(Math.max(...p)) === index.get(e.label)) baseCorrect++;
    }
    const calibrationSet = shuffleInPlace(entries.map((e, i) => ({ x: set.views[i]![0]!, label: set.y[i]! })), mulberry32(options.seed)).slice(0, 1000);
    const pool = data.train.filter((e) => e.label === label);
    for (const n of SHOTS) {
      for (let draw = 0; draw < options.draws; draw++) {
        const shots = shuffleInPlace([...pool], mulberry32(options.seed * 1000 + draw)).slice(0, n).map((e) => data.vectors.get(e.sha256)!);
        const extended = extendWithShots(base.head, base.thresholds, calibrationSet, [shots]);
        let correct = 0;
        let tp = 0;
        let predicted = 0;
        let actual = 0;
        for (const e of data.test) {
          const p = headProbabilities(extended.head, data.vectors.get(e.sha256)!);
          const guess = p.indexOf(Math.max(...p));
          const truth = index.get(e.label)!;
          if (guess === truth) correct++;
          if (guess === labels.length - 1) predicted++;
          if (truth === labels.length - 1) (actual++, guess === truth && tp++);
        }
        results.push({ label, shots: n, accuracy: correct / data.test.length, recall: tp / actual, precision: predicted ? tp / predicted : 0, baseAccuracy: baseCorrect / baseTest.length });
      }
    }
    process.stderr.write(`few-shot ${label}: ${JSON.stringify(results.filter((r) => r.label === label).map((r) => [r.shots, r.accuracy.toFixed(3), r.recall.toFixed(3)]))}\n`);
  }
  const mean = (n: number, key: 'accuracy' | 'recall' | 'precision' | 'baseAccuracy'): number => {
    const rows = results.filter((r) => r.shots === n);
    return rows.reduce((s, r) => s + r[key], 0) / rows.length;
  };
  const full = round(mean(SHOTS[0]!, 'baseAccuracy'));
  console.log(`Few-shot on ${data.backbone}: each of ${heldOut.length} labels held out, added from n photos (${options.draws} seeded draws each); scored on all ${data.test.length} test images`);
  console.log(`Base heads (without the label) on the other labels' test images: accuracy ${full.toFixed(3)}`);
  console.log('| photos of the new label | overall test accuracy | new label recall | new label precision |');
  console.log('|---:|---:|---:|---:|');
  for (const n of SHOTS) console.log(`| ${n} | ${mean(n, 'accuracy').toFixed(3)} | ${mean(n, 'recall').toFixed(3)} | ${mean(n, 'precision').toFixed(3)} |`);
  if (options.json) console.log(JSON.stringify({ backbone: data.backbone, shots: SHOTS.map((n) => ({ n, accuracy: round(mean(n, 'accuracy')), recall: round(mean(n, 'recall')), precision: round(mean(n, 'precision')) })) }));
}

function round(value: number, digits = 4): number {
  return Number(value.toFixed(digits));
}
