// Gradient rules of the linear algebra: Gemm and MatMul, inference-mode BatchNormalization (the fixed
// per-channel affine it is once trained: only its scale and bias can learn) and L2 normalisation.
import { float, type Attributes } from '../../onnx/index.js';
import type { GradRule } from '../context.js';
import { floatAttr, intAttr } from '../graph.js';

const gemm: GradRule = (ctx, node, [dY]) => {
  if (!dY) return [];
  const [a, b, c] = node.inputs as [string, string, string | undefined];
  const ta = intAttr(node, 'transA', 0);
  const tb = intAttr(node, 'transB', 0);
  const alpha = floatAttr(node, 'alpha', 1);
  const beta = floatAttr(node, 'beta', 1);
  const scaled: Attributes = alpha === 1 ? {} : { alpha: float(alpha) };
  // Y = op(A) op(B): each operand's gradient is one Gemm of the other operand and dY, transposed to its layout.
  const dA = ta ? ctx.node('Gemm', [b, dY], { transA: tb, transB: 1, ...scaled }) : ctx.node('Gemm', [dY, b], { transB: tb ? 0 : 1, ...scaled });
  const dB = tb ? ctx.node('Gemm', [dY, a], { transA: 1, transB: ta, ...scaled }) : ctx.node('Gemm', [a, dY], { transA: ta ? 0 : 1, ...scaled });
  const dC = c && ctx.wants(node, 2) ? ctx.unbroadcast(beta === 1 ? dY : ctx.node('Mul', [dY, ctx.scalar(beta)]), ctx.shape(node.outputs[0]!), ctx.shape(c)) : undefined;
  return [ctx.wants(node, 0) ? dA : undefined, ctx.wants(node, 1) ? dB : undefined, dC];
};

const matMul: GradRule = (ctx, node, [dY]) => {
  if (!dY) return [];
  const [a, b] = node.inputs as [string, string];
  const as = ctx.shape(a);
  const [k, n] = ctx.shape(b) as [number, number];
  const rows = as.slice(0, -1).reduce((p, d) => p * d, 1);
  return [
    ctx.wants(node, 0) ? ctx.node('MatMul', [dY, ctx.transpose(b, [1, 0])]) : undefined,
    ctx.wants(node, 1) ? ctx.node('Gemm', [ctx.reshape(a, [rows, k]), ctx.reshape(dY, [rows, n])], { transA: 1 }) : undefined,
  ];
};

const batchNorm: GradRule = (ctx, node, [dY]) => {
  if (!dY) return [];
  const [x, scale, , mean, variance] = node.inputs as [string, string, string, string, string];
  if (ctx.wants(node, 3) || ctx.wants(node, 4)) ctx.refuse(node, 'its mean and variance must be constants (the graph is an inference graph)');
  const xs = ctx.shape(x);
  const channels = xs[1]!;
  const perChannel = xs.map((d, k) => (k === 1 ? d : 1));
  const axes = xs.flatMap((_, k) => (k === 1 ? [] : [k]));
  // inv = 1 / sqrt(var + eps), a constant of the graph.
  const inv = ctx.node('Reciprocal', [ctx.node('Sqrt', [ctx.node('Add', [variance, ctx.scalar(floatAttr(node, 'epsilon', 1e-5))])])]);
  const grads: (string | undefined)[] = [];
  if (ctx.wants(node, 0)) grads[0] = ctx.node('Mul', [dY, ctx.reshape(ctx.node('Mul', [scale, inv]), perChannel)]);
  if (ctx.wants(node, 1)) {
    const normalised = ctx.node('Mul', [ctx.node('Sub', [x, ctx.reshape(mean, perChannel)]), ctx.reshape(inv, perChannel)]);
    grads[1] = ctx.reshape(ctx.reduceSum(ctx.node('Mul', [dY, normalised]), axes, false), [channels]);
  }
  if (ctx.wants(node, 2)) grads[2] = ctx.reshape(ctx.reduceSum(dY, axes, false), [channels]);
  return grads;
};

const lpNormalization: GradRule = (ctx, node, [dY]) => {
  if (!dY || !ctx.wants(node, 0)) return [];
  if (intAttr(node, 'p', 2) !== 2) ctx.refuse(node, 'only p = 2');
  const x = node.inputs[0]!;
  const y = node.outputs[0]!;
  const rank = ctx.shape(x).length;
  const axis0 = intAttr(node, 'axis', -1);
  const axis = axis0 < 0 ? axis0 + rank : axis0;
  // y = x / |x|: dx = (dy - y (y . dy)) / |x|.
  const norm = ctx.reduce('ReduceL2', x, [axis], true);
  const along = ctx.reduceSum(ctx.node('Mul', [dY, y]), [axis], true);
  return [ctx.node('Div', [ctx.node('Sub', [dY, ctx.node('Mul', [y, along])]), norm])];
};

export const LINEAR_RULES: Readonly<Record<string, GradRule>> = {
  Gemm: gemm,
  MatMul: matMul,
  BatchNormalization: batchNorm,
  LpNormalization: lpNormalization,
};
