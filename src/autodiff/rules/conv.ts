// The gradient rule of a 2-D convolution (grouped and depthwise, strided, padded, dilated):
// - bias: the output gradient summed over batch and space;
// - input: a stride-1 convolution of the output gradient with the kernel flipped and its in/out
//   channels swapped per group (onnxruntime runs it faster than ConvTranspose), or ConvTranspose when strided;
// - weights: for a 1x1 convolution one GEMM of [Cout, N*H*W] by [Cin, N*H*W]^T; otherwise a convolution of
//   the (padded) input, batch and channels swapped, by the output gradient (batch as in-channels).
import type { GradContext, GradRule } from '../context.js';
import type { OpNode } from '../graph.js';
import { convGeometry, type ConvGeometry } from '../shapes.js';

/** The forward kernel flipped in space, with in- and out-channels swapped within each group: [Cin, Cout/g, kh, kw]. */
function flippedTransposed(ctx: GradContext, w: string, ws: readonly number[], g: ConvGeometry): string {
  const [cout, m, kh, kw] = ws as [number, number, number, number];
  const o = cout / g.group;
  let t = w;
  if (m !== 1 || o !== 1) {
    t = ctx.reshape(ctx.transpose(ctx.reshape(w, [g.group, o, m, kh, kw]), [0, 2, 1, 3, 4]), [g.group * m, o, kh, kw]);
  }
  if (kh > 1) t = ctx.node('Gather', [t, ctx.ints(Array.from({ length: kh }, (_, k) => kh - 1 - k))], { axis: 2 });
  if (kw > 1) t = ctx.node('Gather', [t, ctx.ints(Array.from({ length: kw }, (_, k) => kw - 1 - k))], { axis: 3 });
  return t;
}

function inputGradient(ctx: GradContext, node: OpNode, dY: string, xs: readonly number[], ws: readonly number[], g: ConvGeometry): string {
  const w = node.inputs[1]!;
  const span = g.kernel.map((k, a) => (k - 1) * g.dilations[a]!);
  const [pt, pl, pb, pr] = g.pads;
  const back = [span[0]! - pt, span[1]! - pl, span[0]! - pb, span[1]! - pr];
  if (g.strides[0] === 1 && g.strides[1] === 1 && back.every((p) => p >= 0)) {
    return ctx.node('Conv', [dY, flippedTransposed(ctx, w, ws, g)], { pads: back, dilations: [...g.dilations], group: g.group });
  }
  // Strided: ConvTranspose, whose output is (in - 1) * s + span + 1 - pads + output_padding; pick the padding that
  // gives the input's size. (Spreading dY with zeros for a stride-1 convolution measured no faster: the 6-d Pad
  // that spreads it is slow, and a ConvTranspose with a constant kernel runs as fast as the convolution after it.)
  const outputPadding = [0, 1].map((a) => xs[2 + a]! - ((g.out[a]! - 1) * g.strides[a]! + span[a]! + 1 - g.pads[a]! - g.pads[a + 2]!));
  if (outputPadding.some((p, a) => p < 0 || p >= Math.max(g.strides[a]!, g.dilations[a]!))) ctx.refuse(node, `no transposed convolution gives its input's size [${xs}]`);
  return ctx.node('ConvTranspose', [dY, w], { strides: [...g.strides], dilations: [...g.dilations], pads: [...g.pads], group: g.group, output_padding: outputPadding });
}

function weightGradient(ctx: GradContext, node: OpNode, dY: string, xs: readonly number[], ws: readonly number[], g: ConvGeometry): string {
  const x = node.inputs[0]!;
  const [n, cin, h, w] = xs as [number, number, number, number];
  const [cout, m, kh, kw] = ws as [number, number, number, number];
  const pointwise = kh === 1 && kw === 1 && g.group === 1 && g.strides.every((s) => s === 1) && g.pads.every((p) => p === 0);
  if (pointwise) {
    const dYt = ctx.reshape(ctx.transpose(dY, [1, 0, 2, 3]), [cout, n * h * w]);
    const xt = ctx.reshape(ctx.transpose(x, [1, 0, 2, 3]), [cin, n * h * w]);
    return ctx.reshape(ctx.node('Gemm', [dYt, xt], { transB: 1 }), ws);
  }
  const padded = g.pads.some((p) => p !== 0) ? ctx.node('Pad', [x, ctx.ints([0, 0, g.pads[0], g.pads[1], 0, 0, g.pads[2], g.pads[3]])], { mode: 'constant' }) : x;
  const hp = h + g.pads[0] + g.pads[2];
  const wp = w + g.pads[1] + g.pads[3];
  // In-channels (batch of the weight convolution) m, channels g * N: channel k * N + n holds image n's channel k * m + c.
  const xt = g.group === 1 ? ctx.transpose(padded, [1, 0, 2, 3]) : ctx.reshape(ctx.transpose(ctx.reshape(padded, [n, g.group, m, hp, wp]), [2, 1, 0, 3, 4]), [m, g.group * n, hp, wp]);
  const dYt = ctx.transpose(dY, [1, 0, 2, 3]);
  const full = ctx.node('Conv', [xt, dYt], { strides: [...g.dilations], dilations: [...g.strides], group: g.group });
  // The weight convolution may reach rows and columns past the kernel (a stride that does not divide the input): keep the kernel's.
  const reach = [0, 1].map((a) => Math.floor(([hp, wp][a]! - ((g.out[a]! - 1) * g.strides[a]! + 1)) / g.dilations[a]!) + 1);
  const kernel = reach[0]! > kh || reach[1]! > kw ? ctx.node('Slice', [full, ctx.ints([0, 0]), ctx.ints([kh, kw]), ctx.ints([2, 3])]) : full;
  return ctx.transpose(kernel, [1, 0, 2, 3]);
}

export const conv: GradRule = (ctx, node, [dY]) => {
  if (!dY) return [];
  const xs = ctx.shape(node.inputs[0]!);
  const ws = ctx.shape(node.inputs[1]!);
  const g = convGeometry(node, xs, ws);
  return [
    ctx.wants(node, 0) ? inputGradient(ctx, node, dY, xs, ws, g) : undefined,
    ctx.wants(node, 1) ? weightGradient(ctx, node, dY, xs, ws, g) : undefined,
    ctx.wants(node, 2) ? ctx.reduceSum(dY, [0, 2, 3], false) : undefined,
  ];
};
