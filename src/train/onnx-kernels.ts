// The dense algebra of large head trainings on onnxruntime's CPU GEMM (measured 12 GFLOP/s on one
// core against 0.5 for the JS kernels): small ONNX graphs that compute a head's loss and gradients on
// one mini-batch of raw rows (standardised inside the graph), and a head's probabilities. Runs
// synchronously, like the rest of src/train, through the backbone domain's synchronous session, so
// trainHead keeps its signature.
import os from 'node:os';
import { openSyncOnnxSession, type SyncOnnxSession } from '../backbone/index.js';
import { GraphBuilder, int64Tensor, type Attributes, type ValueSpec } from '../onnx/index.js';
import type { Head } from './types.js';

type Dim = number | string;
type Feeds = Record<string, Float32Array | [Float32Array, number[]]>;
/** One node of a kernel: op type, inputs, its one output and attributes. */
type Step = readonly [opType: string, inputs: readonly string[], output: string, attributes?: Attributes];

/** ReduceSum takes its axes as an input since opset 13: int64 constants a kernel gets when it reads them. */
const AXES: readonly (readonly [string, number[]])[] = [
  ['axis0', [0]],
  ['axes01', [0, 1]],
];

const specs = (values: Record<string, Dim[]>): ValueSpec[] => Object.entries(values).map(([name, dims]) => ({ name, dims }));

/** A compiled graph: named float inputs in, named float outputs back. */
export class Kernel {
  private readonly session: SyncOnnxSession;
  constructor(
    steps: readonly Step[],
    private readonly inputs: Record<string, Dim[]>,
    private readonly outputs: Record<string, Dim[]>,
  ) {
    const graph = new GraphBuilder();
    for (const [opType, input, output, attributes] of steps) graph.node(opType, input, { output }, attributes);
    for (const [name, values] of AXES) if (steps.some(([, input]) => input.includes(name))) graph.initializers.push(int64Tensor(name, [values.length], values));
    const bytes = graph.encode({ graphName: 'skulens_train', inputs: specs(inputs), outputs: specs(outputs), opset: 17, irVersion: 8 });
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

/** x (raw rows) -> xs = (x - mean) * inv. */
const STANDARDISE: readonly Step[] = [
  ['Sub', ['x', 'mean'], 'xc'],
  ['Mul', ['xc', 'inv'], 'xs'],
];

/**
 * Softmax cross-entropy on logits `z` against `yw` (one-hot x sample weight) and `sw` (sample weight,
 * [B,1]): outputs `loss` (sum_i w_i logloss_i) and leaves `r` = w (p - onehot), the logits' gradient.
 */
const SOFTMAX_LOSS: readonly Step[] = [
  ['ReduceLogSumExp', ['z'], 'lse', { axes: [1], keepdims: 1 }],
  ['Sub', ['z', 'lse'], 'logp'],
  ['Exp', ['logp'], 'p'],
  ['Mul', ['p', 'sw'], 'pw'],
  ['Sub', ['pw', 'yw'], 'r'],
  ['Mul', ['yw', 'logp'], 'ywlogp'],
  ['ReduceSum', ['ywlogp', 'axes01'], 'negloss', { keepdims: 0 }],
  ['Neg', ['negloss'], 'loss'],
];

/** Gradient kernel of the logistic head: inputs x, mean, inv, yw, sw, W, b; outputs loss, gW, gb. */
export function logisticGradientKernel(dim: number, classes: number): Kernel {
  return new Kernel(
    [
      ...STANDARDISE,
      ['Gemm', ['xs', 'W', 'b'], 'z', { transB: 1 }],
      ...SOFTMAX_LOSS,
      ['Gemm', ['r', 'xs'], 'gW', { transA: 1 }],
      ['ReduceSum', ['r', 'axis0'], 'gb', { keepdims: 0 }],
    ],
    { x: ['B', dim], mean: [dim], inv: [dim], yw: ['B', classes], sw: ['B', 1], W: [classes, dim], b: [classes] },
    { loss: [], gW: [classes, dim], gb: [classes] },
  );
}

/** Gradient kernel of the one-hidden-layer MLP: inputs x, mean, inv, yw, sw, W1, b1, W2, b2; outputs loss and the four gradients. */
export function mlpGradientKernel(dim: number, hidden: number, classes: number): Kernel {
  return new Kernel(
    [
      ...STANDARDISE,
      ['Gemm', ['xs', 'W1', 'b1'], 'a', { transB: 1 }],
      ['Relu', ['a'], 'h'],
      ['Gemm', ['h', 'W2', 'b2'], 'z', { transB: 1 }],
      ...SOFTMAX_LOSS,
      ['Gemm', ['r', 'h'], 'gW2', { transA: 1 }],
      ['ReduceSum', ['r', 'axis0'], 'gb2', { keepdims: 0 }],
      ['MatMul', ['r', 'W2'], 'dh'],
      // ReLU passes the gradient only where the unit was active; h >= 0, so sign(h) is that mask.
      ['Sign', ['h'], 'mask'],
      ['Mul', ['dh', 'mask'], 'da'],
      ['Gemm', ['da', 'xs'], 'gW1', { transA: 1 }],
      ['ReduceSum', ['da', 'axis0'], 'gb1', { keepdims: 0 }],
    ],
    { x: ['B', dim], mean: [dim], inv: [dim], yw: ['B', classes], sw: ['B', 1], W1: [hidden, dim], b1: [hidden], W2: [classes, hidden], b2: [classes] },
    { loss: [], gW1: [hidden, dim], gb1: [hidden], gW2: [classes, hidden], gb2: [classes] },
  );
}

/** Probabilities of a (raw-input) head for a batch of rows, the same function as headProbabilities. */
export function probabilityKernel(head: Head): { kernel: Kernel; weights: Feeds } {
  const { dim, numClasses: K } = head;
  if (head.kind === 'logistic') {
    const kernel = new Kernel(
      [
        ['Gemm', ['x', 'W', 'b'], 'z', { transB: 1 }],
        ['Softmax', ['z'], 'p', { axis: 1 }],
      ],
      { x: ['B', dim], W: [K, dim], b: [K] },
      { p: ['B', K] },
    );
    return { kernel, weights: { W: head.weights, b: head.bias } };
  }
  const H = head.hidden;
  const kernel = new Kernel(
    [
      ['Gemm', ['x', 'W1', 'b1'], 'a', { transB: 1 }],
      ['Relu', ['a'], 'h'],
      ['Gemm', ['h', 'W2', 'b2'], 'z', { transB: 1 }],
      ['Softmax', ['z'], 'p', { axis: 1 }],
    ],
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
