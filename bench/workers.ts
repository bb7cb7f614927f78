// `npm run bench:workers -- [--images N] [--workers 1,2,4] [--chunk-size N] [--json]`: starts Debian's
// redis-server on a free loopback port, then for each count 1, 2 and 4 starts that many `skulens worker`
// processes (one embedding thread each) and runs one batch over clothing-dataset-small's photos with
// the default backbone through `runBatchOnQueue`, printing images/s. Each count gets a fresh Redis (no
// result cache carried over) and a warm-up batch on other photos first (model loads excluded). For
// reference it also runs the same batch in one process (runBatch, 1 and 2 embedding threads). The
// version is the default backbone with a random 10-label logistic head: throughput is the backbone's.
// Beside images/s it prints CPU ms per image (of the workers, or of the one process): on a shared
// machine wall seconds depend on the other sessions, CPU per image much less.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runBatch, runBatchOnQueue } from '../src/batch/index.js';
import { DEFAULT_BACKBONE_ID, getBackbone } from '../src/backbone/index.js';
import { resolveHome, type HomeLayout } from '../src/home/index.js';
import { Predictor } from '../src/predict/index.js';
import { JobQueue } from '../src/queue/index.js';
import { Registry, versionArn, writeVersionArtefacts, type ModelManifest } from '../src/registry/index.js';
import { encodeHead, mulberry32, normalSample } from '../src/train/index.js';

const SHARED = path.resolve(import.meta.dirname, '..', '..', 'shared', 'datasets', 'clothing-dataset-small');
const REPO = path.resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    images: { type: 'string', default: '600' },
    workers: { type: 'string', default: '1,2,4' },
    'chunk-size': { type: 'string', default: '16' },
    redis: { type: 'string', default: '/usr/bin/redis-server' },
    json: { type: 'boolean', default: false },
  },
});
const log = (line: string): void => void process.stderr.write(`${line}\n`);
const load = (): string => os.loadavg().map((v) => v.toFixed(2)).join(' ');

/** A folder holding copies of the first `count` photos (sorted) of a folder per label. */
function photoSet(from: string, count: number, to: string): string {
  const files = fs.readdirSync(from).flatMap((label) => fs.readdirSync(path.join(from, label)).map((f) => path.join(from, label, f))).sort().slice(0, count);
  fs.mkdirSync(to, { recursive: true });
  // Copies (in a temp folder): the batch walker does not follow symlinks.
  for (const file of files) fs.copyFileSync(file, path.join(to, `${path.basename(path.dirname(file))}-${path.basename(file)}`));
  return to;
}

/** A version of the default backbone with a seeded random logistic head (10 labels). */
async function version(home: HomeLayout): Promise<string> {
  const spec = getBackbone(DEFAULT_BACKBONE_ID, home.models);
  const registry = Registry.open(home.database);
  const project = registry.projects.create('bench');
  const created = registry.versions.create(project.id, { backbone: spec.id, params: {}, seed: 1 });
  const random = mulberry32(7);
  const labels = Array.from({ length: 10 }, (_, i) => `label-${i}`);
  const head = encodeHead({ kind: 'logistic', dim: spec.dim, numClasses: 10, weights: Float32Array.from({ length: 10 * spec.dim }, () => normalSample(random)), bias: new Float32Array(10) });
  const manifest: ModelManifest = {
    format: 'skulens-model/1', project: 'bench', version: created.name, backbone: { id: spec.id, dim: spec.dim }, labels, thresholds: labels.map(() => 0.5),
    head: { file: 'head.bin', kind: 'logistic', sha256: createHash('sha256').update(head).digest('hex') }, params: {}, seed: 1, images: { train: 0, test: 0 }, createdAt: new Date().toISOString(),
  };
  const dir = await writeVersionArtefacts(home, { manifest, head, evaluationSummary: {}, report: {}, snapshot: [] });
  const arn = versionArn(registry.versions.complete(created.id, { dir, metrics: {} }));
  registry.close();
  return arn;
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function waitFor(child: ChildProcess, stream: 'stdout' | 'stderr', text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    child[stream]!.setEncoding('utf8').on('data', (chunk: string) => {
      seen += chunk;
      if (seen.includes(text)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`exited (${code}) before "${text}": ${seen}`)));
  });
}

async function redisServer(): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(values.redis, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
  await waitFor(child, 'stdout', 'Ready to accept connections');
  return { url: `redis://127.0.0.1:${port}`, child };
}

interface Row { mode: string; processes: number; images: number; seconds: number; imagesPerSecond: number; cpuMsPerImage?: number; load: string }

/**
 * CPU seconds (user + system) a process has used, from /proc (Linux; clock ticks of 1/100 s): on a
 * shared machine, CPU per image says what wall seconds cannot (how much the workers themselves cost).
 */
function cpuSecondsOf(pid: number | undefined): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'skulens-bench-workers-'));
try {
  const home = resolveHome(path.join(root, 'home'), {});
  const arn = await version(home);
  const count = Number(values.images);
  const photos = photoSet(path.join(SHARED, 'train'), count, path.join(root, 'photos'));
  const warm = photoSet(path.join(SHARED, 'test'), 48, path.join(root, 'warm'));
  const chunkSize = Number(values['chunk-size']);
  const rows: Row[] = [];
  log(`load before: ${load()} (${os.availableParallelism()} cores, shared with other sessions)`);
  for (const threads of [1, 2]) {
    const registry = Registry.open(home.database);
    const predictor = await Predictor.load(registry, home, registry.versions.resolve(arn), { workers: threads });
    await runBatch(predictor, { source: warm, output: path.join(root, `warm-local-${threads}.jsonl`) });
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    const result = await runBatch(predictor, { source: photos, output: path.join(root, `local-${threads}.jsonl`) });
    const seconds = (performance.now() - start) / 1000;
    const cpu = process.cpuUsage(cpuStart);
    const cpuMsPerImage = (cpu.user + cpu.system) / 1000 / result.processed;
    rows.push({ mode: `in process, ${threads} thread(s)`, processes: 1, images: result.processed, seconds, imagesPerSecond: result.processed / seconds, cpuMsPerImage, load: load() });
    log(JSON.stringify(rows.at(-1)));
    await predictor.close();
    registry.close();
  }
  for (const n of values.workers.split(',').map(Number)) {
    const redis = await redisServer();
    const workers = Array.from({ length: n }, () =>
      spawn(process.execPath, ['--import', 'tsx', path.join(REPO, 'src/cli/main.ts'), '--home', home.root, 'worker', '--redis', redis.url, '--workers', '1'], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] }),
    );
    try {
      await Promise.all(workers.map((child) => waitFor(child, 'stdout', 'worker ready')));
      const queue = await JobQueue.open(redis.url);
      // Warm-up: every worker loads the model on its first chunk.
      await runBatchOnQueue(queue, { version: arn, source: warm, output: path.join(root, `warm-${n}.jsonl`), chunkSize: Math.max(1, Math.floor(48 / n / 2)) });
      const start = performance.now();
      const workerCpu = (): number => workers.reduce((sum, child) => sum + cpuSecondsOf(child.pid), 0);
      const cpuStart = workerCpu();
      const result = await runBatchOnQueue(queue, { version: arn, source: photos, output: path.join(root, `queue-${n}.jsonl`), chunkSize });
      const seconds = (performance.now() - start) / 1000;
      const cpuMsPerImage = ((workerCpu() - cpuStart) * 1000) / result.processed;
      rows.push({ mode: `redis, ${n} worker process(es)`, processes: n, images: result.processed, seconds, imagesPerSecond: result.processed / seconds, cpuMsPerImage, load: load() });
      log(JSON.stringify(rows.at(-1)));
      await queue.close();
    } finally {
      for (const child of workers) child.kill('SIGTERM');
      await Promise.all(workers.map((child) => new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)))));
      redis.child.kill('SIGKILL');
    }
  }
  if (values.json) console.log(JSON.stringify({ backbone: DEFAULT_BACKBONE_ID, chunkSize, rows }));
  else {
    console.log(`| mode | images | seconds | images/s | CPU ms/image (workers) | load after |\n|---|---|---|---|---|---|`);
    for (const row of rows) console.log(`| ${row.mode} | ${row.images} | ${row.seconds.toFixed(1)} | ${row.imagesPerSecond.toFixed(1)} | ${row.cpuMsPerImage?.toFixed(1) ?? '-'} | ${row.load} |`);
  }
} finally {
  fs.rmSync(root, { recursive: true, force: true });
}
