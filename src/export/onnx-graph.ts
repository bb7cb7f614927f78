// Builds the exported ONNX graphs through src/onnx: the trained head (Gemm, optional Relu + Gemm,
// Softmax) after an L2-normalisation, either appended to an ONNX backbone's graph at its tap (with the
// spec's pooling) or standing alone with an `embedding` input.
import type { BackboneSpec } from '../backbone/index.js';
import { decodeModel, encodeModel, floatValueInfo, GraphBuilder, opsetOf, prune, type ValueSpec } from '../onnx/index.js';
import type { Head } from '../train/index.js';

/** Names of the graph outputs every export has. */
export const OUTPUTS = Object.freeze({ probabilities: 'probabilities', embedding: 'skulens_embedding' });

const PREFIX = 'skulens_';

/**
 * Adds the nodes and initializers that turn the tensor named `from` (already pooled, shape [N, dim])
 * into the normalised embedding and the class probabilities, exactly as skulens computes them.
 */
function addHead(graph: GraphBuilder, head: Head, from: string): void {
  graph.node('LpNormalization', [from], { output: OUTPUTS.embedding }, { axis: 1, p: 2 });
  const gemm = (name: string, input: string, w: Float32Array, b: Float32Array, rows: number, cols: number, output: string): void => {
    const weight = graph.constant({ name: `${name}_w` }, [rows, cols], w);
    const bias = graph.constant({ name: `${name}_b` }, [rows], b);
    // Weights are row-major (rows = outputs), so transB = 1 computes x · Wᵀ + b.
    graph.node('Gemm', [input, weight, bias], { output }, { transB: 1 });
  };
  if (head.kind === 'logistic') {
    gemm(`${PREFIX}head`, OUTPUTS.embedding, head.weights, head.bias, head.numClasses, head.dim, `${PREFIX}logits`);
  } else {
    gemm(`${PREFIX}hidden`, OUTPUTS.embedding, head.w1, head.b1, head.hidden, head.dim, `${PREFIX}hidden_pre`);
    graph.node('Relu', [`${PREFIX}hidden_pre`], { output: `${PREFIX}hidden_out` });
    gemm(`${PREFIX}head`, `${PREFIX}hidden_out`, head.w2, head.b2, head.numClasses, head.hidden, `${PREFIX}logits`);
  }
  graph.node('Softmax', [`${PREFIX}logits`], { output: OUTPUTS.probabilities }, { axis: 1 });
}

/** The outputs of every export, with the batch dimension `batch`. */
function headOutputs(head: Head, batch: number | string): ValueSpec[] {
  return [
    { name: OUTPUTS.probabilities, dims: [batch, head.numClasses] },
    { name: OUTPUTS.embedding, dims: [batch, head.dim] },
  ];
}

/**
 * The backbone's ONNX model with the head appended at `spec.tap`: outputs `probabilities` [N, classes]
 * and `skulens_embedding` [N, dim]; the backbone's other outputs are removed.
 */
export function appendHead(backboneBytes: Uint8Array, spec: BackboneSpec, head: Head): Uint8Array {
  const model = decodeModel(backboneBytes);
  const graph = model.graph!;
  const opset = opsetOf(model);
  if (opset < 13) throw new Error(`the backbone uses opset ${opset}; export needs 13 or later`);
  const part = new GraphBuilder(PREFIX);
  const pooled = `${PREFIX}pooled`;
  if (spec.pool === 'mean-hw') {
    const axes = spec.input.layout === 'nhwc' ? [1, 2] : [2, 3];
    // ReduceMean takes its axes as an input from opset 18, as an attribute before.
    if (opset >= 18) part.node('ReduceMean', [spec.tap, part.ints('pool_axes', axes)], { output: pooled }, { keepdims: 0 });
    else part.node('ReduceMean', [spec.tap], { output: pooled }, { axes, keepdims: 0 });
  } else {
    // skulens reads an un-pooled tap flat (batch 1), which Flatten(axis 1) reproduces per image.
    part.node('Flatten', [spec.tap], { output: pooled }, { axis: 1 });
  }
  addHead(part, head, pooled);
  graph.node!.push(...part.nodes);
  graph.initializer!.push(...part.initializers);
  const batch = graph.input![0]?.type?.tensorType?.shape?.dim?.[0];
  const batchDim = batch?.dimParam ? batch.dimParam : Number(batch?.dimValue ?? 1) || 'N';
  graph.output = headOutputs(head, batchDim).map((output) => floatValueInfo(output.name, output.dims));
  prune(model);
  model.producerName = 'skulens';
  return encodeModel(model);
}

/** A stand-alone head: input `embedding` [N, dim] (the backbone's pooled output), outputs as {@link appendHead}. */
export function headOnlyModel(head: Head): Uint8Array {
  const graph = new GraphBuilder(PREFIX);
  addHead(graph, head, 'embedding');
  return graph.encode({ graphName: 'skulens_head', inputs: [{ name: 'embedding', dims: ['N', head.dim] }], outputs: headOutputs(head, 'N') });
}
