// `npm run bench:growth -- [--sections clusters,entries,heads,batch] [--sizes 10000,50000,250000]
// [--batch-images 100000] [--pairwise-max 50000] [--json]`: how costs grow towards Rekognition's
// limits (250,000 images, 250 labels), each size in its own child process so peak RSS is that size's.
// - clusters: synthetic dHashes (40% random, 50% near-twins of earlier ones, 10% exact copies); the
//   multi-index near-duplicate clustering vs the former pairwise method (pairwise above --pairwise-max
//   is estimated as n^2 from the largest size measured, and marked so).
// - entries: a registry with n entries over 250 labels: import bookkeeping (insert, auto split,
//   counts), the dataset check, and ListDatasetEntries pages (first/last offset page, last keyset page).
// - heads: synthetic 1280-d embeddings, 250 labels with a Zipf-like spread of class sizes (largest
//   class ~40x the smallest), near-duplicate groups of 3: the whole default head pipeline (grouped-CV
//   tuning of logistic and MLP, final fit on every image, thresholds); peak RSS of the process.
// - batch: RSS at start, end and peak of a batch over synthetic 8x8 PNGs with a tiny ONNX backbone.
// Prints a table (size, seconds, peak MB) and the growth exponent (slope of log seconds on log size).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { runBatch } from '../src/batch/index.js';
import { checkDataset, distributeAutoSplit } from '../src/dataset/index.js';
import { nearDuplicateClusters, nearDuplicateClustersPairwise } from '../src/dataset/clusters.js';
import { Predictor } from '../src/predict/index.js';
import { Registry, type NewEntry } from '../src/registry/index.js';
import { fitHeadPipeline } from '../src/jobs/index.js';
import { mulberry32, normalSample, type TuningSet } from '../src/train/index.js';
import { trainedHome } from '../test/batch/fixtures.js';

const { values } = parseArgs({
  options: {
    sections: { type: 'string', default: 'clusters,entries,heads,batch' },
    sizes: { type: 'string', default: '10000,50000,250000' },
    'batch-images': { type: 'string', default: '100000' },
    'pairwise-max': { type: 'string', default: '50000' },
    // The health check's train/test leakage test compares every test image with every training image
    // (src/dataset/check.ts), hours at 250k: measured up to this size only.
    'check-max': { type: 'string', default: '10000' },
    child: { type: 'string' },
    size: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});
const LABELS = 250;
const DIM = 1280;
const log = (line: string): void => void process.stderr.write(`${line}\n`);
const seconds = (start: number): number => (performance.now() - start) / 1000;
const peakMB = (): number => process.resourceUsage().maxRSS / 1024;
type Measure = Record<string, number | string | boolean>;

const hex = (hi: number, lo: number): string => (hi >>> 0).toString(16).padStart(8, '0') + (lo >>> 0).toString(16).padStart(8, '0');
function hashes(n: number, seed: number): string[] {
  const random = mulberry32(seed);
  const word = (): number => Math.floor(random() * 2 ** 32);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const kind = random();
    if (i === 0 || kind < 0.4) out.push(hex(word(), word()));
    else if (kind < 0.9) {
      const base = out[Math.floor(random() * out.length)]!;
      let lo = Number.parseInt(base.slice(8), 16);
      for (let f = 1 + Math.floor(random() * 6); f > 0; f--) lo ^= 1 << Math.floor(random() * 32);
      out.push(hex(Number.parseInt(base.slice(0, 8), 16), lo));
    } else out.push(out[Math.floor(random() * out.length)]!);
  }
  return out;
}

/** Label of image i: a Zipf-like spread (size of class c ~ 1/(c+1)^0.75), every class at least 10 images. */
function labelsFor(n: number): Int32Array {
  const weights = Array.from({ length: LABELS }, (_, c) => 1 / (c + 1) ** 0.75);
  const total = weights.reduce((a, b) => a + b, 0);
  const counts = weights.map((w) => Math.max(10, Math.floor((w / total) * n)));
  const y = new Int32Array(n);
  let i = 0;
  for (let c = 0; c < LABELS && i < n; c++) for (let k = 0; k < counts[c]! && i < n; k++) y[i++] = c;
  while (i < n) y[i++] = i % LABELS;
  return y;
}

async function clusters(n: number): Promise<Measure> {
  const list = hashes(n, 7);
  let start = performance.now();
  const fast = nearDuplicateClusters(list);
  const indexSeconds = seconds(start);
  const result: Measure = { indexSeconds, clusters: new Set(fast).size };
  if (n <= Number(values['pairwise-max'])) {
    start = performance.now();
    const slow = nearDuplicateClustersPairwise(list);
    result.pairwiseSeconds = seconds(start);
    result.same = slow.every((v, i) => v === fast[i]);
  }
  return result;
}

async function entries(n: number): Promise<Measure> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skulens-growth-'));
  try {
    const registry = Registry.open(path.join(dir, 'skulens.db'));
    const project = registry.projects.create('big');
    const y = labelsFor(n);
    const dh = hashes(n, 3);
    let start = performance.now();
    for (let from = 0; from < n; from += 10_000) {
      const batch: NewEntry[] = [];
      for (let i = from; i < Math.min(n, from + 10_000); i++) {
        const sha256 = ((i * 2654435761) >>> 0).toString(16).padStart(8, '0') + i.toString(16).padStart(56, '0');
        batch.push({ sha256, blob: `blobs/${sha256.slice(0, 2)}/${sha256}.jpg`, source: `/photos/${i}.jpg`, label: `label-${String(y[i]).padStart(3, '0')}`, split: 'train', splitOrigin: 'auto', format: 'jpeg', width: 640, height: 480, bytes: 50_000, dhash: dh[i]!, metadata: null });
      }
      registry.entries.add(project.id, batch);
    }
    const insertSeconds = seconds(start);
    start = performance.now();
    distributeAutoSplit(registry, project.id);
    const splitSeconds = seconds(start);
    start = performance.now();
    registry.entries.counts(project.id);
    const countsSeconds = seconds(start);
    start = performance.now();
    const health = n <= Number(values['check-max']) ? checkDataset(registry, 'big') : undefined;
    const checkSeconds = health ? seconds(start) : 'not run (above --check-max)';
    const timed = (run: () => unknown): number => {
      const t = performance.now();
      run();
      return (performance.now() - t) / 1000;
    };
    const firstPage = timed(() => registry.entries.page(project.id, { split: 'train', offset: 0, limit: 101 }));
    const trainCount = registry.entries.counts(project.id).filter((r) => r.split === 'train').reduce((a, r) => a + r.count, 0);
    const lastPage = timed(() => registry.entries.page(project.id, { split: 'train', offset: trainCount - 100, limit: 101 }));
    const tail = registry.entries.page(project.id, { split: 'train', offset: trainCount - 101, limit: 1 })[0]!;
    const lastKeyset = timed(() => registry.entries.pageAfter(project.id, { split: 'train', after: { label: tail.label, sha256: tail.sha256 }, limit: 101 }));
    registry.close();
    return { insertSeconds, splitSeconds, countsSeconds, checkSeconds, firstPageMs: firstPage * 1000, lastOffsetPageMs: lastPage * 1000, lastKeysetPageMs: lastKeyset * 1000, nearDuplicateClusters: health?.trainClusters.clusters ?? '-' };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function heads(n: number): Promise<Measure> {
  const random = mulberry32(11);
  const means = Array.from({ length: LABELS }, () => Float32Array.from({ length: DIM }, () => normalSample(random)));
  const y = labelsFor(n);
  let start = performance.now();
  const X: Float32Array[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const row = new Float32Array(DIM);
    const mean = means[y[i]!]!;
    let norm = 0;
    for (let d = 0; d < DIM; d++) norm += (row[d] = mean[d]! * 0.3 + normalSample(random)) ** 2;
    for (let d = 0; d < DIM; d++) row[d]! /= Math.sqrt(norm);
    X[i] = row;
  }
  const generateSeconds = seconds(start);
  // The default training pipeline, as trainVersion runs it: grouped-CV tuning of the logistic head
  // and the MLP (the default two trials), the final fit of the winner on every image, thresholds.
  const groups = Int32Array.from({ length: n }, (_, i) => Math.floor(i / 3));
  const set: TuningSet = { views: X.map((row) => [row]), y, groups, splits: X.map(() => 'train'), numClasses: LABELS };
  const phases: Record<string, number> = {};
  let phaseStart = performance.now();
  start = performance.now();
  const cpuStart = process.cpuUsage();
  const result = fitHeadPipeline(set, { seed: 1, C: 'auto', balance: 'auto', tune: true, budgetSeconds: 3600 }, {
    onTried: (line) => {
      log(`  tried ${line} (${seconds(phaseStart).toFixed(1)} s)`);
      phaseStart = performance.now();
    },
    // The final fit reports each epoch: the tuning ended one (average) epoch before the first report.
    onFit: (step, total) => {
      if (step === 1) phases.firstEpochAt = seconds(start);
      if (step === total) {
        const epoch = total > 1 ? (seconds(start) - phases.firstEpochAt!) / (total - 1) : 0;
        phases.tuneSeconds = phases.firstEpochAt! - epoch;
        phases.finalFitSeconds = seconds(start) - phases.tuneSeconds;
        delete phases.firstEpochAt;
      }
    },
  });
  const pipelineSeconds = seconds(start);
  const cpu = process.cpuUsage(cpuStart);
  return {
    generateSeconds,
    pipelineSeconds,
    // CPU seconds of every thread (onnxruntime's too): the cost when the machine is shared.
    pipelineCpuSeconds: (cpu.user + cpu.system) / 1e6,
    ...phases,
    solver: result.tuning.solver,
    tunedOn: result.tuning.subsample?.images ?? n,
    winner: `${result.tuning.winner.kind} C=${result.tuning.winner.C} ${result.tuning.winner.balance}`,
    cvAccuracy: Math.max(...result.tuning.tried.map((t) => t.accuracy)),
  };
}

async function batch(n: number): Promise<Measure> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skulens-growth-batch-'));
  try {
    const photos = path.join(dir, 'photos');
    const random = mulberry32(5);
    const tile = await Promise.all(Array.from({ length: 64 }, () => sharp({ create: { width: 8, height: 8, channels: 3, background: { r: Math.floor(random() * 255), g: 40, b: 90 } } }).png().toBuffer()));
    for (let i = 0; i < n; i++) {
      const folder = path.join(photos, String(Math.floor(i / 1000)).padStart(3, '0'));
      if (i % 1000 === 0) fs.mkdirSync(folder, { recursive: true });
      fs.writeFileSync(path.join(folder, `${i}.png`), tile[i % 64]!);
    }
    const { home, registry, ref } = await trainedHome(path.join(dir, 'home'));
    const predictor = await Predictor.load(registry, home, registry.versions.resolve(ref), { workers: 1 });
    const rssStart = process.memoryUsage().rss / 1e6;
    let rssMax = rssStart;
    const start = performance.now();
    const result = await runBatch(predictor, {
      source: photos,
      output: path.join(dir, 'out.jsonl'),
      onProgress: (p) => {
        if (p.processed % 5000 === 0) rssMax = Math.max(rssMax, process.memoryUsage().rss / 1e6);
      },
    });
    const batchSeconds = seconds(start);
    const rssEnd = process.memoryUsage().rss / 1e6;
    await predictor.close();
    registry.close();
    return { images: result.processed, batchSeconds, rssStartMB: rssStart, rssEndMB: rssEnd, rssMaxSampledMB: rssMax };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const SECTIONS: Record<string, (n: number) => Promise<Measure>> = { clusters, entries, heads, batch };

if (values.child) {
  const n = Number(values.size);
  const measure = await SECTIONS[values.child]!(n);
  console.log(JSON.stringify({ section: values.child, size: n, ...measure, peakMB: peakMB(), load: os.loadavg()[0]!.toFixed(1) }));
} else {
  const rows: Record<string, unknown>[] = [];
  for (const section of values.sections.split(',')) {
    const sizes = section === 'batch' ? [Number(values['batch-images'])] : values.sizes.split(',').map(Number);
    for (const size of sizes) {
      log(`${section} at ${size} (load ${os.loadavg().map((v) => v.toFixed(1)).join(' ')})...`);
      const out = execFileSync(process.execPath, ['--max-old-space-size=8192', '--import', 'tsx', import.meta.filename, '--child', section, '--size', String(size), '--pairwise-max', values['pairwise-max'], '--check-max', values['check-max']], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 20 });
      rows.push(JSON.parse(out.trim().split('\n').at(-1)!));
      log(`  ${JSON.stringify(rows.at(-1))}`);
    }
  }
  // Growth exponent of each timed column: least-squares slope of log(seconds) on log(size).
  const exponent = (section: string, key: string): string => {
    const points = rows.filter((r) => r.section === section && typeof r[key] === 'number' && (r[key] as number) > 0).map((r) => [Math.log(r.size as number), Math.log(r[key] as number)] as const);
    if (points.length < 2) return '-';
    const mx = points.reduce((a, p) => a + p[0], 0) / points.length;
    const my = points.reduce((a, p) => a + p[1], 0) / points.length;
    const slope = points.reduce((a, p) => a + (p[0] - mx) * (p[1] - my), 0) / points.reduce((a, p) => a + (p[0] - mx) ** 2, 0);
    return slope.toFixed(2);
  };
  if (values.json) console.log(JSON.stringify(rows));
  else {
    console.log('| section | size | measure | seconds | peak MB | load |\n|---|---|---|---|---|---|');
    for (const row of rows) {
      for (const [key, value] of Object.entries(row)) {
        if (['section', 'size', 'peakMB', 'load'].includes(key)) continue;
        console.log(`| ${row.section} | ${row.size} | ${key} | ${typeof value === 'number' ? Number(value.toPrecision(4)) : value} | ${(row.peakMB as number).toFixed(0)} | ${row.load} |`);
      }
    }
    console.log('\n| section | measure | growth exponent (log seconds / log size) |\n|---|---|---|');
    for (const [section, keys] of Object.entries({ clusters: ['indexSeconds', 'pairwiseSeconds'], entries: ['insertSeconds', 'splitSeconds', 'checkSeconds', 'lastOffsetPageMs', 'lastKeysetPageMs'], heads: ['pipelineSeconds', 'pipelineCpuSeconds', 'tuneSeconds', 'finalFitSeconds', 'peakMB'] })) {
      for (const key of keys) console.log(`| ${section} | ${key} | ${exponent(section, key)} |`);
    }
  }
}
