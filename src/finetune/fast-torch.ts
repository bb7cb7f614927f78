// The fast path's PyTorch engine (kept beside the ONNX Runtime engine for side-by-side measurement):
// decodes the images it needs into one canvas file, writes the job file, runs the Python engine, and
// reads back the graph it exported, its head, its trained blocks and the held-out logits.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { EmbedInput } from '../backbone/index.js';
import { CROP_STRENGTH, JITTER, viewSeed } from './activation-cache.js';
import { runFastEngine } from './engine.js';
import { canvasSide, pixelScale, writeCanvasFile } from './images.js';
import { readFloat32, readHead } from './outputs.js';
import type { FastJob } from './fast-protocol.js';
import type { EngineOutcome, FastEngineInput } from './fast-engine.js';

/** Runs the PyTorch engine on the prepared input. */
export async function trainWithTorch(x: FastEngineInput): Promise<EngineOutcome> {
  const { spec, params, work } = x;
  const inTorch = params.cacheRuntime === 'torch' ? x.missing : [];
  const decode: EmbedInput[] = [...inTorch.map((m) => ({ path: m.item.path, name: m.item.name })), ...x.check];
  const imagesFile = path.join(work, 'images.u8');
  await writeCanvasFile(decode, spec.input, imagesFile, { signal: x.signal, onProgress: (d, n) => x.onProgress?.('decode', d, n) });
  const out = path.join(work, 'out');
  await fs.mkdir(out, { recursive: true });
  const job: FastJob = {
    kind: 'fast',
    model: x.modelFile,
    inputName: spec.input.name,
    output: spec.tap,
    pool: spec.pool,
    dim: spec.dim,
    numClasses: x.labels.length,
    cutChannels: params.cut,
    views: params.views,
    cropStrength: CROP_STRENGTH,
    jitter: JITTER,
    images: imagesFile,
    count: decode.length,
    canvas: canvasSide(spec.input),
    size: spec.input.size,
    ...pixelScale(spec.input),
    compute: inTorch.map((m, k) => ({ canvas: k, seed: viewSeed(m.item.sha256), files: m.files })),
    items: x.files,
    labels: x.train.map((item) => item.label),
    train: x.splits[0]!.train,
    val: x.splits[0]!.val,
    splits: x.splits,
    check: x.check.map((_, k) => inTorch.length + k),
    epochs: x.epochs,
    lr: params.lr,
    headLr: params.headLr,
    weightDecay: params.weightDecay,
    batchSize: params.batchSize,
    labelSmoothing: params.labelSmoothing,
    dropout: params.dropout,
    flip: params.flip,
    ema: params.ema,
    flipTest: x.flipTest,
    members: params.members,
    balance: params.balance,
    seed: params.seed,
    threads: params.threads ?? Math.min(2, os.availableParallelism()),
    deadline: x.deadline === null ? null : x.deadline / 1000,
    out,
    ...x.layout,
  };
  if (x.start) job.start = await writeStart(x.start, x.labels, work);
  const jobFile = path.join(work, 'job.json');
  await fs.writeFile(jobFile, JSON.stringify(job));
  const done = await runFastEngine(x.python!, jobFile, { signal: x.signal, onMessage: x.onMessage });
  await fs.rm(imagesFile, { force: true });
  const K = x.labels.length;
  const dim = spec.dim * done.members;
  const heldOut = x.splits.slice(0, done.members).reduce((n, split) => n + split.val.length, 0);
  return {
    done,
    onnxFile: path.join(out, done.files.model),
    upperFile: path.join(out, done.files.upper),
    head: await readHead(path.join(out, done.files.head), dim, K),
    valLogits: await readFloat32(path.join(out, done.files.valLogits), heldOut * K),
    checkEmbeddings: await readFloat32(path.join(out, done.files.checkEmbeddings), x.check.length * dim),
    checkLogits: await readFloat32(path.join(out, done.files.checkLogits), x.check.length * K),
    // torch.onnx.export writes the spec's own tap, pooled as the spec says.
    tap: { tap: spec.tap, pool: spec.pool },
  };
}

/** The job's warm start: the earlier head as float32 (weights then bias) and each label's row in it. */
async function writeStart(start: NonNullable<FastEngineInput['start']>, labels: readonly string[], work: string): Promise<NonNullable<FastJob['start']>> {
  const head = path.join(work, 'start-head.f32');
  const bytes = new Float32Array(start.head.weights.length + start.head.bias.length);
  bytes.set(start.head.weights);
  bytes.set(start.head.bias, start.head.weights.length);
  await fs.writeFile(head, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  return { upper: start.upper, head, rows: labels.map((label) => start.labels.indexOf(label)) };
}

