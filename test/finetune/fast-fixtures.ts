// Fast-path fixtures: a two-stage MobileNet-like graph whose block outputs have 4 then 6 channels, with
// node names that say nothing of the structure (as a converted graph's), its backbone row, and a small
// project on it.
import fs from 'node:fs';
import path from 'node:path';
import onnxProto from 'onnx-proto';
import type { FastItem } from '../../src/finetune/index.js';
import type { HomeLayout } from '../../src/home/index.js';
import type { Registry } from '../../src/registry/index.js';
import { mulberry32 } from '../../src/train/index.js';
import { info, int, ints, smallProject, tensor } from './fixtures.js';

const { onnx } = onnxProto;
export const STAGED_DIM = 16;

/**
 * input [N,3,16,16] -> Conv 3x3/2 (8) -> Clip -> Conv 1x1 (4) = t3 (block output, 4 ch) -> Conv 1x1 (12)
 * -> Clip -> depthwise 3x3 -> Clip -> Conv 1x1 (4) -> Add(t3) = t9 (4 ch) -> Conv 1x1 (6) = t10 (6 ch)
 * -> Conv 1x1 (16) -> Clip -> GlobalAveragePool -> Flatten = embedding [N,16] -> Gemm = logits [N,3].
 * `topActivation` replaces that last Clip (e.g. with an op the training engine has no gradient rule for).
 */
export function stagedOnnxModel(seed = 5, topActivation = 'Clip'): Uint8Array {
  const random = mulberry32(seed);
  const values = (n: number, scale: number): number[] => Array.from({ length: n }, () => (random() * 2 - 1) * scale);
  const conv = (name: string, out: number, inC: number, k: number, group = 1) => [
    tensor(`${name}_w`, [out, inC / group, k, k], values((out * inC * k * k) / group, 1 / Math.sqrt((inC / group) * k * k))),
    tensor(`${name}_b`, [out], values(out, 0.1)),
  ];
  const initializer = [
    ...conv('a', 8, 3, 3), ...conv('b', 4, 8, 1), ...conv('c', 12, 4, 1), ...conv('d', 12, 12, 3, 12), ...conv('e', 4, 12, 1),
    ...conv('f', 6, 4, 1), ...conv('g', 16, 6, 1),
    tensor('fc_w', [3, 16], values(48, 0.5)), tensor('fc_b', [3], values(3, 0.1)),
    tensor('lo', [], [0]), tensor('hi', [], [6]),
  ];
  let n = 0;
  const node = (opType: string, input: string[], output: string, attribute: InstanceType<typeof onnx.AttributeProto>[] = []) =>
    onnx.NodeProto.create({ name: `op${n++}`, opType, input, output: [output], attribute });
  const convNode = (name: string, input: string, output: string, k: number, stride = 1, group = 1, pads = k === 3 ? [1, 1, 1, 1] : [0, 0, 0, 0]) =>
    node('Conv', [input, `${name}_w`, `${name}_b`], output, [int('group', group), ints('kernel_shape', [k, k]), ints('pads', pads), ints('strides', [stride, stride])]);
  const nodes = [
    convNode('a', 'input', 't1', 3, 2, 1, [0, 0, 1, 1]),
    node('Clip', ['t1', 'lo', 'hi'], 't2'),
    convNode('b', 't2', 't3', 1),
    convNode('c', 't3', 't4', 1),
    node('Clip', ['t4', 'lo', 'hi'], 't5'),
    convNode('d', 't5', 't6', 3, 1, 12),
    node('Clip', ['t6', 'lo', 'hi'], 't7'),
    convNode('e', 't7', 't8', 1),
    node('Add', ['t8', 't3'], 't9'),
    convNode('f', 't9', 't10', 1),
    convNode('g', 't10', 't11', 1),
    node(topActivation, topActivation === 'Clip' ? ['t11', 'lo', 'hi'] : ['t11'], 't12'),
    node('GlobalAveragePool', ['t12'], 't13'),
    node('Flatten', ['t13'], 'embedding', [int('axis', 1)]),
    node('Gemm', ['embedding', 'fc_w', 'fc_b'], 'logits', [int('transB', 1)]),
  ];
  const graph = onnx.GraphProto.create({
    name: 'staged',
    node: nodes,
    initializer,
    input: [info('input', ['batch', 3, 16, 16])],
    output: [info('embedding', ['batch', STAGED_DIM]), info('logits', ['batch', 3])],
  });
  return onnx.ModelProto.encode(onnx.ModelProto.create({ irVersion: 7, producerName: 'skulens-test', graph, opsetImport: [{ domain: '', version: 13 }] })).finish();
}

export const STAGED_ROW = {
  id: 'staged-cnn',
  description: 'A two-stage test graph for the fast path',
  runtime: 'onnx',
  input: { name: 'input', size: 16, layout: 'nchw', resize: 'shorter-side-crop', shorterSide: 20, scale: { mean: [128, 128, 128], std: [128, 128, 128] } },
  tap: 'embedding',
  pool: 'none',
  dim: STAGED_DIM,
  weights: { source: 'file', file: 'staged-cnn/model.onnx' },
} as const;

/** The small project of fixtures.ts (its options passed on) with the staged graph beside the small one. */
export async function stagedProject(options: Parameters<typeof smallProject>[0] = {}): ReturnType<typeof smallProject> {
  const project = await smallProject(options);
  fs.mkdirSync(path.join(project.home.models, 'staged-cnn'), { recursive: true });
  fs.writeFileSync(path.join(project.home.models, 'staged-cnn', 'model.onnx'), stagedOnnxModel());
  fs.writeFileSync(path.join(project.home.models, 'staged-cnn.backbone.json'), JSON.stringify(STAGED_ROW));
  return project;
}

/** Project p's labels, its training photos as the fast path takes them, and its test photos. */
export function trainItems(registry: Registry, home: HomeLayout): { labels: string[]; train: FastItem[]; test: { path: string; name: string }[] } {
  const entries = registry.listEntries(registry.getProject('p').id);
  const labels = [...new Set(entries.map((e) => e.label))].sort();
  const file = (blob: string): string => path.resolve(home.root, blob);
  return {
    labels,
    train: entries.filter((e) => e.split === 'train').map((e) => ({ sha256: e.sha256, path: file(e.blob), name: e.source, label: labels.indexOf(e.label), dhash: e.dhash })),
    test: entries.filter((e) => e.split === 'test').map((e) => ({ path: file(e.blob), name: e.source })),
  };
}
