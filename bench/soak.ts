// `npm run bench:soak -- [--mode soak|training|upload-bomb] [--seconds 300] [--concurrency 16] [--backbone ID (default: the shipped default)] [--json]`
// starts `skulens serve` as a child on loopback in a throw-away home whose import root is
// clothing-dataset-small, imports its validation photos and trains a version through the HTTP API, then:
//  - soak (default): DetectCustomLabels at the given concurrency for the given time with test photos;
//    reports requests, errors, p50/p95/max and the server's RSS after warm-up and at the end;
//  - training: detect latency before, and while a second CreateProjectVersion (on the test photos,
//    not cached) trains: p50/p95/max of each, to show that serving does not wait for training;
//  - upload-bomb (bench/upload-bomb.ts): /health and detect latency alone, with a 60,000-entry upload in
//    flight, with three 1 GB zip bombs in flight, and with a forged SigV4 upload (--seconds: the baseline).
// Loopback only; bounded in time and count.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_BACKBONE_ID } from '../src/backbone/index.js';
import { KeyStore } from '../src/auth/index.js';
import { resolveHome } from '../src/home/index.js';
import { Registry } from '../src/registry/index.js';
import { runUploadBomb } from './upload-bomb.js';

const SHARED = path.resolve(import.meta.dirname, '..', '..', 'shared');
const { values } = parseArgs({
  options: {
    mode: { type: 'string', default: 'soak' },
    seconds: { type: 'string', default: '300' },
    'warmup-seconds': { type: 'string', default: '20' },
    concurrency: { type: 'string', default: '16' },
    backbone: { type: 'string', default: DEFAULT_BACKBONE_ID },
    dataset: { type: 'string', default: path.join(SHARED, 'datasets', 'clothing-dataset-small') },
    models: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});
const log = (line: string): void => void process.stderr.write(`${line}\n`);
const load = (): string => os.loadavg().map((x) => x.toFixed(2)).join(' ');
const REPO = path.resolve(import.meta.dirname, '..');

interface Stats {
  requests: number;
  errors: number;
  p50: number;
  p95: number;
  max: number;
}

function stats(latencies: number[], errors: number): Stats {
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (p: number): number => Math.round(sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0);
  return { requests: latencies.length, errors, p50: at(50), p95: at(95), max: Math.round(sorted.at(-1) ?? 0) };
}

async function startServer(home: string, env: NodeJS.ProcessEnv) {
  const args = ['--import', 'tsx', 'src/cli/main.ts', '--home', home, 'serve', '--port', '0', '--log-level', 'warn', '--import-root', values.dataset, '--key-rate', '0'];
  const child = spawn(process.execPath, args, { cwd: REPO, env, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let buffer = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      buffer += text;
      const match = /Listening on (\S+)/.exec(buffer);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  const rssMB = (): number => Math.round(Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'))![1]) / 1024);
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null) return;
    const done = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await done;
  };
  return { url, rssMB, stop };
}

async function main(): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'skulens-soak-'));
  const env = values.models ? { ...process.env, SKULENS_MODELS: path.resolve(values.models) } : { ...process.env };
  const home = resolveHome(root, env);
  const registry = Registry.open(home.database);
  const key = new KeyStore(registry, home).create('soak', 'admin');
  registry.close();
  const authorization = `Bearer ${key.id}:${key.secret}`;
  log(`load before: ${load()} (1/5/15 min) on ${os.availableParallelism()} cores`);
  const server = await startServer(root, env);
  const call = async (operation: string, body: unknown): Promise<{ status: number; body: any }> => { // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON of many shapes
    const response = await fetch(`${server.url}/v1/${operation}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization }, body: JSON.stringify(body) });
    return { status: response.status, body: await response.json() };
  };
  const waitFor = async (check: () => Promise<boolean>, what: string, timeoutMs = 30 * 60_000): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  };
  const status = async (arn: string): Promise<string> => {
    const answer = await call('DescribeProjectVersions', { ProjectArn: /project\/([^/]+)\//.exec(arn)![1] });
    const found = (answer.body.ProjectVersionDescriptions as { ProjectVersionArn: string; Status: string; StatusMessage?: string }[]).find((d) => d.ProjectVersionArn === arn);
    if (found?.Status === 'TRAINING_FAILED') throw new Error(`training failed: ${found.StatusMessage}`);
    return found?.Status ?? 'missing';
  };
  const importInto = async (project: string, folder: string): Promise<void> => {
    const arn = (await call('CreateProject', { ProjectName: project })).body.ProjectArn as string;
    const started = await call('CreateDataset', { ProjectArn: arn, DatasetType: 'TRAIN', DatasetSource: { Uri: folder } });
    if (started.status !== 200) throw new Error(JSON.stringify(started.body));
    await waitFor(async () => {
      const d = (await call('DescribeDataset', { DatasetArn: started.body.DatasetArn })).body.DatasetDescription;
      if (d.Status.endsWith('FAILED')) throw new Error(d.StatusMessage);
      return d.Status.endsWith('COMPLETE');
    }, `the import of ${folder}`);
  };
  const train = async (project: string): Promise<string> => (await call('CreateProjectVersion', { ProjectArn: project, Backbone: values.backbone })).body.ProjectVersionArn as string;
  try {
    const t0 = performance.now();
    await importInto('soak', 'validation');
    const arn = await train('soak');
    await waitFor(async () => (await status(arn)) === 'TRAINING_COMPLETED', 'the training');
    await call('StartProjectVersion', { ProjectVersionArn: arn });
    await waitFor(async () => (await status(arn)) === 'RUNNING', 'the start');
    log(`setup (import 341 photos, train, start): ${((performance.now() - t0) / 1000).toFixed(0)} s, load ${load()}`);
    const testDir = path.join(values.dataset, 'test');
    const images = fs.readdirSync(testDir).flatMap((label) => fs.readdirSync(path.join(testDir, label)).map((f) => path.join(testDir, label, f))).sort().slice(0, 64).map((f) => fs.readFileSync(f).toString('base64'));
    const concurrency = Number(values.concurrency);
    /** Detects at `concurrency` until `until()` says stop; latencies in ms. */
    const drive = async (until: (done: number) => boolean): Promise<Stats> => {
      const latencies: number[] = [];
      let errors = 0;
      let issued = 0;
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (!until(issued)) {
            const image = images[issued++ % images.length]!;
            const t = performance.now();
            const answer = await call('DetectCustomLabels', { ProjectVersionArn: arn, Image: { Bytes: image } }).catch(() => ({ status: 0 }));
            latencies.push(performance.now() - t);
            if (answer.status !== 200) errors += 1;
          }
        }),
      );
      return stats(latencies, errors);
    };
    let result: Record<string, unknown>;
    if (values.mode === 'upload-bomb') {
      result = await runUploadBomb({ url: server.url, authorization, keyId: key.id, arn, images, rssMB: server.rssMB, call, log }, Number(values.seconds));
    } else if (values.mode === 'training') {
      const before = await drive((n) => n >= 300);
      log(`before: ${JSON.stringify(before)}, load ${load()}`);
      await importInto('during', 'test');
      const started = performance.now();
      const during = train('during');
      let training = true;
      const duringArn = await during;
      const watcher = waitFor(async () => (await status(duringArn)) === 'TRAINING_COMPLETED', 'the measured training').finally(() => (training = false));
      const measured = await drive(() => !training);
      await watcher;
      const seconds = Math.round((performance.now() - started) / 1000);
      log(`during (${seconds} s of training): ${JSON.stringify(measured)}, load ${load()}`);
      result = { mode: 'training', concurrency, before, during: measured, trainingSeconds: seconds, load: load() };
    } else {
      const warmupMs = Number(values['warmup-seconds']) * 1000;
      const endAt = Date.now() + warmupMs + Number(values.seconds) * 1000;
      const warm = Date.now() + warmupMs;
      let rssStart = 0;
      const sampler = setInterval(() => {
        if (!rssStart && Date.now() >= warm) rssStart = server.rssMB();
      }, 500);
      const measured = await drive(() => Date.now() >= endAt);
      clearInterval(sampler);
      const rssEnd = server.rssMB();
      result = { mode: 'soak', concurrency, seconds: Number(values.seconds), ...measured, rssStartMB: rssStart, rssEndMB: rssEnd, load: load() };
      log(`soak: ${JSON.stringify(result)}`);
    }
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await server.stop();
    fs.rmSync(root, { recursive: true, force: true });
  }
}

await main();
