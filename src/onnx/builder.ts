// A graph under construction: fresh value names, nodes, initializers (shared scalars reused), and the
// final encode. Every skulens module that writes ONNX (the TFLite converter, the exporter, the head
// kernels, the gradient builder) writes through this class.
import { attribute, floatTensor, floatValueInfo, int64Tensor, onnx, type Attributes, type NodeProto, type TensorProto } from './proto.js';

/** A graph input or output: its name and dims (a string dim is symbolic). */
export interface ValueSpec {
  name: string;
  dims: readonly (number | string)[];
}

/** What {@link GraphBuilder.encode} writes besides the graph. */
export interface ModelInfo {
  graphName: string;
  inputs: readonly ValueSpec[];
  outputs: readonly ValueSpec[];
  /** Default 13. */
  opset?: number;
  /** Default 7 (onnxruntime reads 3 to 10). */
  irVersion?: number;
  producer?: string;
}

export class GraphBuilder {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  private readonly taken = new Set<string>();
  private counter = 0;

  /** @param prefix prepended to every fresh name, so that names never clash with an existing graph's. */
  constructor(private readonly prefix = '') {}

  /** A fresh value name, `<prefix><stem>_<n>`. */
  name(stem: string): string {
    this.counter += 1;
    return `${this.prefix}${stem}_${this.counter}`;
  }

  /** Adds a node with one output named from `stem` (or exactly `output` when given as `{ output }`); returns the output's name. */
  node(opType: string, inputs: readonly string[], stem: string | { output: string }, attributes: Attributes = {}): string {
    const output = typeof stem === 'string' ? this.name(stem) : stem.output;
    this.push(opType, inputs, [output], attributes);
    return output;
  }

  /** Adds a node with several outputs, named exactly as given. */
  push(opType: string, inputs: readonly string[], outputs: readonly string[], attributes: Attributes = {}): void {
    this.nodes.push(onnx.NodeProto.create({ opType, name: this.name(opType), input: [...inputs], output: [...outputs], attribute: Object.entries(attributes).map(([key, value]) => attribute(key, value)) }));
  }

  /** Adds a float initializer under a fresh name (or exactly `name` when given as `{ name }`); returns its name. */
  constant(stem: string | { name: string }, dims: readonly number[], values: Float32Array | readonly number[]): string {
    const name = typeof stem === 'string' ? this.name(stem) : stem.name;
    this.initializers.push(floatTensor(name, dims, values));
    this.taken.add(name);
    return name;
  }

  /** Adds an int64 initializer (shapes, axes, pads) under a fresh name; returns its name. */
  ints(stem: string, values: readonly number[], dims: readonly number[] = [values.length]): string {
    const name = this.name(stem);
    this.initializers.push(int64Tensor(name, dims, values));
    return name;
  }

  /** A float scalar initializer added once under `name` and reused (Clip's bounds, a loss's constants). */
  sharedScalar(name: string, value: number): string {
    if (!this.taken.has(name)) {
      this.taken.add(name);
      this.initializers.push(floatTensor(name, [], [value]));
    }
    return name;
  }

  /** Renames a value everywhere it appears in the nodes added so far. */
  rename(from: string, to: string): void {
    for (const n of this.nodes) {
      n.input = (n.input ?? []).map((name) => (name === from ? to : name));
      n.output = (n.output ?? []).map((name) => (name === from ? to : name));
    }
  }

  /** Op types in node order (tests and diagnostics). */
  opTypes(): string[] {
    return this.nodes.map((n) => n.opType ?? '');
  }

  /** The model's bytes. */
  encode(info: ModelInfo): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: info.irVersion ?? 7,
      producerName: info.producer ?? 'skulens',
      opsetImport: [{ domain: '', version: info.opset ?? 13 }],
      graph: {
        name: info.graphName,
        node: this.nodes,
        initializer: this.initializers,
        input: info.inputs.map((v) => floatValueInfo(v.name, v.dims)),
        output: info.outputs.map((v) => floatValueInfo(v.name, v.dims)),
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}
