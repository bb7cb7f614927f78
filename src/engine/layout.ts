// The blocks above the cut rewritten for training on onnxruntime's CPU kernels, batch inside channels:
// activations are kept as [C, N*H*W] (a 1x1 convolution is then one GEMM for the whole batch, and its
// weight and input gradients are GEMMs with no transposes) or, the same memory, as one image of C*N
// channels [1, C*N, H, W] (a depthwise convolution is then a grouped convolution whose kernel, when
// frozen, is a constant that onnxruntime runs in its blocked layout). Other ops see NCHW again. The
// rewrite computes the same function with the same weights (checked by the engine's tests); the served
// graph stays the original.
import { convGeometry, opNode, type Graph, type OpNode } from '../autodiff/index.js';

type Form = { kind: 'cn' | 'folded' | 'nchw'; c: number; h: number; w: number };

/** Maps of at most this many cells (28 x 28) are folded; larger ones (a fine-tune's early layers) train faster as NCHW convolutions. */
const FOLD_AREA = 28 * 28;

const UNARY = new Set(['Clip', 'Relu', 'Sigmoid', 'HardSigmoid', 'HardSwish', 'Identity', 'Dropout', 'LeakyRelu', 'Neg']);
const BINARY = new Set(['Add', 'Sub', 'Mul', 'Div']);

export interface BatchInner {
  graph: Graph;
  nodes: OpNode[];
  /** The cut activations as one image of C*N channels: [1, C*N, H, W], channel c*N + n = image n's channel c. */
  inputDims: number[];
  /** The tap in NCHW. */
  tap: string;
}

/** Rewrites `upper` (reading `cut`, shape [C, H, W] per image) for a batch of `batch` images. */
export function batchInner(graph: Graph, upper: readonly OpNode[], cut: string, cutShape: readonly number[], batch: number, tap: string): BatchInner {
  const ints = new Map(graph.ints);
  const nodes: OpNode[] = [];
  const forms = new Map<string, Form>();
  let counter = 0;
  const fresh = (stem: string): string => `skulens_l_${stem}_${++counter}`;
  const shape = (values: number[]): string => {
    const name = fresh('shape');
    ints.set(name, values);
    return name;
  };
  const emit = (op: string, inputs: string[], output: string, attrs: Parameters<typeof opNode>[3] = {}): string => {
    nodes.push(opNode(op, inputs, [output], attrs, fresh(op)));
    return output;
  };
  const reduceMean = (x: string, axes: number[], output: string): string =>
    graph.opset >= 18 ? emit('ReduceMean', [x, shape(axes)], output, { keepdims: 0 }) : emit('ReduceMean', [x], output, { axes, keepdims: 0 });
  const N = batch;
  const as = (name: string, kind: Form['kind']): string => {
    const f = forms.get(name);
    if (!f || f.kind === kind) return name;
    let x = name;
    if (f.kind === 'nchw') x = emit('Transpose', [x], fresh('cnhw'), { perm: [1, 0, 2, 3] });
    const out = kind === 'cn' ? [f.c, N * f.h * f.w] : kind === 'folded' ? [1, f.c * N, f.h, f.w] : [f.c, N, f.h, f.w];
    x = emit('Reshape', [x, shape(out)], fresh(kind));
    if (kind === 'nchw') x = emit('Transpose', [x], fresh('nchw'), { perm: [1, 0, 2, 3] });
    forms.set(x, { ...f, kind });
    return x;
  };
  const [C, H, W] = cutShape as [number, number, number];
  forms.set(cut, { kind: 'folded', c: C, h: H, w: W });
  // Shapes of the NCHW tensors between the input and the first map small enough to fold (fine-tuning's early layers).
  const plainShapes = new Map<string, Form>();
  const plainForm = (name: string): Form | undefined => plainShapes.get(name);
  for (const node of upper) {
    const x = node.inputs[0]!;
    const f = forms.get(x) ?? (node.op === 'Conv' ? plainForm(x) : undefined);
    const out = node.outputs[0]!;
    const weights = node.op === 'Conv' ? graph.floats.get(node.inputs[1]!) : undefined;
    if (forms.has(x) && f && weights) {
      const [cout, m, kh, kw] = weights.dims as [number, number, number, number];
      const geometry = convGeometry(node, [N, f.c, f.h, f.w], weights.dims);
      const bias = node.inputs[2] || undefined;
      const pointwise = kh === 1 && kw === 1 && geometry.group === 1 && geometry.strides.every((s) => s === 1) && geometry.pads.every((p) => p === 0);
      if (pointwise) {
        const w2 = emit('Reshape', [node.inputs[1]!, shape([cout, m])], fresh('w2d'));
        const inputs = [w2, as(x, 'cn')];
        if (bias) inputs.push(emit('Reshape', [bias, shape([cout, 1])], fresh('b2d')));
        emit('Gemm', inputs, out);
        forms.set(out, { kind: 'cn', c: cout, h: f.h, w: f.w });
        continue;
      }
      if (geometry.group === f.c && m === 1 && cout === f.c) {
        const folded = emit('Reshape', [emit('Expand', [node.inputs[1]!, shape([cout, N, kh, kw])], fresh('wexp')), shape([cout * N, 1, kh, kw])], fresh('wfold'));
        const attrs = { pads: geometry.pads, strides: geometry.strides, dilations: geometry.dilations, group: cout * N };
        if (bias) {
          const conv = emit('Conv', [as(x, 'folded'), folded], fresh('dw'), attrs);
          const b = emit('Reshape', [emit('Expand', [emit('Reshape', [bias, shape([cout, 1])], fresh('bcol')), shape([cout, N])], fresh('bexp')), shape([1, cout * N, 1, 1])], fresh('bfold'));
          emit('Add', [conv, b], out);
        } else emit('Conv', [as(x, 'folded'), folded], out, attrs);
        forms.set(out, { kind: 'folded', c: cout, h: geometry.out[0], w: geometry.out[1] });
        continue;
      }
    }
    if (f && UNARY.has(node.op)) {
      nodes.push({ ...node });
      forms.set(out, f);
      continue;
    }
    if (BINARY.has(node.op) && f) {
      const other = node.inputs[1]!;
      const g = forms.get(other);
      if (g) {
        const kind = f.kind === 'nchw' || g.kind === 'nchw' ? 'nchw' : f.kind;
        nodes.push(opNode(node.op, [as(x, kind), as(other, kind)], [out], {}, node.name));
        forms.set(out, { ...f, kind });
        continue;
      }
      if ((graph.floats.get(other)?.data.length ?? 0) === 1) {
        nodes.push({ ...node });
        forms.set(out, f);
        continue;
      }
    }
    if (f && node.op === 'GlobalAveragePool') {
      const pooled = reduceMean(emit('Reshape', [as(x, 'cn'), shape([f.c, N, f.h * f.w])], fresh('spatial')), [2], fresh('gap'));
      emit('Reshape', [emit('Transpose', [pooled], fresh('nc'), { perm: [1, 0] }), shape([N, f.c, 1, 1])], out);
      forms.set(out, { kind: 'nchw', c: f.c, h: 1, w: 1 });
      continue;
    }
    // Anything else runs as in the original graph, on NCHW tensors; a convolution's output (a full convolution
    // such as a stem) comes back into the batch-inside-channels layout for the blocks after it.
    const inputs = node.inputs.map((name) => (forms.has(name) ? as(name, 'nchw') : name));
    if (f && weights && convGeometry(node, [N, f.c, f.h, f.w], weights.dims).out.reduce((a, b) => a * b, 1) <= FOLD_AREA) {
      const geometry = convGeometry(node, [N, f.c, f.h, f.w], weights.dims);
      const plain = fresh('conv');
      nodes.push({ ...node, inputs, outputs: [plain], proto: { ...node.proto, input: inputs, output: [plain] } });
      emit('Reshape', [emit('Transpose', [plain], fresh('cnhw'), { perm: [1, 0, 2, 3] }), shape([1, weights.dims[0]! * N, ...geometry.out])], out);
      forms.set(out, { kind: 'folded', c: weights.dims[0]!, h: geometry.out[0], w: geometry.out[1] });
      continue;
    }
    nodes.push({ ...node, inputs, proto: { ...node.proto, input: inputs } });
    // Track NCHW maps (channels, side) through convolutions and the ops that keep their shape.
    const g = f ?? plainForm(x);
    if (g && weights) {
      const geometry = convGeometry(node, [N, g.c, g.h, g.w], weights.dims);
      plainShapes.set(out, { kind: 'nchw', c: weights.dims[0]!, h: geometry.out[0], w: geometry.out[1] });
    } else if (g && (UNARY.has(node.op) || BINARY.has(node.op))) plainShapes.set(out, { ...g, kind: 'nchw' });
  }
  const tapForm = forms.get(tap);
  const nchwTap = tapForm && tapForm.kind !== 'nchw' ? as(tap, 'nchw') : tap;
  return { graph: { ...graph, ints }, nodes, inputDims: [1, C * N, H, W], tap: nchwTap };
}
