// The fast path's frozen lower part on onnxruntime (measured about 2.5x less CPU per image than the
// same layers in PyTorch): the graph below the cut is written once per backbone and cut, and the
// backbone domain's embedding pool runs it on each image and view; this module turns each output back
// into the raw activations and stores them as float16 cache files.
import fs from 'node:fs/promises';
import path from 'node:path';
import { openEmbedder, openGraphSession, type BackboneSpec, type EmbedInput } from '../backbone/index.js';
import type { AugmentView } from '../augment/index.js';
import { SkulensError } from '../errors.js';
import { mulberry32 } from '../train/index.js';
import { CROP_STRENGTH, JITTER, VIEW_KEYS, viewSeed } from './activation-cache.js';
import { readGraph } from '../autodiff/index.js';
import { cutShape, findCut, lowerModel } from '../engine/index.js';

/** Where the backbone is cut, and the graph below the cut (output: activations + a trailing 1, see engine/cut.ts). */
export interface LowerGraph {
  tensor: string;
  shape: number[];
  file: string;
}

/** The backbone's cut: the output of its last block with `channels` channels, and that tensor's shape per image at the spec's input side. */
export async function fastCut(base: BackboneSpec, modelFile: string, channels: number): Promise<{ tensor: string; shape: number[] }> {
  const graph = readGraph(await fs.readFile(modelFile));
  const tensor = findCut(graph, base.tap, channels);
  const shape = await cutShape(graph, base.input.name, tensor, base.input.size, (model) => openGraphSession(model, { threads: 1 }));
  return { tensor, shape };
}

/** The graph below the cut, written the first time and kept in the cut's cache folder. */
export async function lowerGraph(base: BackboneSpec, modelFile: string, channels: number, cutDir: string): Promise<LowerGraph> {
  const file = path.join(cutDir, 'lower.onnx');
  const info = path.join(cutDir, 'cut.json');
  try {
    const known = JSON.parse(await fs.readFile(info, 'utf8')) as { tensor: string; shape: number[] };
    await fs.access(file);
    return { ...known, file };
  } catch {
    // not there yet: written below
  }
  await fs.mkdir(cutDir, { recursive: true });
  const cut = await fastCut(base, modelFile, channels);
  const graph = readGraph(await fs.readFile(modelFile));
  await writeAtomicBytes(file, lowerModel(graph, base.input.name, cut.tensor, base.input.size, cut.shape.reduce((a, b) => a * b, 1)));
  await writeAtomicBytes(info, new TextEncoder().encode(JSON.stringify(cut)));
  return { ...cut, file };
}

/**
 * The deterministic random view `view` (>= 1) of an image: a resized crop (area kept in [0.5, 1], aspect
 * 3/4 to 4/3), with colour jitter when JITTER > 0.
 */
export function cropView(sha256: string, view: number): AugmentView {
  const random = mulberry32(viewSeed(sha256) * 8 + view);
  const area = 1 - 0.5 * CROP_STRENGTH * random();
  const ratio = Math.exp(Math.log(3 / 4) + Math.log(16 / 9) * random());
  const width = Math.min(1, Math.sqrt(area * ratio));
  const height = Math.min(1, Math.sqrt(area / ratio));
  const left = (1 - width) * random();
  const top = (1 - height) * random();
  const factor = (): number => 1 + JITTER * (2 * random() - 1);
  const jitter: AugmentView['ops'] = JITTER > 0 ? [{ op: 'brightness', factor: factor() }, { op: 'contrast', factor: factor() }, { op: 'saturation', factor: factor() }] : [];
  return { key: VIEW_KEYS[view]!, ops: [{ op: 'crop', left, top, width, height }, ...jitter] };
}

export interface ComputeItem {
  input: EmbedInput;
  sha256: string;
  files: string[];
  /** The views to compute (indices into `files`); default all. */
  views?: number[];
}

/** Runs the lower graph on every view of every item and writes the float16 files. */
export async function computeActivations(
  lower: LowerGraph,
  base: BackboneSpec,
  modelsDir: string,
  items: readonly ComputeItem[],
  options: { workers?: number; signal?: AbortSignal; onProgress?: (done: number, total: number) => void } = {},
): Promise<void> {
  if (items.length === 0) return;
  const size = lower.shape.reduce((a, b) => a * b, 1);
  const spec: BackboneSpec = {
    ...base,
    id: 'fast-path-lower',
    description: `${base.id} below ${lower.tensor}`,
    tap: 'skulens_cut',
    pool: 'none',
    dim: size + 1,
    weights: { source: 'file', file: lower.file },
  };
  const embedder = await openEmbedder(spec, { modelsDir, workers: options.workers });
  const tasks = items.flatMap((item) => (item.views ?? item.files.map((_, v) => v)).map((v) => ({ item, file: item.files[v]!, v })));
  let next = 0;
  let done = 0;
  const lane = async (): Promise<void> => {
    while (next < tasks.length) {
      options.signal?.throwIfAborted();
      const { item, file, v } = tasks[next++]!;
      const out = await embedder.embed(v === 0 ? item.input : { ...item.input, view: cropView(item.sha256, v) });
      if (out.length !== size + 1 || !(out[size]! > 0)) throw new SkulensError('ERR_FINETUNE_FAILED', { detail: `the graph below the cut gave ${out.length} values, expected ${size + 1}` });
      await writeAtomic(file, toFloat16(out.subarray(0, size), 1 / out[size]!));
      options.onProgress?.(++done, tasks.length);
    }
  };
  try {
    await Promise.all(Array.from({ length: embedder.workers * 2 }, lane));
  } finally {
    await embedder.close();
  }
}

/** Cache files need no fsync: a torn file has the wrong size, which the engine refuses. */
async function writeAtomic(file: string, data: Uint16Array): Promise<void> {
  await writeAtomicBytes(file, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
}

async function writeAtomicBytes(file: string, bytes: Uint8Array): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await fs.writeFile(temp, bytes);
  await fs.rename(temp, file);
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE half-precision bits of `scale * x`, rounded to nearest even (little-endian when written on x86/ARM). */
export function toFloat16(values: Float32Array, scale = 1): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let k = 0; k < values.length; k++) {
    f32[0] = values[k]! * scale;
    const bits = u32[0]!;
    const sign = (bits >>> 16) & 0x8000;
    let exp = ((bits >>> 23) & 0xff) - 112;
    const mant = bits & 0x7fffff;
    if (exp >= 31) {
      out[k] = sign | 0x7c00 | (((bits >>> 23) & 0xff) === 0xff && mant ? 0x200 : 0);
      continue;
    }
    if (exp <= 0) {
      if (exp < -10) {
        out[k] = sign;
        continue;
      }
      const m = mant | 0x800000;
      const shift = 14 - exp;
      let half = m >>> shift;
      const rest = m & ((1 << shift) - 1);
      const mid = 1 << (shift - 1);
      if (rest > mid || (rest === mid && half & 1)) half += 1;
      out[k] = sign | half;
      continue;
    }
    let half = mant >>> 13;
    const rest = mant & 0x1fff;
    if (rest > 0x1000 || (rest === 0x1000 && half & 1)) {
      half += 1;
      if (half === 0x400) {
        half = 0;
        exp += 1;
        if (exp >= 31) {
          out[k] = sign | 0x7c00;
          continue;
        }
      }
    }
    out[k] = sign | (exp << 10) | half;
  }
  return out;
}
