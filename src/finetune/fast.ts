// The fast path's driver: plans which activations the cache lacks, computes them below the cut with
// onnxruntime, runs the ONNX Runtime engine (src/engine), which trains the blocks above
// the cut and a head, then serves the exported graph with onnxruntime on the images the caller evaluates,
// checks it against what training computed, and fits thresholds on the held-out photos (never on the
// images it evaluates). The head is one softmax over the labels, or (FastRunInput.heads) a softmax per
// group or a sigmoid per label.
import { verifiedWeights, type BackboneSpec, type EmbedInput } from '../backbone/index.js';
import { SkulensError } from '../errors.js';
import type { HomeLayout } from '../home/index.js';
import type { Calibration, LogisticHead } from '../train/index.js';
import { ActivationCache } from './activation-cache.js';
import type { RunEngineOptions } from './engine.js';
import type { FastEngineInput } from './fast-engine.js';
import { trainWithOnnx } from './fast-onnx.js';
import { computeActivations, lowerGraph } from './lower-ort.js';
import type { ExportCheck } from './outputs.js';
import { finishRun } from './fast-finish.js';
import { heldOutFit, memberSplits } from './fast-validation.js';
import { defaultFastEpochs, type FastParams } from './fast-params.js';

export { groupedValidation, heldOutFit, memberSplits, pooledF1Thresholds, type MemberSplit } from './fast-validation.js';
export { DEFAULT_FAST_EPOCHS, defaultFastEpochs, epochsShowing, FastParamsSchema, PHOTOS_PER_MEMBER, WARM_START_EPOCHS, type FastParams, type FastParamsInput } from './fast-params.js';
import { FastHeadsSchema, targetsSchema, type FastDone, type FastHeads, type HeadLayout } from './fast-protocol.js';


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
  /** Thresholds from the validation split's predictions, for the head as trained. */
  thresholds: number[];
  /** A one-softmax head's calibration from the held-out logits (the temperature the served head is divided by); null for groups and multi-label heads. */
  calibration: Calibration | null;
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


/** Images the export is checked on: enough to catch a wrong graph, few to decode. */
const CHECK_IMAGES = 8;

/**
 * Trains the fast path on `train` and serves `evaluate` with the result.
 *
 * @throws SkulensError ERR_TRAINING_INVALID (too few images to hold out validation), ERR_TRAINING_CANCELLED,
 *   ERR_AUTODIFF_OP_UNSUPPORTED, ERR_FINETUNE_FAILED, ERR_FINETUNE_EXPORT_MISMATCH, ERR_IMAGE_UNREADABLE.
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
  const cutDir = cache.cutDir(spec, params.cut);
  const looked = await Promise.all(input.train.map((item) => cache.lookup(cutDir, item.sha256, params.views)));
  const missing = input.train.map((item, i) => ({ item, files: looked[i]!.files, views: looked[i]!.missing })).filter((_, i) => !looked[i]!.present);
  // The ONNX file the runtime loads: for a .tflite row, its cached conversion.
  const modelFile = (await verifiedWeights(spec, home.models))[0]!;
  const lower = await lowerGraph(spec, modelFile, params.cut, cutDir);
  const cut = { tensor: lower.tensor, shape: lower.shape };
  lap('cut');
  const items = missing.map((m) => ({ input: { path: m.item.path, name: m.item.name }, sha256: m.item.sha256, files: m.files, views: m.views }));
  await computeActivations(lower, spec, home.models, items, { workers: params.workers, signal: options.signal, onProgress: (d, n) => options.onProgress?.('cache', d, n) });
  lap('cache');
  const splits = memberSplits(input.train, params);
  const engineInput: FastEngineInput = {
    spec, modelFile, params, work, labels: input.labels, train: input.train, files: looked.map((l) => l.files), missing, cut,
    check: input.evaluate.slice(0, CHECK_IMAGES), splits,
    epochs: params.epochs ?? defaultFastEpochs(splits[0]!.train.length, input.start !== undefined),
    flipTest: params.flipTest ?? params.members === 1,
    deadline: params.budgetSeconds === undefined ? null : Date.now() + params.budgetSeconds * 1000 - (performance.now() - started),
    layout, heads: input.heads, start: input.start,
    signal: options.signal, onMessage: options.onMessage, onProgress: options.onProgress,
  };
  const outcome = await trainWithOnnx(engineInput);
  const engine = outcome.done;
  lap('engine');

  return finishRun({ input, spec, splits, checkCount: engineInput.check.length, outcome, epochs: engineInput.epochs, cache: { computed: missing.length, reused: input.train.length - missing.length, dir: cutDir }, timings, options });
}

/**
 * The job's head layout and targets, validated: nothing for one softmax (the single-label job is unchanged).
 *
 * @throws SkulensError ERR_TRAINING_INVALID when the groups do not make the labels or an item's targets do not fit them.
 */
function headLayout(input: FastRunInput): HeadLayout {
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
