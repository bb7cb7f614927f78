// Whole ONNX models: decode and encode, the default opset, pruning what no output needs, and putting
// new values into initializers (a trained graph is the original graph with its weights replaced).
import { floatTensor, onnx, type ModelProto } from './proto.js';

export function decodeModel(bytes: Uint8Array): ModelProto {
  return onnx.ModelProto.decode(bytes);
}

export function encodeModel(model: ModelProto): Uint8Array {
  return onnx.ModelProto.encode(model).finish();
}

/** The model's default-domain opset version (0 when it imports none). */
export function opsetOf(model: ModelProto): number {
  const entry = (model.opsetImport ?? []).find((opset) => !opset.domain || opset.domain === 'ai.onnx');
  return Number(entry?.version ?? 0);
}

/** Drops nodes, initializers and value infos that no graph output needs (e.g. a backbone's own classifier). */
export function prune(model: ModelProto): void {
  const graph = model.graph!;
  const needed = new Set((graph.output ?? []).map((output) => output.name!));
  const kept: typeof graph.node = [];
  for (const current of [...(graph.node ?? [])].reverse()) {
    if (!(current.output ?? []).some((name) => needed.has(name))) continue;
    kept.push(current);
    for (const name of current.input ?? []) needed.add(name);
  }
  graph.node = kept.reverse();
  graph.initializer = (graph.initializer ?? []).filter((tensor) => needed.has(tensor.name!));
  graph.valueInfo = (graph.valueInfo ?? []).filter((info) => needed.has(info.name!));
}

/**
 * Replaces the values of float initializers by name (same dims); every name must exist.
 *
 * @throws Error naming a value that is not an initializer of the model or whose length differs.
 */
export function replaceInitializers(model: ModelProto, values: ReadonlyMap<string, Float32Array>): void {
  const graph = model.graph!;
  const seen = new Set<string>();
  graph.initializer = (graph.initializer ?? []).map((tensor) => {
    const next = values.get(tensor.name!);
    if (next === undefined) return tensor;
    const dims = (tensor.dims ?? []).map(Number);
    const count = dims.reduce((a, b) => a * b, 1);
    if (next.length !== count) throw new Error(`initializer ${tensor.name} holds ${count} values, not ${next.length}`);
    seen.add(tensor.name!);
    return floatTensor(tensor.name!, dims, next);
  });
  const missing = [...values.keys()].filter((name) => !seen.has(name));
  if (missing.length) throw new Error(`no initializer named ${missing.join(', ')}`);
}
