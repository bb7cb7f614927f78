// Checks gradient rules against central finite differences: builds the vector-Jacobian product graph
// of a small graph the test made, runs it and the forward graph in onnxruntime (in float64 where every
// op has a double kernel, else float32), and compares analytic and numeric derivatives.
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { buildForward, buildVjp, opNode, type Graph, type OpNode } from '../../src/autodiff/index.js';
import { DataType, decodeModel, encodeModel, floatValues, type Attributes, type ModelProto } from '../../src/onnx/index.js';
import { mulberry32 } from '../../src/train/index.js';

export type Precision = 'float64' | 'float32';

/** A graph from nodes and float weights (all trainable unless listed in `fixed`). */
export function makeGraph(floats: Record<string, { dims: number[]; data?: Float32Array }>, ints: Record<string, number[]> = {}, seed = 1, opset = 13): Graph {
  const random = mulberry32(seed);
  const map = new Map(Object.entries(floats).map(([name, f]) => [name, { dims: f.dims, data: f.data ?? Float32Array.from({ length: f.dims.reduce((a, b) => a * b, 1) }, () => random() * 2 - 1) }]));
  return { nodes: [], floats: map, ints: new Map(Object.entries(ints)), inputs: new Map(), opset };
}

export const n = (op: string, inputs: string[], output: string, attrs: Attributes = {}): OpNode => opNode(op, inputs, [output], attrs);

/** The model with every FLOAT tensor made DOUBLE (initializers, inputs, outputs). */
function toDouble(bytes: Uint8Array): Uint8Array {
  const model: ModelProto = decodeModel(bytes);
  const g = model.graph!;
  for (const t of g.initializer ?? []) {
    if (t.dataType !== DataType.FLOAT) continue;
    const values = floatValues(t);
    const raw = new Uint8Array(values.length * 8);
    const view = new DataView(raw.buffer);
    values.forEach((v, k) => view.setFloat64(k * 8, v, true));
    t.dataType = DataType.DOUBLE;
    t.rawData = raw;
    t.floatData = [];
  }
  for (const v of [...(g.input ?? []), ...(g.output ?? [])]) if (v.type?.tensorType?.elemType === DataType.FLOAT) v.type.tensorType.elemType = DataType.DOUBLE;
  return encodeModel(model);
}

async function open(bytes: Uint8Array, precision: Precision): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(precision === 'float64' ? toDouble(bytes) : bytes, { intraOpNumThreads: 1, graphOptimizationLevel: 'disabled' });
}

export interface GradCheck {
  precision: Precision;
  /** max |analytic - numeric| / (|numeric| + scale), over the checked coordinates of every weight. */
  worst: number;
  checked: number;
}

/**
 * Compares the vjp graph's gradients of sum(dy * output) with central differences on up to `samples`
 * coordinates of each trainable weight.
 */
export async function checkGradients(
  graph: Graph,
  nodes: OpNode[],
  output: string,
  trainable: string[],
  options: { samples?: number; eps?: number; seed?: number; precision?: Precision; tolerance?: number; skipKinks?: boolean } = {},
): Promise<GradCheck> {
  const spec = { graph, nodes, inputs: [], trainable, outputs: [output], output };
  const { model, outputDims } = buildVjp(spec);
  const forward = buildForward(spec);
  let precision: Precision = options.precision ?? 'float64';
  let vjp: ort.InferenceSession;
  let fwd: ort.InferenceSession;
  try {
    vjp = await open(model, precision);
    fwd = await open(forward, precision);
  } catch (error) {
    if (precision === 'float32') throw error;
    precision = 'float32';
    vjp = await open(model, precision);
    fwd = await open(forward, precision);
  }
  const typed = (values: ArrayLike<number>): Float64Array | Float32Array => (precision === 'float64' ? Float64Array.from(values) : Float32Array.from(values));
  const type = precision === 'float64' ? 'float64' : 'float32';
  const random = mulberry32(options.seed ?? 7);
  const dy = typed(Array.from({ length: outputDims.reduce((a, b) => a * b, 1) }, () => random() * 2 - 1));
  const weights = new Map(trainable.map((name) => [name, typed(graph.floats.get(name)!.data)]));
  const feeds = (): Record<string, ort.Tensor> => Object.fromEntries(trainable.map((name) => [name, new ort.Tensor(type, weights.get(name)!, graph.floats.get(name)!.dims)]));
  const out = await vjp.run({ ...feeds(), skulens_dy: new ort.Tensor(type, dy, outputDims) });
  const objective = async (): Promise<number> => {
    const y = (await fwd.run(feeds()))[output]!.data as Float64Array | Float32Array;
    let total = 0;
    for (let k = 0; k < y.length; k++) total += y[k]! * dy[k]!;
    return total;
  };
  const eps = options.eps ?? (precision === 'float64' ? 1e-6 : 2e-3);
  let worst = 0;
  let checked = 0;
  for (const [k, name] of trainable.entries()) {
    const analytic = out[`skulens_grad_${k}`]!.data as Float64Array | Float32Array;
    const w = weights.get(name)!;
    assert.equal(analytic.length, w.length, `gradient of ${name} has ${analytic.length} values for ${w.length} weights`);
    let scale = 1e-3;
    for (const v of analytic) scale = Math.max(scale, Math.abs(v));
    const count = Math.min(w.length, options.samples ?? 24);
    const base = options.skipKinks ? await objective() : 0;
    let done = 0;
    for (let s = 0; done < count && s < 8 * count; s++) {
      const i = count === w.length ? s : Math.floor(random() * w.length);
      if (count === w.length && s >= w.length) break;
      const saved = w[i]!;
      w[i] = saved + eps;
      const up = await objective();
      w[i] = saved - eps;
      const down = await objective();
      w[i] = saved;
      // Where the step crosses a kink (a ReLU6 bound) the one-sided slopes disagree: another coordinate is drawn.
      if (options.skipKinks && Math.abs(up - base - (base - down)) > 0.05 * (Math.abs(up - base) + Math.abs(base - down)) + 1e-9) continue;
      const numeric = (up - down) / (2 * eps);
      worst = Math.max(worst, Math.abs(analytic[i]! - numeric) / (Math.abs(numeric) + scale));
      checked += 1;
      done += 1;
    }
  }
  await vjp.release();
  await fwd.release();
  return { precision, worst, checked };
}

/** The tolerances the tests state: float64 differences are near exact; float32 ones carry rounding noise. */
export const TOLERANCE: Record<Precision, number> = { float64: 1e-6, float32: 1e-3 };

export async function assertGradients(...args: Parameters<typeof checkGradients>): Promise<GradCheck> {
  const result = await checkGradients(...args);
  const tolerance = args[4]?.tolerance ?? TOLERANCE[result.precision];
  assert.ok(result.worst <= tolerance, `worst relative error ${result.worst.toExponential(2)} over ${result.checked} coordinates (${result.precision}) exceeds ${tolerance}`);
  return result;
}
