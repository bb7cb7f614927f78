// `npm run bench -- --taxonomy FILE --label-column C --levels A,B [--mode fast|frozen|fine-tune] ...`:
// runs the chosen benchmark (its own flags pass through) in a kept home, then scores every test photo
// with the version it trained and reports accuracy at each level of the taxonomy and the fallback
// trade-off (how often the answer stops at a parent, and how often that parent is right). The JSON line
// keeps the mode's fields (`accuracy` is the fine level) and adds `levels` (keyed by the CSV's column
// names) and `fallback`. Any single-label version works: a parent's confidence is the sum of its children's.
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { evaluateHierarchy, type FallbackPoint, type ScoredImage } from '../src/evaluate/index.js';
import { resolveHome } from '../src/home/index.js';
import { parseTaxonomyCsv } from '../src/labels/index.js';
import { Predictor, walkImages } from '../src/predict/index.js';
import { Registry } from '../src/registry/index.js';

const SHARED = path.resolve(import.meta.dirname, '..', '..', 'shared');
const log = (line: string): void => void process.stderr.write(`${line}\n`);

/** Removes `--name value` (or `--name=value`) from `args`; returns the value. */
function take(args: string[], name: string): string | undefined {
  const at = args.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (at < 0) return undefined;
  const [flag] = args.splice(at, 1);
  return flag!.includes('=') ? flag!.slice(flag!.indexOf('=') + 1) : args.splice(at, 1)[0];
}

const round = (x: number, digits = 4): number => Number(x.toFixed(digits));
const point = (p: FallbackPoint) => ({
  labelCoverage: round(p.labelCoverage),
  labelPrecision: round(p.labelPrecision),
  parentCoverage: round(p.parentCoverage),
  parentPrecision: round(p.parentPrecision),
  unknown: round(p.unknown),
});

/** Runs the hierarchy benchmark with the process's arguments. */
export async function runHierarchyBench(argv: string[]): Promise<void> {
  const args = [...argv];
  const file = path.resolve(take(args, 'taxonomy')!);
  const labelColumn = take(args, 'label-column') ?? 'label';
  const levels = (take(args, 'levels') ?? '').split(',').map((l) => l.trim()).filter(Boolean);
  const json = args.includes('--json');
  const givenHome = take(args, 'home');
  const root = givenHome ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'skulens-bench-tax-')));
  const testDir = take([...args], 'test') ?? path.join(SHARED, 'datasets', 'clothing-dataset-small', 'test');
  const taxonomy = parseTaxonomyCsv(await fs.readFile(file, 'utf8'), file, { labelColumn, levels });
  try {
    // The mode's own benchmark, unchanged, in a home we keep long enough to score its version.
    const stdout = await runChild([...args.filter((a) => a !== '--json'), '--json', '--home', root]);
    const base = JSON.parse(stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop() ?? '{}') as Record<string, unknown>;
    const home = resolveHome(root, { ...process.env, SKULENS_MODELS: take([...args], 'models') ?? process.env.SKULENS_MODELS });
    const registry = Registry.open(home.database);
    try {
      const project = registry.getProject('bench');
      // The mode's own version is the first trained; the fine-tune bench trains a frozen one after it to compare.
      const version = registry.listVersions(project.id).find((v) => v.status === 'TRAINING_COMPLETED')!;
      const predictor = await Predictor.load(registry, home, { project: 'bench', name: version.name });
      const labels = predictor.manifest.labels;
      const scored: ScoredImage[] = [];
      try {
        for await (const image of walkImages(testDir)) {
          const truth = labels.indexOf(path.basename(path.dirname(image)));
          if (truth >= 0) scored.push({ image, truth, probs: await predictor.probabilities({ path: image }) });
        }
      } finally {
        await predictor.close();
      }
      const report = evaluateHierarchy(labels, scored, predictor.manifest.thresholds, taxonomy);
      const summary = {
        ...base,
        levels: Object.fromEntries(report.levels.map((l) => [l.level, round(l.accuracy)])),
        fallback: {
          own: point(report.fallback.own),
          ...Object.fromEntries(report.fallback.targets.map((t) => [`p${Math.round(t.targetPrecision! * 100)}`, point(t)])),
          calibratedOn: report.fallback.calibratedOn,
        },
      };
      const rows: [string, string][] = [
        ...report.levels.map((l): [string, string] => [`accuracy at ${l.level} (${l.nodes} nodes, ${l.images} images)`, l.accuracy.toFixed(3)]),
        ...[report.fallback.own, ...report.fallback.targets].map((p): [string, string] => [
          `fallback at ${p.targetPrecision === null ? "the version's thresholds" : `${p.targetPrecision * 100}% precision`}`,
          `label ${(p.labelCoverage * 100).toFixed(1)}% (precision ${p.labelPrecision.toFixed(3)}), parent ${(p.parentCoverage * 100).toFixed(1)}% (precision ${p.parentPrecision.toFixed(3)}), unknown ${(p.unknown * 100).toFixed(1)}%`,
        ]),
      ];
      const width = Math.max(...rows.map(([k]) => k.length));
      console.log(rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n'));
      if (json) console.log(JSON.stringify(summary));
    } finally {
      registry.close();
    }
  } finally {
    if (!givenHome) await fs.rm(root, { recursive: true, force: true });
  }
}

function runChild(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'bench.ts'), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      process.stderr.write(chunk);
    });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`the benchmark exited with ${code}`))));
  });
}
