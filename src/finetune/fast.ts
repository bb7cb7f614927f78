// The fast path's driver: plans which activations the cache lacks, decodes only those images, runs the
// engine's fast job (cache the frozen part below the cut, train the blocks above it and a head), then
// serves the exported graph with onnxruntime on the images the caller evaluates, checks it against
// PyTorch, and fits thresholds on the grouped validation split (never on the images it evaluates). The head
// is one softmax over the labels, or (FastRunInput.heads) a softmax per group or a sigmoid per label.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { backboneSpecSchema, openEmbedder, verifiedWeights, type BackboneSpec, type EmbedInput } from '../backbone/index.js';
import { sha256Hex } from '../dataset/index.js';
import { SkulensError } from '../errors.js';
import type { HomeLayout } from '../home/index.js';
import type { LogisticHead } from '../train/index.js';
import { ActivationCache, CROP_STRENGTH, JITTER, viewSeed } from './activation-cache.js';
import { runFastEngine, type RunEngineOptions } from './engine.js';
import { canvasSide, pixelScale, writeCanvasFile } from './images.js';
import { computeActivations, lowerGraph } from './lower-ort.js';
import { checkExport, readFloat32, readHead, type ExportCheck } from './outputs.js';
import { heldOutFit, memberSplits } from './fast-validation.js';
import { defaultFastEpochs, type FastParams } from './fast-params.js';

export { groupedValidation, heldOutFit, memberSplits, pooledF1Thresholds, type MemberSplit } from './fast-validation.js';
export { DEFAULT_FAST_EPOCHS, defaultFastEpochs, epochsShowing, FastParamsSchema, PHOTOS_PER_MEMBER, WARM_START_EPOCHS, type FastParams, type FastParamsInput } from './fast-params.js';
import { FastHeadsSchema, targetsSchema, type FastDone, type FastHeads, type FastJob } from './fast-protocol.js';


/** A training image: its content hash, where to read it, its label index and its dHash (for grouping). */
export interface FastItem {
  sha256: string;
  path: string;
  name: string;
  label: number;
  dhash: string;
  /** With a groups layout (FastRunInput.heads): the photo's value index in each group, -1 for none; multi: its label indexes. `label` then only stratifies the folds. */
  targets?: number[];
}

export interface FastRunInput {
  home: HomeLayout;
  /** The base backbone (an ONNX file in NCHW layout). */
  spec: BackboneSpec;
  labels: readonly string[];
  train: readonly FastItem[];
  /** Images to serve with the exported graph (e.g. the test split); only their outputs are returned. */
  evaluate: readonly EmbedInput[];
  params: FastParams;
  python: string;
  /** An empty work folder the caller removes afterwards. */
  work: string;
  /** A warm start: an earlier fast version's upper.f32 and head, and its labels (matched to `labels` by name). */
  start?: { upper: string; head: LogisticHead; labels: readonly string[] };
  /** The head's layout when it is not one softmax over `labels`: a softmax per group (labels in stacked group order), or a sigmoid per label. */
  heads?: FastHeads;
}

export interface FastRunOptions extends Pick<RunEngineOptions, 'onMessage' | 'signal'> {
  onProgress?: (phase: 'decode' | 'cache' | 'serve', done: number, total: number) => void;
}

export interface FastRunResult {
  engine: FastDone;
  /** The exported graph (whole backbone, trained blocks above the cut) and its spec, weights in `onnxFile`. */
  onnxFile: string;
  onnxSha256: string;
  spec: BackboneSpec;
  head: LogisticHead;
  /** Thresholds from the validation split's predictions. */
  thresholds: number[];
  /** Photos each member trains on, held-out photos scored (each by the member that never saw it), their accuracy. */
  validation: { train: number; val: number; accuracy: number };
  check: ExportCheck;
  /** Epochs planned (the parameter, or the default for a cold or warm start). */
  epochs: number;
  /** The trained blocks as one float32 vector (the parameters above the cut, in order): a later warm start's input. */
  upperFile: string;
  /** Served (onnxruntime) embeddings of `evaluate`, in order. */
  served: Float32Array[];
  cache: { computed: number; reused: number; dir: string };
  timings: Record<string, number>;
}


/** Images checked against PyTorch after export: enough to catch a wrong graph, few to decode. */
const CHECK_IMAGES = 8;

/**
 * Trains the fast path on `train` and serves `evaluate` with the result.
 *
 * @throws SkulensError ERR_TRAINING_INVALID (too few images to hold out validation), ERR_TRAINING_CANCELLED,
 *   ERR_FINETUNE_FAILED, ERR_FINETUNE_EXPORT_MISMATCH, ERR_IMAGE_UNREADABLE.
 */
export async function trainFast(input: FastRunInput, options: FastRunOptions = {}): Promise<FastRunResult> {
  const { home, params, work } = input;
  const layout = headLayout(input); // before any work: a layout that does not fit the labels fails at once
  const spec = atSize(input.spec, params.size);
  const timings: Record<string, number> = {};
  let t = performance.now();
  const lap = (name: string): void => {
    timings[name] = Number(((performance.now() - t) / 1000).toFixed(2));
    t = performance.now();
  };
  const started = performance.now();
  const cache = new ActivationCache(home);
  const cutDir = cache.cutDir(spec, params.cut, params.cacheRuntime);
  const looked = await Promise.all(input.train.map((item) => cache.lookup(cutDir, item.sha256, params.views)));
  const missing = input.train.map((item, i) => ({ item, files: looked[i]!.files, views: looked[i]!.missing })).filter((_, i) => !looked[i]!.present);
  const check = input.evaluate.slice(0, CHECK_IMAGES);
  // The ONNX file the runtime loads: for a .tflite row, its cached conversion.
  const modelFile = (await verifiedWeights(spec, home.models))[0]!;
  const inTorch = params.cacheRuntime === 'torch' ? missing : [];
  if (params.cacheRuntime === 'onnxruntime') {
    const lower = await lowerGraph(input.python, spec, modelFile, params.cut, cutDir, work);
    lap('cut');
    const items = missing.map((m) => ({ input: { path: m.item.path, name: m.item.name }, sha256: m.item.sha256, files: m.files, views: m.views }));
    await computeActivations(lower, spec, home.models, items, { workers: params.workers, signal: options.signal, onProgress: (d, n) => options.onProgress?.('cache', d, n) });
    lap('cache');
  }
  const decode = [...inTorch.map((m) => ({ path: m.item.path, name: m.item.name })), ...check];
  const imagesFile = path.join(work, 'images.u8');
  await writeCanvasFile(decode, spec.input, imagesFile, { signal: options.signal, onProgress: (d, n) => options.onProgress?.('decode', d, n) });
  lap('decode');

  const splits = memberSplits(input.train, params);
  const out = path.join(work, 'out');
  await fs.mkdir(out, { recursive: true });
  const job: FastJob = {
    kind: 'fast',
    model: modelFile,
    inputName: spec.input.name,
    output: spec.tap,
    pool: spec.pool,
    dim: spec.dim,
    numClasses: input.labels.length,
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
    items: looked.map((l) => l.files),
    labels: input.train.map((item) => item.label),
    train: splits[0]!.train,
    val: splits[0]!.val,
    splits,
    check: check.map((_, k) => inTorch.length + k),
    epochs: params.epochs ?? defaultFastEpochs(splits[0]!.train.length, input.start !== undefined),
    lr: params.lr,
    headLr: params.headLr,
    weightDecay: params.weightDecay,
    batchSize: params.batchSize,
    labelSmoothing: params.labelSmoothing,
    dropout: params.dropout,
    flip: params.flip,
    ema: params.ema,
    flipTest: params.flipTest ?? params.members === 1,
    members: params.members,
    balance: params.balance,
    seed: params.seed,
    threads: params.threads ?? Math.min(2, os.availableParallelism()),
    deadline: params.budgetSeconds === undefined ? null : Date.now() / 1000 + params.budgetSeconds - (performance.now() - started) / 1000,
    out,
    ...layout,
  };
  if (input.start) job.start = await writeStart(input.start, input.labels, work);
  const jobFile = path.join(work, 'job.json');
  await fs.writeFile(jobFile, JSON.stringify(job));
  const engine = await runFastEngine(input.python, jobFile, { signal: options.signal, onMessage: options.onMessage });
  await fs.rm(imagesFile, { force: true });
  lap('engine');

  const K = input.labels.length;
  // The served embedding: each member's, side by side (fast_members.py).
  const dim = spec.dim * engine.members;
  const head = await readHead(path.join(out, engine.files.head), dim, K);
  const onnxFile = path.join(out, engine.files.model);
  const onnxSha256 = sha256Hex(await fs.readFile(onnxFile));
  const tuned = backboneSpecSchema.parse({
    ...spec,
    dim,
    id: `fast-${onnxSha256.slice(0, 16)}`,
    description: `${spec.id} with the blocks above ${engine.cut} trained by the fast path${engine.members > 1 ? ` (${engine.members} members)` : ''}`,
    weights: { source: 'file', file: onnxFile, sha256: onnxSha256 },
  });
  const served = await serve(tuned, home, input.evaluate, params.workers, options);
  const torchE = await readFloat32(path.join(out, engine.files.checkEmbeddings), check.length * dim);
  const torchLogits = await readFloat32(path.join(out, engine.files.checkLogits), check.length * K);
  const exportCheck = checkExport(torchE, torchLogits, served.slice(0, check.length), head);
  lap('serve');

  // Each held-out photo scored by the member that never saw it (members in order, as the engine wrote them).
  const heldOut = splits.slice(0, engine.members).flatMap((split) => split.val);
  const valLogits = await readFloat32(path.join(out, engine.files.valLogits), heldOut.length * K);
  const { thresholds, accuracy } = heldOutFit(valLogits, input.train, heldOut, K, input.heads);
  return {
    engine,
    onnxFile,
    onnxSha256,
    spec: { ...tuned, weights: { ...tuned.weights, file: 'backbone.onnx' } } as BackboneSpec,
    head,
    thresholds,
    validation: { train: splits[0]!.train.length, val: heldOut.length, accuracy },
    check: exportCheck,
    epochs: job.epochs,
    upperFile: path.join(out, engine.files.upper),
    served,
    cache: { computed: missing.length, reused: input.train.length - missing.length, dir: cutDir },
    timings: { ...timings, ...Object.fromEntries(Object.entries(engine.timings).map(([k, v]) => [`engine.${k}`, Number(v.toFixed(2))])) },
  };
}

/**
 * The job's head layout and targets, validated: nothing for one softmax (the single-label job is unchanged).
 *
 * @throws SkulensError ERR_TRAINING_INVALID when the groups do not make the labels or an item's targets do not fit them.
 */
function headLayout(input: FastRunInput): Pick<FastJob, 'heads' | 'targets'> {
  if (input.heads === undefined) return {};
  const heads = FastHeadsSchema.parse(input.heads);
  if (heads.kind === 'groups' && heads.sizes.reduce((a, b) => a + b, 0) !== input.labels.length) {
    throw new SkulensError('ERR_TRAINING_INVALID', { detail: `groups of ${heads.sizes.join('+')} values do not make the ${input.labels.length} labels` });
  }
  const schema = targetsSchema(heads, input.labels.length);
  const targets = input.train.map((item) => {
    const parsed = schema.safeParse(item.targets);
    if (!parsed.success) throw new SkulensError('ERR_TRAINING_INVALID', { detail: `${item.name}: its targets ${JSON.stringify(item.targets)} do not fit the ${heads.kind} head (${parsed.error.issues[0]?.message ?? 'invalid'})` });
    return parsed.data;
  });
  return { heads, targets };
}

/** The backbone at another input side: the same resize-then-centre-crop, scaled (256 -> 224 becomes 329 -> 288). */
function atSize(spec: BackboneSpec, size: number | undefined): BackboneSpec {
  if (size === undefined || size === spec.input.size) return spec;
  const shorterSide = spec.input.shorterSide === undefined ? undefined : Math.round((spec.input.shorterSide * size) / spec.input.size);
  return { ...spec, input: { ...spec.input, size, ...(shorterSide === undefined ? {} : { shorterSide }) } };
}

/** The job's warm start: the earlier head as float32 (weights then bias) and each label's row in it. */
async function writeStart(start: NonNullable<FastRunInput['start']>, labels: readonly string[], work: string): Promise<NonNullable<FastJob['start']>> {
  const head = path.join(work, 'start-head.f32');
  const bytes = new Float32Array(start.head.weights.length + start.head.bias.length);
  bytes.set(start.head.weights);
  bytes.set(start.head.bias, start.head.weights.length);
  await fs.writeFile(head, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  return { upper: start.upper, head, rows: labels.map((label) => start.labels.indexOf(label)) };
}

async function serve(spec: BackboneSpec, home: HomeLayout, images: readonly EmbedInput[], workers: number | undefined, options: FastRunOptions): Promise<Float32Array[]> {
  const embedder = await openEmbedder(spec, { modelsDir: home.models, workers });
  try {
    let done = 0;
    return await Promise.all(
      images.map(async (image) => {
        options.signal?.throwIfAborted();
        const vector = await embedder.embed(image);
        options.onProgress?.('serve', ++done, images.length);
        return vector;
      }),
    );
  } finally {
    await embedder.close();
  }
}
