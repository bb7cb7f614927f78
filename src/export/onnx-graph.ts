// Builds the exported ONNX graphs with onnx-proto: the trained head (Gemm, optional Relu + Gemm,
// Softmax) after an L2-normalisation, either appended to an ONNX backbone's graph at its tap (with the
// spec's pooling) or standing alone with an `embedding` input.
import onnxProto from 'onnx-proto';
import type { BackboneSpec } from '../backbone/index.js';
import type { Head } from '../train/index.js';

const { onnx } = onnxProto;
type Model = InstanceType<typeof onnx.ModelProto>;
type NodeInit = ConstructorParameters<typeof onnx.NodeProto>[0];

/** Names of the graph outputs every export has. */
export const OUTPUTS = Object.freeze({ probabilities: 'probabilities', embedding: 'skulens_embedding' });

const PREFIX = 'skulens_';

function floatTensor(name: string, dims: number[], values: Float32Array): InstanceType<typeof onnx.TensorProto> {
  const raw = new Uint8Array(values.length * 4);
  const view = new DataView(raw.buffer);
  values.forEach((value, k) => view.setFloat32(k * 4, value, true));
  return onnx.TensorProto.create({ name, dims, dataType: onnx.TensorProto.DataType.FLOAT, rawData: raw });
}

function intAttribute(name: string, value: number): InstanceType<typeof onnx.AttributeProto> {
  return onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INT, i: value });
}

function intsAttribute(name: string, values: number[]): InstanceType<typeof onnx.AttributeProto> {
  return onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INTS, ints: values });
}

function node(init: NonNullable<NodeInit>): InstanceType<typeof onnx.NodeProto> {
  return onnx.NodeProto.create(init);
}

function floatValueInfo(name: string, dims: (number | string)[]): InstanceType<typeof onnx.ValueInfoProto> {
  return onnx.ValueInfoProto.create({
    name,
    type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
  });
}

/**
 * Nodes and initializers that turn the tensor named `from` (already pooled, shape [N, dim]) into the
 * normalised embedding and the class probabilities, exactly as skulens computes them.
 */
function headPart(head: Head, from: string): { nodes: InstanceType<typeof onnx.NodeProto>[]; initializers: InstanceType<typeof onnx.TensorProto>[] } {
  const nodes = [node({ name: `${PREFIX}l2`, opType: 'LpNormalization', input: [from], output: [OUTPUTS.embedding], attribute: [intAttribute('axis', 1), intAttribute('p', 2)] })];
  const initializers: InstanceType<typeof onnx.TensorProto>[] = [];
  const gemm = (name: string, input: string, w: Float32Array, b: Float32Array, rows: number, cols: number, output: string): void => {
    initializers.push(floatTensor(`${name}_w`, [rows, cols], w), floatTensor(`${name}_b`, [rows], b));
    // Weights are row-major (rows = outputs), so transB = 1 computes x · Wᵀ + b.
    nodes.push(node({ name, opType: 'Gemm', input: [input, `${name}_w`, `${name}_b`], output: [output], attribute: [intAttribute('transB', 1)] }));
  };
  if (head.kind === 'logistic') {
    gemm(`${PREFIX}head`, OUTPUTS.embedding, head.weights, head.bias, head.numClasses, head.dim, `${PREFIX}logits`);
  } else {
    gemm(`${PREFIX}hidden`, OUTPUTS.embedding, head.w1, head.b1, head.hidden, head.dim, `${PREFIX}hidden_pre`);
    nodes.push(node({ name: `${PREFIX}relu`, opType: 'Relu', input: [`${PREFIX}hidden_pre`], output: [`${PREFIX}hidden_out`] }));
    gemm(`${PREFIX}head`, `${PREFIX}hidden_out`, head.w2, head.b2, head.numClasses, head.hidden, `${PREFIX}logits`);
  }
  nodes.push(node({ name: `${PREFIX}softmax`, opType: 'Softmax', input: [`${PREFIX}logits`], output: [OUTPUTS.probabilities], attribute: [intAttribute('axis', 1)] }));
  return { nodes, initializers };
}

/** Drops nodes and initializers that no graph output needs (e.g. the backbone's own classifier). */
function prune(model: Model): void {
  const graph = model.graph!;
  const needed = new Set(graph.output!.map((output) => output.name!));
  const kept: typeof graph.node = [];
  for (const current of [...graph.node!].reverse()) {
    if (!current.output!.some((name) => needed.has(name))) continue;
    kept.push(current);
    for (const name of current.input!) needed.add(name);
  }
  graph.node = kept.reverse();
  graph.initializer = graph.initializer!.filter((tensor) => needed.has(tensor.name!));
  graph.valueInfo = (graph.valueInfo ?? []).filter((info) => needed.has(info.name!));
}

function opsetOf(model: Model): number {
  const entry = model.opsetImport!.find((opset) => !opset.domain || opset.domain === 'ai.onnx');
  return Number(entry?.version ?? 0);
}

/**
 * The backbone's ONNX model with the head appended at `spec.tap`: outputs `probabilities` [N, classes]
 * and `skulens_embedding` [N, dim]; the backbone's other outputs are removed.
 */
export function appendHead(backboneBytes: Uint8Array, spec: BackboneSpec, head: Head): Uint8Array {
  const model = onnx.ModelProto.decode(backboneBytes);
  const graph = model.graph!;
  const opset = opsetOf(model);
  if (opset < 13) throw new Error(`the backbone uses opset ${opset}; export needs 13 or later`);
  const nodes: InstanceType<typeof onnx.NodeProto>[] = [];
  const initializers: InstanceType<typeof onnx.TensorProto>[] = [];
  const pooled = `${PREFIX}pooled`;
  if (spec.pool === 'mean-hw') {
    const axes = spec.input.layout === 'nhwc' ? [1, 2] : [2, 3];
    if (opset >= 18) {
      initializers.push(onnx.TensorProto.create({ name: `${PREFIX}pool_axes`, dims: [2], dataType: onnx.TensorProto.DataType.INT64, int64Data: axes }));
      nodes.push(node({ name: `${PREFIX}pool`, opType: 'ReduceMean', input: [spec.tap, `${PREFIX}pool_axes`], output: [pooled], attribute: [intAttribute('keepdims', 0)] }));
    } else {
      nodes.push(node({ name: `${PREFIX}pool`, opType: 'ReduceMean', input: [spec.tap], output: [pooled], attribute: [intsAttribute('axes', axes), intAttribute('keepdims', 0)] }));
    }
  } else {
    // skulens reads an un-pooled tap flat (batch 1), which Flatten(axis 1) reproduces per image.
    nodes.push(node({ name: `${PREFIX}flatten`, opType: 'Flatten', input: [spec.tap], output: [pooled], attribute: [intAttribute('axis', 1)] }));
  }
  const part = headPart(head, pooled);
  graph.node!.push(...nodes, ...part.nodes);
  graph.initializer!.push(...initializers, ...part.initializers);
  const batch = graph.input![0]?.type?.tensorType?.shape?.dim?.[0];
  const batchDim = batch?.dimParam ? batch.dimParam : Number(batch?.dimValue ?? 1) || 'N';
  graph.output = [floatValueInfo(OUTPUTS.probabilities, [batchDim, head.numClasses]), floatValueInfo(OUTPUTS.embedding, [batchDim, head.dim])];
  prune(model);
  model.producerName = 'skulens';
  return onnx.ModelProto.encode(model).finish();
}

/** A stand-alone head: input `embedding` [N, dim] (the backbone's pooled output), outputs as {@link appendHead}. */
export function headOnlyModel(head: Head): Uint8Array {
  const part = headPart(head, 'embedding');
  const model = onnx.ModelProto.create({
    irVersion: 7,
    producerName: 'skulens',
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'skulens_head',
      node: part.nodes,
      initializer: part.initializers,
      input: [floatValueInfo('embedding', ['N', head.dim])],
      output: [floatValueInfo(OUTPUTS.probabilities, ['N', head.numClasses]), floatValueInfo(OUTPUTS.embedding, ['N', head.dim])],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}
