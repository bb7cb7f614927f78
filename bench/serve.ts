// `npm run bench:serve -- [--backbone ID]... [--requests N] [--models DIR] [--json]`: starts `skulens serve`
// (default backbones: mobilenet-v2-imagenet, the default, then centernet-mbv3-coco)
// as a child process on loopback in a throw-away home, imports clothing-dataset-small's validation
// photos and trains through the HTTP API, starts two versions on one backbone (to weigh a started
// version beyond the shared backbone), then drives DetectCustomLabels with real test photos at
// concurrency 1, 4 and 16 for a fixed number of requests, printing latency percentiles, requests/s
// and server RSS. A bounded loop of our own stands in for autocannon (not installed).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { KeyStore } from '../src/auth/index.js';
import { resolveHome } from '../src/home/index.js';
import { Registry } from '../src/registry/index.js';
import { spawnServer, type ServerChild } from './serve-child.js';

const SHARED = path.resolve(import.meta.dirname, '..', '..', 'shared');
const { values } = parseArgs({
  options: {
    backbone: { type: 'string', multiple: true, default: ['mobilenet-v2-imagenet', 'centernet-mbv3-coco'] },
    requests: { type: 'string', default: '200' },
    concurrency: { type: 'string', default: '1,4,16' },
    train: { type: 'string', default: path.join(SHARED, 'datasets', 'clothing-dataset-small', 'validation') },
    images: { type: 'string', default: path.join(SHARED, 'datasets', 'clothing-dataset-small', 'test') },
    // Default: the throw-away home's own models folder (the default backbone ships with skulens).
    models: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});

const log = (line: string): void => void process.stderr.write(`${line}\n`);
const REQUESTS = Number(values.requests);
const LEVELS = values.concurrency.split(',').map(Number);

interface LevelResult {
  backbone: string;
  concurrency: number;
  requests: number;
  p50: number;
  p95: number;
  p99: number;
  rps: number;
  rssMB: number;
  /** Server CPU time per request (all threads): what a request costs whatever else runs on the machine. */
  cpuMsPerRequest: number;
  errors: number;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Base64 JPEGs from a folder per label, as request payloads. */
function payloads(dir: string, count: number): string[] {
  const files = fs.readdirSync(dir).flatMap((label) => fs.readdirSync(path.join(dir, label)).map((f) => path.join(dir, label, f)));
  return files.sort().slice(0, count).map((file) => fs.readFileSync(file).toString('base64'));
}

async function drive(server: ServerChild, arn: string, images: readonly string[], concurrency: number, requests: number): Promise<Omit<LevelResult, 'backbone'>> {
  const latencies: number[] = [];
  let next = 0;
  let errors = 0;
  let peak = server.rssMB();
  const sampler = setInterval(() => (peak = Math.max(peak, server.rssMB())), 100);
  const started = performance.now();
  const cpuBefore = server.cpuSeconds();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < requests) {
        const i = next++;
        const t0 = performance.now();
        const answer = await server.call('DetectCustomLabels', { ProjectVersionArn: arn, Image: { Bytes: images[i % images.length] } });
        latencies.push(performance.now() - t0);
        if (answer.status !== 200) errors += 1;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpuMsPerRequest = ((server.cpuSeconds() - cpuBefore) * 1000) / requests;
  clearInterval(sampler);
  latencies.sort((a, b) => a - b);
  const round = (x: number): number => Math.round(x * 10) / 10;
  return { concurrency, requests, p50: round(percentile(latencies, 50)), p95: round(percentile(latencies, 95)), p99: round(percentile(latencies, 99)), rps: round(requests / seconds), rssMB: Math.round(peak), cpuMsPerRequest: round(cpuMsPerRequest), errors };
}

async function benchBackbone(backbone: string, images: readonly string[]): Promise<{ levels: LevelResult[]; memory: Record<string, number> }> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'skulens-bench-serve-'));
  const env = values.models ? { ...process.env, SKULENS_MODELS: path.resolve(values.models) } : { ...process.env };
  const home = resolveHome(root, env);
  const registry = Registry.open(home.database);
  const key = new KeyStore(registry, home).create('bench');
  registry.close();
  const server = await spawnServer(root, env, key);
  try {
    await server.call('CreateProject', { ProjectName: 'bench' });
    await server.call('CreateDataset', { ProjectArn: 'bench', DatasetType: 'TRAIN', DatasetSource: { Uri: values.train } });
    await server.waitFor(async () => (await server.call('DescribeDataset', { DatasetArn: `${await server.projectArn('bench')}`.replace(/\/(\d+)$/, '/dataset/train/$1') })).body.DatasetDescription.Status === 'CREATE_COMPLETE', 'the import');
    const arns: string[] = [];
    for (const seed of [1, 2]) {
      const t0 = performance.now();
      const created = await server.call('CreateProjectVersion', { ProjectArn: 'bench', Backbone: backbone, Seed: seed });
      arns.push(created.body.ProjectVersionArn);
      await server.waitFor(async () => (await server.versionStatus(created.body.ProjectVersionArn)) === 'TRAINING_COMPLETED', 'training', 20 * 60_000);
      log(`${backbone}: trained ${created.body.ProjectVersionArn} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
    const memory: Record<string, number> = { idleMB: server.rssMB() };
    const warm = async (arn: string): Promise<void> => {
      for (let i = 0; i < 10; i += 1) await server.call('DetectCustomLabels', { ProjectVersionArn: arn, Image: { Bytes: images[i % images.length] } });
    };
    for (const [index, arn] of arns.entries()) {
      await server.call('StartProjectVersion', { ProjectVersionArn: arn, MinInferenceUnits: 1 });
      await server.waitFor(async () => (await server.versionStatus(arn)) === 'RUNNING', 'start', 5 * 60_000);
      await warm(arn);
      await new Promise((resolve) => setTimeout(resolve, 500));
      memory[index === 0 ? 'firstVersionMB' : 'secondVersionMB'] = server.rssMB();
    }
    memory.backboneMB = memory.firstVersionMB! - memory.idleMB!;
    memory.versionBeyondBackboneMB = memory.secondVersionMB! - memory.firstVersionMB!;
    await server.call('StopProjectVersion', { ProjectVersionArn: arns[1] });
    const levels: LevelResult[] = [];
    for (const concurrency of LEVELS) {
      const result = await drive(server, arns[0]!, images, concurrency, REQUESTS);
      log(`${backbone} c=${concurrency}: p50 ${result.p50} ms, p95 ${result.p95} ms, p99 ${result.p99} ms, ${result.rps} req/s, RSS ${result.rssMB} MB, server CPU ${result.cpuMsPerRequest} ms/request${result.errors ? `, ${result.errors} errors` : ''}`);
      levels.push({ backbone, ...result });
    }
    return { levels, memory };
  } finally {
    await server.stop();
    fs.rmSync(root, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const images = payloads(values.images, 64);
  log(`load: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')} (1/5/15 min) on ${os.availableParallelism()} cores`);
  const all: LevelResult[] = [];
  const memory: Record<string, Record<string, number>> = {};
  for (const backbone of values.backbone) {
    const result = await benchBackbone(backbone, images);
    all.push(...result.levels);
    memory[backbone] = result.memory;
  }
  const lines = [
    '| backbone | concurrency | requests | p50 ms | p95 ms | p99 ms | req/s | server RSS MB | server CPU ms/request |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...all.map((r) => `| \`${r.backbone}\` | ${r.concurrency} | ${r.requests} | ${r.p50} | ${r.p95} | ${r.p99} | ${r.rps} | ${r.rssMB} | ${r.cpuMsPerRequest} |`),
    '',
    '| backbone | idle server RSS MB | + first started version (backbone + head) MB | + second version on the same backbone MB |',
    '|---|---:|---:|---:|',
    ...Object.entries(memory).map(([b, m]) => `| \`${b}\` | ${m.idleMB} | ${m.backboneMB} | ${m.versionBeyondBackboneMB} |`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  log(`load after: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  if (values.json) process.stdout.write(`${JSON.stringify({ levels: all, memory, load: os.loadavg() })}\n`);
}

await main();
