// Fine-tuning fixtures made on the spot: a small MobileNet-like ONNX graph with the node types of the
// real MobileNetV2 (Conv, grouped Conv with TFLite-style asymmetric pads, Clip, Add, GlobalAveragePool,
// Flatten, Gemm) and seeded weights; its backbone row; a home with a tiny imported dataset of 64 px
// photos; and whether this machine's python has torch.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import onnxProto from 'onnx-proto';
import sharp from 'sharp';
import { importFolder } from '../../src/dataset/index.js';
import { pythonCandidates } from '../../src/finetune/index.js';
import { resolveHome, type HomeLayout } from '../../src/home/index.js';
import { Registry } from '../../src/registry/index.js';
import { mulberry32 } from '../../src/train/index.js';

const { onnx } = onnxProto;
export const SMALL_SIZE = 16;
export const SMALL_DIM = 8;

export function tensor(name: string, dims: number[], values: ArrayLike<number>): InstanceType<typeof onnx.TensorProto> {
  const raw = new Uint8Array(values.length * 4);
  const view = new DataView(raw.buffer);
  for (let k = 0; k < values.length; k++) view.setFloat32(k * 4, values[k]!, true);
  return onnx.TensorProto.create({ name, dims, dataType: onnx.TensorProto.DataType.FLOAT, rawData: raw });
}

export function ints(name: string, values: number[]): InstanceType<typeof onnx.AttributeProto> {
  return onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INTS, ints: values });
}

export function int(name: string, value: number): InstanceType<typeof onnx.AttributeProto> {
  return onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INT, i: value });
}

export function info(name: string, dims: (number | string)[]): InstanceType<typeof onnx.ValueInfoProto> {
  return onnx.ValueInfoProto.create({
    name,
    type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
  });
}

/**
 * `input` [N,3,16,16] -> Conv 3x3/2 (pads 0,0,1,1) -> Clip(0,6) -> depthwise Conv 3x3 (group 8) -> Clip
 * -> Conv 1x1 -> Add (residual) -> GlobalAveragePool -> Flatten = `embedding` [N,8] -> Gemm = `logits` [N,5].
 */
export function smallOnnxModel(seed = 7): Uint8Array {
  const random = mulberry32(seed);
  const values = (n: number, scale: number): number[] => Array.from({ length: n }, () => (random() * 2 - 1) * scale);
  const initializer = [
    tensor('w1', [8, 3, 3, 3], values(8 * 27, 0.4)),
    tensor('b1', [8], values(8, 0.2)),
    tensor('wd', [8, 1, 3, 3], values(72, 0.4)),
    tensor('bd', [8], values(8, 0.2)),
    tensor('wp', [8, 8, 1, 1], values(64, 0.4)),
    tensor('bp', [8], values(8, 0.1)),
    tensor('fc_w', [5, 8], values(40, 0.5)),
    tensor('fc_b', [5], values(5, 0.1)),
    tensor('relu6_min', [], [0]),
    tensor('relu6_max', [], [6]),
  ];
  const node = (opType: string, input: string[], output: string, attribute: InstanceType<typeof onnx.AttributeProto>[] = []) =>
    onnx.NodeProto.create({ name: output, opType, input, output: [output], attribute });
  const nodes = [
    node('Conv', ['input', 'w1', 'b1'], 'c1', [int('group', 1), ints('kernel_shape', [3, 3]), ints('pads', [0, 0, 1, 1]), ints('strides', [2, 2])]),
    node('Clip', ['c1', 'relu6_min', 'relu6_max'], 'r1'),
    node('Conv', ['r1', 'wd', 'bd'], 'cd', [int('group', 8), ints('kernel_shape', [3, 3]), ints('pads', [1, 1, 1, 1]), ints('strides', [1, 1])]),
    node('Clip', ['cd', 'relu6_min', 'relu6_max'], 'rd'),
    node('Conv', ['rd', 'wp', 'bp'], 'cp', [int('group', 1), ints('kernel_shape', [1, 1]), ints('pads', [0, 0, 0, 0]), ints('strides', [1, 1])]),
    node('Add', ['cp', 'r1'], 'sum'),
    node('GlobalAveragePool', ['sum'], 'gap'),
    node('Flatten', ['gap'], 'embedding', [int('axis', 1)]),
    node('Gemm', ['embedding', 'fc_w', 'fc_b'], 'logits', [int('transB', 1)]),
  ];
  const graph = onnx.GraphProto.create({
    name: 'small-mobilenet',
    node: nodes,
    initializer,
    input: [info('input', ['batch', 3, SMALL_SIZE, SMALL_SIZE])],
    output: [info('embedding', ['batch', SMALL_DIM]), info('logits', ['batch', 5])],
  });
  const model = onnx.ModelProto.create({ irVersion: 7, producerName: 'skulens-test', graph, opsetImport: [{ domain: '', version: 13 }] });
  return onnx.ModelProto.encode(model).finish();
}

/** The backbone row of the small graph, as `<models>/small-cnn.backbone.json` would hold it. */
export const SMALL_ROW = {
  id: 'small-cnn',
  description: 'A small MobileNet-like test graph',
  runtime: 'onnx',
  input: { name: 'input', size: SMALL_SIZE, layout: 'nchw', resize: 'shorter-side-crop', shorterSide: 20, scale: { mean: [128, 128, 128], std: [128, 128, 128] } },
  tap: 'embedding',
  pool: 'none',
  dim: SMALL_DIM,
  weights: { source: 'file', file: 'small-cnn/model.onnx' },
} as const;

/** A temp folder removed at exit. */
export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `skulens-${prefix}-`));
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const COLOURS: Record<string, [number, number, number]> = { red: [200, 40, 40], green: [40, 180, 60], blue: [40, 60, 200] };

/**
 * A home with the small backbone in its models folder and project `p`: 3 colour labels, 8 train + 3 test
 * photos each. Train and test photos come from separate seeded noise streams, so two projects made with
 * different `testSeed`s differ only in their test photos.
 */
export async function smallProject(options: { testSeed?: number } = {}): Promise<{ home: HomeLayout; registry: Registry; root: string }> {
  const root = tempDir('finetune');
  const home = resolveHome(path.join(root, 'home'), {});
  fs.mkdirSync(path.join(home.models, 'small-cnn'), { recursive: true });
  fs.writeFileSync(path.join(home.models, 'small-cnn', 'model.onnx'), smallOnnxModel());
  fs.writeFileSync(path.join(home.models, 'small-cnn.backbone.json'), JSON.stringify(SMALL_ROW));
  const streams = { train: mulberry32(3), test: mulberry32(options.testSeed ?? 4) };
  for (const [label, rgb] of Object.entries(COLOURS)) {
    for (const split of ['train', 'test'] as const) {
      const random = streams[split];
      const dir = path.join(root, 'data', split, label);
      fs.mkdirSync(dir, { recursive: true });
      for (let k = 0; k < (split === 'train' ? 8 : 3); k++) {
        // Noisy colour fields, so photos differ (distinct hashes) yet stay easy to tell apart.
        const pixels = Buffer.alloc(64 * 64 * 3);
        for (let p = 0; p < pixels.length; p++) pixels[p] = Math.max(0, Math.min(255, rgb[p % 3]! + Math.round((random() - 0.5) * 120)));
        await sharp(pixels, { raw: { width: 64, height: 64, channels: 3 } }).png().toFile(path.join(dir, `${label}-${k}.png`));
      }
    }
  }
  const registry = Registry.open(home.database);
  registry.createProject('p');
  for (const split of ['train', 'test'] as const) await importFolder(registry, home, 'p', path.join(root, 'data', split), { split });
  return { home, registry, root };
}

/** Adds label `label` to project `p`: 8 train and 3 test photos of noisy `rgb` fields (a new SKU). */
export async function addColourLabel(registry: Registry, home: HomeLayout, root: string, label: string, rgb: [number, number, number]): Promise<void> {
  const random = mulberry32(11);
  for (const split of ['train', 'test'] as const) {
    const dir = path.join(root, 'added', label, split, label);
    fs.mkdirSync(dir, { recursive: true });
    for (let k = 0; k < (split === 'train' ? 8 : 3); k++) {
      const pixels = Buffer.alloc(64 * 64 * 3);
      for (let p = 0; p < pixels.length; p++) pixels[p] = Math.max(0, Math.min(255, rgb[p % 3]! + Math.round((random() - 0.5) * 120)));
      await sharp(pixels, { raw: { width: 64, height: 64, channels: 3 } }).png().toFile(path.join(dir, `${label}-${k}.png`));
    }
    await importFolder(registry, home, 'p', path.join(root, 'added', label, split), { split });
  }
}

/** The python the engine would use, if it can import torch and onnx; CI (SKULENS_REQUIRE_TORCH=1) insists. */
export function torchPython(): string | undefined {
  const found = pythonCandidates(undefined).find((python) => spawnSync(python, ['-c', 'import torch, onnx'], { stdio: 'ignore' }).status === 0);
  if (!found && process.env.SKULENS_REQUIRE_TORCH === '1') throw new Error('SKULENS_REQUIRE_TORCH=1 but no python with torch and onnx was found');
  return found;
}
