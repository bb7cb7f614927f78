// The dense algebra of large head trainings on onnxruntime's CPU GEMM (measured 12 GFLOP/s on one
// core against 0.5 for the JS kernels): small ONNX graphs that compute a head's loss and gradients on
// one mini-batch of raw rows (standardised inside the graph), and a head's probabilities. Runs
// synchronously, like the rest of src/train, through the backbone domain's synchronous session, so
// trainHead keeps its signature.
import os from 'node:os';
import onnxProto from 'onnx-proto';
import { openSyncOnnxSession, type SyncOnnxSession } from '../backbone/index.js';
import type { Head } from './types.js';

const { onnx } = onnxProto;
type NodeProto = InstanceType<typeof onnx.NodeProto>;
type Dim = number | string;
type Feeds = Record<string, Float32Array | [Float32Array, number[]]>;

const attrInt = (name: string, i: number) => onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INT, i });
const attrInts = (name: string, ints: number[]) => onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INTS, ints });
const valueInfo = (name: string, dims: Dim[]) =>
  onnx.ValueInfoProto.create({
    name,
    type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
  });

/** A compiled graph: named float inputs in, named float outputs back. */
export class Kernel {
  private readonly session: SyncOnnxSession;
  constructor(
    nodes: NodeProto[],
    private readonly inputs: Record<string, Dim[]>,
    private readonly outputs: Record<string, Dim[]>,
  ) {
    // ReduceSum takes its axes as an input since opset 13: two int64 constants.
    const axes = (name: string, values: number[]) =>
      onnx.TensorProto.create({ name, dims: [values.length], dataType: onnx.TensorProto.DataType.INT64, int64Data: values });
    const graph = onnx.GraphProto.create({
      name: 'skulens_train',
      node: nodes,
      initializer: [axes('axis0', [0]), axes('axes01', [0, 1])].filter((t) => nodes.some((node) => node.input.includes(t.name))),
      input: Object.entries(inputs).map(([name, dims]) => valueInfo(name, dims)),
      output: Object.entries(outputs).map(([name, dims]) => valueInfo(name, dims)),
    });
    const bytes = onnx.ModelProto.encode(onnx.ModelProto.create({ irVersion: 8, opsetImport: [{ domain: '', version: 17 }], graph })).finish();
    // Two threads at most: the GEMMs are large enough to share, and the server keeps serving beside.
    this.session = openSyncOnnxSession(bytes, Math.min(2, os.availableParallelism()));
  }

  /** Runs the graph; an input given without dims takes the graph's fixed dims. */
  run(feeds: Feeds): Record<string, Float32Array> {
    const tensors = Object.fromEntries(
      Object.entries(feeds).map(([name, value]) => {
        const [data, dims] = Array.isArray(value) ? value : [value, this.inputs[name] as number[]];
        return [name, { data, dims }];
      }),
    );
    return this.session.run(tensors, Object.keys(this.outputs));
  }
}

const n = (opType: string, input: string[], output: string, attribute: ReturnType<typeof attrInt>[] = []): NodeProto =>
  onnx.NodeProto.create({ opType, input, output: [output], attribute });

/** x (raw rows) -> xs = (x - mean) * inv. */
const standardiseNodes = (): NodeProto[] => [n('Sub', ['x', 'mean'], 'xc'), n('Mul', ['xc', 'inv'], 'xs')];

/**
 * Softmax cross-entropy on logits `z` against `yw` (one-hot x sample weight) and `sw` (sample weight,
 * [B,1]): outputs `loss` (sum_i w_i logloss_i) and leaves `r` = w (p - onehot), the logits' gradient.
 */
const softmaxLossNodes = (): NodeProto[] => [
  n('ReduceLogSumExp', ['z'], 'lse', [attrInts('axes', [1]), attrInt('keepdims', 1)]),
  n('Sub', ['z', 'lse'], 'logp'),
  n('Exp', ['logp'], 'p'),
  n('Mul', ['p', 'sw'], 'pw'),
  n('Sub', ['pw', 'yw'], 'r'),
  n('Mul', ['yw', 'logp'], 'ywlogp'),
  n('ReduceSum', ['ywlogp', 'axes01'], 'negloss', [attrInt('keepdims', 0)]),
  n('Neg', ['negloss'], 'loss'),
];

/** Gradient kernel of the logistic head: inputs x, mean, inv, yw, sw, W, b; outputs loss, gW, gb. */
export function logisticGradientKernel(dim: number, classes: number): Kernel {
  return new Kernel(
    [
      ...standardiseNodes(),
      n('Gemm', ['xs', 'W', 'b'], 'z', [attrInt('transB', 1)]),
      ...softmaxLossNodes(),
      n('Gemm', ['r', 'xs'], 'gW', [attrInt('transA', 1)]),
      n('ReduceSum', ['r', 'axis0'], 'gb', [attrInt('keepdims', 0)]),
    ],
    { x: ['B', dim], mean: [dim], inv: [dim], yw: ['B', classes], sw: ['B', 1], W: [classes, dim], b: [classes] },
    { loss: [], gW: [classes, dim], gb: [classes] },
  );
}

/** Gradient kernel of the one-hidden-layer MLP: inputs x, mean, inv, yw, sw, W1, b1, W2, b2; outputs loss and the four gradients. */
export function mlpGradientKernel(dim: number, hidden: number, classes: number): Kernel {
  return new Kernel(
    [
      ...standardiseNodes(),
      n('Gemm', ['xs', 'W1', 'b1'], 'a', [attrInt('transB', 1)]),
      n('Relu', ['a'], 'h'),
      n('Gemm', ['h', 'W2', 'b2'], 'z', [attrInt('transB', 1)]),
      ...softmaxLossNodes(),
      n('Gemm', ['r', 'h'], 'gW2', [attrInt('transA', 1)]),
      n('ReduceSum', ['r', 'axis0'], 'gb2', [attrInt('keepdims', 0)]),
      n('MatMul', ['r', 'W2'], 'dh'),
      // ReLU passes the gradient only where the unit was active; h >= 0, so sign(h) is that mask.
      n('Sign', ['h'], 'mask'),
      n('Mul', ['dh', 'mask'], 'da'),
      n('Gemm', ['da', 'xs'], 'gW1', [attrInt('transA', 1)]),
      n('ReduceSum', ['da', 'axis0'], 'gb1', [attrInt('keepdims', 0)]),
    ],
    { x: ['B', dim], mean: [dim], inv: [dim], yw: ['B', classes], sw: ['B', 1], W1: [hidden, dim], b1: [hidden], W2: [classes, hidden], b2: [classes] },
    { loss: [], gW1: [hidden, dim], gb1: [hidden], gW2: [classes, hidden], gb2: [classes] },
  );
}

/** Probabilities of a (raw-input) head for a batch of rows, the same function as headProbabilities. */
export function probabilityKernel(head: Head): { kernel: Kernel; weights: Feeds } {
  const { dim, numClasses: K } = head;
  if (head.kind === 'logistic') {
    const kernel = new Kernel([n('Gemm', ['x', 'W', 'b'], 'z', [attrInt('transB', 1)]), n('Softmax', ['z'], 'p', [attrInt('axis', 1)])], { x: ['B', dim], W: [K, dim], b: [K] }, { p: ['B', K] });
    return { kernel, weights: { W: head.weights, b: head.bias } };
  }
  const H = head.hidden;
  const kernel = new Kernel(
    [n('Gemm', ['x', 'W1', 'b1'], 'a', [attrInt('transB', 1)]), n('Relu', ['a'], 'h'), n('Gemm', ['h', 'W2', 'b2'], 'z', [attrInt('transB', 1)]), n('Softmax', ['z'], 'p', [attrInt('axis', 1)])],
    { x: ['B', dim], W1: [H, dim], b1: [H], W2: [K, H], b2: [K] },
    { p: ['B', K] },
  );
  return { kernel, weights: { W1: head.w1, b1: head.b1, W2: head.w2, b2: head.b2 } };
}

/** Rows per probability batch. */
const PREDICT_BATCH = 1024;

/**
 * Class probabilities of `rows` under `head`, in batches on onnxruntime (float32 throughout: they agree
 * with {@link headProbabilities} to about 1e-6).
 */
export function batchProbabilities(head: Head, rows: readonly Float32Array[]): Float32Array[] {
  const { kernel, weights } = probabilityKernel(head);
  const out: Float32Array[] = new Array(rows.length);
  const x = new Float32Array(PREDICT_BATCH * head.dim);
  for (let start = 0; start < rows.length; start += PREDICT_BATCH) {
    const count = Math.min(PREDICT_BATCH, rows.length - start);
    for (let k = 0; k < count; k++) x.set(rows[start + k]!, k * head.dim);
    const { p } = kernel.run({ ...weights, x: [x.subarray(0, count * head.dim), [count, head.dim]] });
    for (let k = 0; k < count; k++) out[start + k] = p!.slice(k * head.numClasses, (k + 1) * head.numClasses);
  }
  return out;
}
