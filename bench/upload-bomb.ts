// The upload-bomb mode of bench/soak.ts (`npm run bench:soak -- --mode upload-bomb`): /health and
// DetectCustomLabels latency on a RUNNING version, first alone, then while (a) a zip of 60,000 entries is
// uploaded, unpacked and imported (and DescribeDatasetHealth is asked about its 60,000 import issues),
// then (b) three zips that each inflate to 1 GB are uploaded at once, and (c) a forged SigV4 upload of
// such a zip is sent. Reports p50/p99/max of each, the server's peak RSS and how each upload ended.
import os from 'node:os';
import { zipSync } from 'fflate';

interface Stats {
  requests: number;
  errors: number;
  p50: number;
  p99: number;
  max: number;
}

export interface BombContext {
  url: string;
  authorization: string;
  /** A key id that exists, for the forged upload (its secret is not used). */
  keyId: string;
  arn: string;
  images: string[];
  rssMB(): number;
  call(operation: string, body: unknown): Promise<{ status: number; body: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON of many shapes
  log(line: string): void;
}

const load = (): string => os.loadavg().map((x) => x.toFixed(2)).join(' ');

function stats(latencies: number[], errors: number): Stats {
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (p: number): number => Math.round(sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0);
  return { requests: latencies.length, errors, p50: at(50), p99: at(99), max: Math.round(sorted.at(-1) ?? 0) };
}

/** 60,000 small entries that are not images (what makes 60,000 import issues), under 10 label folders. */
function manyEntries(count: number): Uint8Array {
  const files: Record<string, Uint8Array> = {};
  const junk = new TextEncoder().encode('not an image...');
  for (let i = 0; i < count; i += 1) files[`label-${i % 10}/${i}.jpg`] = junk;
  return zipSync(files, { level: 1 });
}

/** Members that start like a JPEG and go on as zeros, 15 MB each, to `total` bytes: a bomb that passes every sniff. */
function bomb(total: number): Uint8Array {
  const member = new Uint8Array(15 * 1024 * 1024 - 1);
  member.set([0xff, 0xd8, 0xff, 0xe0]);
  const files: Record<string, Uint8Array> = {};
  for (let i = 0; i * member.length < total; i += 1) files[`label-${i % 2}/${i}.jpg`] = member;
  return zipSync(files, { level: 9 });
}

function form(zip: Uint8Array): { body: Uint8Array<ArrayBuffer>; contentType: string } {
  const boundary = 'skulens-bench-boundary';
  const head = new TextEncoder().encode(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="bomb.zip"\r\nContent-Type: application/zip\r\n\r\n`);
  const tail = new TextEncoder().encode(`\r\n--${boundary}--\r\n`);
  const body = new Uint8Array(head.length + zip.length + tail.length);
  body.set(head);
  body.set(zip, head.length);
  body.set(tail, head.length + zip.length);
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}

/** Probes /health every 50 ms and detects one image at a time until `stop` resolves; also samples RSS. */
async function measure(ctx: BombContext, stop: Promise<unknown>): Promise<{ health: Stats; detect: Stats; peakRssMB: number }> {
  let done = false;
  void stop.finally(() => (done = true));
  const health: number[] = [];
  const detect: number[] = [];
  let healthErrors = 0;
  let detectErrors = 0;
  let peak = ctx.rssMB();
  const sampler = setInterval(() => (peak = Math.max(peak, ctx.rssMB())), 200);
  const prober = (async () => {
    while (!done) {
      const t = performance.now();
      const ok = await fetch(`${ctx.url}/health`).then((r) => r.ok, () => false);
      health.push(performance.now() - t);
      if (!ok) healthErrors += 1;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  const detector = (async () => {
    for (let i = 0; !done; i += 1) {
      const t = performance.now();
      const answer = await ctx.call('DetectCustomLabels', { ProjectVersionArn: ctx.arn, Image: { Bytes: ctx.images[i % ctx.images.length] } }).catch(() => ({ status: 0 }));
      detect.push(performance.now() - t);
      if (answer.status !== 200) detectErrors += 1;
    }
  })();
  await Promise.all([prober, detector, stop.catch(() => undefined)]);
  clearInterval(sampler);
  return { health: stats(health, healthErrors), detect: stats(detect, detectErrors), peakRssMB: peak };
}

async function upload(ctx: BombContext, project: string, zip: Uint8Array, headers: Record<string, string> = { authorization: ctx.authorization }): Promise<{ status: number; body: unknown; seconds: number }> {
  const t = performance.now();
  const { body, contentType } = form(zip);
  const response = await fetch(`${ctx.url}/v1/datasets/upload?project=${project}`, { method: 'POST', headers: { ...headers, 'content-type': contentType }, body });
  return { status: response.status, body: await response.json(), seconds: Math.round((performance.now() - t) / 100) / 10 };
}

async function imported(ctx: BombContext, arn: string): Promise<string> {
  for (;;) {
    const d = (await ctx.call('DescribeDataset', { DatasetArn: arn })).body.DatasetDescription;
    if (!d.Status.endsWith('IN_PROGRESS')) return `${d.Status}: ${d.StatusMessage ?? ''}`;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

export async function runUploadBomb(ctx: BombContext, baselineSeconds: number): Promise<Record<string, unknown>> {
  const result: Record<string, unknown> = { mode: 'upload-bomb', loadStart: load() };
  result.baseline = await measure(ctx, new Promise((resolve) => setTimeout(resolve, baselineSeconds * 1000)));
  ctx.log(`baseline: ${JSON.stringify(result.baseline)}, load ${load()}`);

  const many = manyEntries(60_000);
  await ctx.call('CreateProject', { ProjectName: 'many' });
  const manyRun = (async () => {
    const sent = await upload(ctx, 'many', many);
    const arn = (sent.body as { DatasetArn?: string }).DatasetArn;
    const outcome = arn ? await imported(ctx, arn) : JSON.stringify(sent.body);
    const t = performance.now();
    const report = await ctx.call('DescribeDatasetHealth', { ProjectArn: 'many' });
    return { zipBytes: many.length, status: sent.status, uploadSeconds: sent.seconds, outcome, healthReportMs: Math.round(performance.now() - t), skippedAtImport: report.body.SkippedAtImport };
  })();
  const during60k = await measure(ctx, manyRun);
  result.entries60k = { ...(await manyRun), ...during60k, load: load() };
  ctx.log(`60,000 entries: ${JSON.stringify(result.entries60k)}`);

  const gb = bomb(1024 ** 3);
  const bombs = (async () => {
    const projects = ['bomb-1', 'bomb-2', 'bomb-3'];
    for (const p of projects) await ctx.call('CreateProject', { ProjectName: p });
    const sent = await Promise.all(projects.map((p) => upload(ctx, p, gb)));
    return sent.map((s) => ({ status: s.status, seconds: s.seconds, answer: s.status === 200 ? s.body : (s.body as { Message?: string }).Message }));
  })();
  const duringBombs = await measure(ctx, bombs);
  result.bombs1GBx3 = { zipBytes: gb.length, uploads: await bombs, ...duringBombs, load: load() };
  ctx.log(`3 x 1 GB bombs: ${JSON.stringify(result.bombs1GBx3)}`);

  // A forged SigV4 upload: a real key id, a made-up signature that declares its payload hash.
  const now = new Date().toISOString().replace(/[-:]|\.\d{3}/g, '');
  const forged = {
    authorization: `AWS4-HMAC-SHA256 Credential=${ctx.keyId}/${now.slice(0, 8)}/us-east-1/rekognition/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=${'0'.repeat(64)}`,
    'x-amz-date': now,
    'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
  };
  const forgedRun = upload(ctx, 'many', gb, forged);
  const duringForged = await measure(ctx, forgedRun);
  result.forged = { ...(await forgedRun), ...duringForged };
  ctx.log(`forged: ${JSON.stringify(result.forged)}`);
  result.loadEnd = load();
  return result;
}
