// The served graph: the backbone's own ONNX graph with the trained weights put back in, so what is
// evaluated is what is served and nothing is re-exported. Several members share the part below the cut;
// each member's blocks above it are copied with its own weights, and the served embedding is the members'
// unit embeddings side by side over sqrt(M) (unit length, so serving's L2 normalisation leaves it alone;
// with the stacked head, the members' mean logits). Flip test-time augmentation runs each image with its
// mirror image in one batch and averages the two embeddings.
import { nodesFor, type Graph, type OpNode } from '../autodiff/index.js';
import { decodeModel, encodeModel, floatTensor, int64Tensor, onnx, opsetOf, prune, replaceInitializers, type ModelProto, type NodeProto } from '../onnx/index.js';

export interface ServedGraph {
  bytes: Uint8Array;
  /** The embedding output and how serving pools it. */
  tap: string;
  pool: 'none' | 'mean-hw';
  dim: number;
}

export interface ExportInput {
  model: Uint8Array;
  graph: Graph;
  /** The graph's image input and the side it is served at. */
  input: string;
  size: number;
  cut: string;
  tap: string;
  pool: 'none' | 'mean-hw';
  dim: number;
  /** Each member's trained body weights by initializer name. */
  members: readonly ReadonlyMap<string, Float32Array>[];
  flipTest: boolean;
}

const node = (opType: string, input: string[], output: string, attrs: Record<string, number | number[] | { float: number }> = {}): NodeProto =>
  onnx.NodeProto.create({ opType, name: `skulens_${output}`, input, output: [output], attribute: Object.entries(attrs).map(([name, v]) => (typeof v === 'number' ? { name, type: 2, i: v } : Array.isArray(v) ? { name, type: 7, ints: v } : { name, type: 1, f: v.float })) });

/** Nodes that pool the tap as serving does: mean over H, W ('mean-hw') or flat. */
function pooled(tap: string, pool: 'none' | 'mean-hw', output: string): NodeProto[] {
  if (pool === 'mean-hw') return [node('GlobalAveragePool', [tap], `${output}_gap`), node('Flatten', [`${output}_gap`], output, { axis: 1 })];
  return [node('Flatten', [tap], output, { axis: 1 })];
}

/** Copies of the blocks above the cut for member m (tensors and trained weights renamed `<name>__m<m>`). */
function memberCopy(upper: readonly OpNode[], cut: string, trained: ReadonlySet<string>, m: number): NodeProto[] {
  const produced = new Set(upper.flatMap((n) => n.outputs));
  const rename = (name: string): string => (name !== cut && (produced.has(name) || trained.has(name)) ? `${name}__m${m}` : name);
  return upper.map((n) => ({ ...n.proto, name: `${n.name}__m${m}`, input: n.inputs.map(rename), output: n.outputs.map(rename) }));
}

/** The served graph for the trained members (see the header). */
export function servedGraph(x: ExportInput): ServedGraph {
  const model: ModelProto = decodeModel(x.model);
  const g = model.graph!;
  replaceInitializers(model, x.members[0]!);
  // Trained at another side than the graph declares: declare it, and drop shapes inferred for the old one.
  const input = g.input!.find((i) => i.name === x.input)!;
  const dims = input.type!.tensorType!.shape!.dim!;
  if (Number(dims[2]?.dimValue ?? 0) !== x.size || Number(dims[3]?.dimValue ?? 0) !== x.size) {
    dims[2] = { dimValue: x.size };
    dims[3] = { dimValue: x.size };
    g.valueInfo = [];
  }
  let tap = x.tap;
  let pool = x.pool;
  let dim = x.dim;
  const M = x.members.length;
  if (M > 1) {
    const upper = nodesFor(x.graph.nodes, [x.tap], new Set([x.cut]));
    const trained = new Set(x.members[0]!.keys());
    const units: string[] = [];
    for (let m = 0; m < M; m++) {
      const memberTap = m === 0 ? x.tap : `${x.tap}__m${m}`;
      if (m > 0) {
        g.node!.push(...memberCopy(upper, x.cut, trained, m));
        for (const [name, values] of x.members[m]!) g.initializer!.push(floatTensor(`${name}__m${m}`, x.graph.floats.get(name)!.dims, values));
      }
      g.node!.push(...pooled(memberTap, x.pool, `skulens_member${m}`), node('LpNormalization', [`skulens_member${m}`], `skulens_unit${m}`, { axis: 1, p: 2 }));
      units.push(`skulens_unit${m}`);
    }
    g.initializer!.push(floatTensor('skulens_members_scale', [], [1 / Math.sqrt(M)]));
    g.node!.push(node('Concat', units, 'skulens_members_cat', { axis: 1 }), node('Mul', ['skulens_members_cat', 'skulens_members_scale'], 'skulens_members'));
    tap = 'skulens_members';
    pool = 'none';
    dim = x.dim * M;
  }
  if (x.flipTest) {
    // The layers read [images; mirrored images] where they read the image input; the embedding is the mean of the two halves.
    const pair = 'skulens_image_pair';
    for (const n of g.node!) n.input = (n.input ?? []).map((name) => (name === x.input ? pair : name));
    g.initializer!.push(int64Tensor('skulens_reverse', [x.size], Array.from({ length: x.size }, (_, k) => x.size - 1 - k)), int64Tensor('skulens_halves', [3], [2, -1, dim]));
    g.node!.unshift(node('Gather', [x.input, 'skulens_reverse'], 'skulens_mirrored', { axis: 3 }), node('Concat', [x.input, 'skulens_mirrored'], pair, { axis: 0 }));
    const flat = tap === 'skulens_members' ? tap : 'skulens_flip_pooled';
    if (flat !== tap) g.node!.push(...pooled(tap, pool, flat));
    g.node!.push(node('Reshape', [flat, 'skulens_halves'], 'skulens_flip_pairs'));
    if (opsetOf(model) >= 18) {
      g.initializer!.push(int64Tensor('skulens_axis0', [1], [0]));
      g.node!.push(node('ReduceMean', ['skulens_flip_pairs', 'skulens_axis0'], 'skulens_flip_mean', { keepdims: 0 }));
    } else g.node!.push(node('ReduceMean', ['skulens_flip_pairs'], 'skulens_flip_mean', { axes: [0], keepdims: 0 }));
    tap = 'skulens_flip_mean';
    pool = 'none';
  }
  // The embedding is the one output (the backbone's own classifier goes).
  const kept = g.output!.find((o) => o.name === tap);
  g.output = [kept ?? onnx.ValueInfoProto.create({ name: tap, type: { tensorType: { elemType: 1 } } })];
  prune(model);
  return { bytes: encodeModel(model), tap, pool, dim };
}
