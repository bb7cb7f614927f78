// A small ONNX graph under construction (onnx-proto): numbered value names, shared initialisers and
// the final encode. The TFLite converter adds nodes through it so the op-by-op rules stay readable.
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
type NodeProto = InstanceType<typeof onnx.NodeProto>;
type TensorProto = InstanceType<typeof onnx.TensorProto>;
type AttributeProto = InstanceType<typeof onnx.AttributeProto>;

/** Attribute values the converter uses: an integer or a list of integers. */
export type Attributes = Record<string, number | number[]>;

function attribute(name: string, value: number | number[]): AttributeProto {
  return Array.isArray(value)
    ? onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INTS, ints: value })
    : onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INT, i: value });
}

function floatTensor(name: string, dims: number[], values: Float32Array): TensorProto {
  const raw = new Uint8Array(values.length * 4);
  const view = new DataView(raw.buffer);
  values.forEach((value, k) => view.setFloat32(k * 4, value, true));
  return onnx.TensorProto.create({ name, dims, dataType: onnx.TensorProto.DataType.FLOAT, rawData: raw });
}

function valueInfo(name: string, dims: (number | string)[]): InstanceType<typeof onnx.ValueInfoProto> {
  return onnx.ValueInfoProto.create({
    name,
    type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
  });
}

export class OnnxGraphWriter {
  private readonly nodes: NodeProto[] = [];
  private readonly initializers: TensorProto[] = [];
  private readonly shared = new Set<string>();
  private counter = 0;

  /** A fresh value name, `<stem>_<n>`. */
  name(stem: string): string {
    this.counter += 1;
    return `${stem}_${this.counter}`;
  }

  /** Adds a float initialiser under a fresh name and returns that name. */
  constant(stem: string, dims: number[], values: Float32Array): string {
    const name = this.name(stem);
    this.initializers.push(floatTensor(name, dims, values));
    return name;
  }

  /** A scalar initialiser added once under `name` and reused (Clip's bounds). */
  sharedScalar(name: string, value: number): string {
    if (!this.shared.has(name)) {
      this.shared.add(name);
      this.initializers.push(floatTensor(name, [], Float32Array.of(value)));
    }
    return name;
  }

  /** Adds a node; its single output gets a fresh name from `stem` and is returned. */
  node(opType: string, inputs: string[], stem: string, attributes: Attributes = {}): string {
    const output = this.name(stem);
    this.nodes.push(onnx.NodeProto.create({ opType, input: inputs, output: [output], attribute: Object.entries(attributes).map(([key, value]) => attribute(key, value)) }));
    return output;
  }

  /** Renames a value everywhere it appears. */
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

  /** Encodes the model: opset 13, IR version 7, a variable batch dimension named "batch". */
  encode(graphName: string, input: { name: string; dims: number[] }, outputs: { name: string; dims: number[] }[]): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: 7,
      producerName: 'skulens-tflite',
      opsetImport: [{ domain: '', version: 13 }],
      graph: {
        name: graphName,
        node: this.nodes,
        initializer: this.initializers,
        input: [valueInfo(input.name, ['batch', ...input.dims.slice(1)])],
        output: outputs.map((o) => valueInfo(o.name, ['batch', ...o.dims.slice(1)])),
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}
