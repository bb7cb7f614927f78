// Converts a TFLite image classifier into a float32 ONNX graph that onnxruntime runs: weights
// dequantised, NHWC turned into NCHW, TFLite SAME padding written as explicit (asymmetric) pads, fused
// ReLU6 as Clip, global pooling as GlobalAveragePool + Flatten, 1x1 classifier convs and dense layers
// as Gemm. The graph has one input `input` [N, 3, H, W] and two outputs: `embedding` (the input of
// the final classifier layer) and `logits` (before any softmax). Activations are float: the model's
// activation quantisation is not emulated.
import { GraphBuilder, type Attributes } from '../onnx/index.js';
import { dequantize, intValues, transpose4 } from './dequantize.js';
import { TfliteFormatError, type Activation, type TfliteModel, type TfliteOperator, type TfliteTensor } from './read.js';

/** Names of the converted graph's input and outputs. */
export const CONVERTED_NAMES = Object.freeze({ input: 'input', embedding: 'embedding', logits: 'logits' });

/** What the conversion found out about the model, beside the ONNX bytes. */
export interface ConvertedModel {
  onnx: Uint8Array;
  /** Input height and width in pixels, and channels. */
  input: { height: number; width: number; channels: number };
  /**
   * How pixels 0..255 map to the model's input, `(pixel - mean) / std`, read from a uint8 input's
   * quantisation (`mean` = zero point, `std` = 1 / scale); undefined for float inputs.
   */
  pixelScale: { mean: number; std: number } | undefined;
  embeddingDim: number;
  classes: number;
  /** ONNX op types in node order. */
  ops: string[];
}

/** A TFLite tensor's value in the ONNX graph: 4-d NCHW, or flat [N, C] after global pooling. */
interface Value {
  name: string;
  form: 'nchw' | 'flat';
  /** TFLite (NHWC) shape of the tensor. */
  shape: number[];
}

function samePads(inSize: number, stride: number, kernel: number, dilation: number): [number, number] {
  const out = Math.ceil(inSize / stride);
  const total = Math.max((out - 1) * stride + (kernel - 1) * dilation + 1 - inSize, 0);
  // TFLite puts the odd extra row/column after the image (bottom/right).
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

class Converter {
  readonly graph = new GraphBuilder();
  private readonly values = new Map<number, Value>();
  private counter = 0;
  /** Output names of Gemm nodes, in order; the last is the classifier. */
  readonly gemms: { input: string; output: string; inC: number; outC: number }[] = [];

  constructor(private readonly model: TfliteModel) {}

  /** Adds a node whose one output is named `<stem>_<n>`; returns that name. */
  node(opType: string, inputs: string[], stem: string, attributes: Attributes = {}): string {
    return this.graph.node(opType, inputs, { output: this.fresh(stem) }, attributes);
  }

  /** Adds a float initializer named `<stem>_<n>`; returns that name. */
  constant(stem: string, dims: number[], values: Float32Array): string {
    return this.graph.constant({ name: this.fresh(stem) }, dims, values);
  }

  // The converter numbers values itself, one count over nodes and initializers: the names are part of
  // the cached bytes, and users see them (a fine-tune cut is reported as `add_151`).
  private fresh(stem: string): string {
    return `${stem}_${++this.counter}`;
  }

  tensor(index: number): TfliteTensor {
    const t = this.model.tensors[index];
    if (!t) throw new TfliteFormatError(`tensor ${index} does not exist`);
    return t;
  }

  value(index: number, op: TfliteOperator): Value {
    const v = this.values.get(index);
    if (!v) throw new TfliteFormatError(`${op.op} reads tensor "${this.tensor(index).name}", which no earlier operator produced (unsupported constant input)`);
    return v;
  }

  set(index: number, name: string, form: Value['form']): void {
    this.values.set(index, { name, form, shape: this.tensor(index).shape });
  }

  alias(op: TfliteOperator): void {
    const v = this.value(op.inputs[0]!, op);
    this.values.set(op.outputs[0]!, { ...v, shape: this.tensor(op.outputs[0]!).shape });
  }

  activation(name: string, activation: Activation | undefined, op: TfliteOperator): string {
    switch (activation ?? 'NONE') {
      case 'NONE':
        return name;
      case 'RELU6':
        return this.node('Clip', [name, this.graph.sharedScalar('relu6_min', 0), this.graph.sharedScalar('relu6_max', 6)], 'relu6');
      case 'RELU':
        return this.node('Relu', [name], 'relu');
      default:
        throw new TfliteFormatError(`${op.op} has fused activation ${activation}, which skulens cannot convert`);
    }
  }

  bias(index: number | undefined, channels: number): string | undefined {
    if (index === undefined || index < 0) return undefined;
    const t = this.tensor(index);
    const values = dequantize(t);
    if (values.length !== channels) throw new TfliteFormatError(`bias "${t.name}" has ${values.length} values for ${channels} channels`);
    return this.constant('b', [channels], values);
  }

  gemm(input: Value, weightIndex: number, biasIndex: number | undefined, op: TfliteOperator): string {
    const wt = this.tensor(weightIndex);
    const outC = wt.shape[0]!;
    const inC = wt.shape.slice(1).reduce((p, d) => p * d, 1);
    // OHWI with H = W = 1 and TFLite's [out, in] dense weights are both row-major [out, in].
    const weight = this.constant('fc_w', [outC, inC], dequantize(wt));
    const bias = this.bias(biasIndex, outC) ?? this.constant('fc_b', [outC], new Float32Array(outC));
    const output = this.node('Gemm', [input.name, weight, bias], 'fc', { transB: 1 });
    this.gemms.push({ input: input.name, output, inC, outC });
    return this.activation(output, op.options.activation, op);
  }

  flat(v: Value, op: TfliteOperator): Value {
    if (v.form === 'flat') return v;
    if (v.shape[1] !== 1 || v.shape[2] !== 1) throw new TfliteFormatError(`${op.op} on a ${v.shape.join('x')} feature map: only 1x1 maps can be flattened`);
    return { name: this.node('Flatten', [v.name], 'flatten', { axis: 1 }), form: 'flat', shape: v.shape };
  }

  conv(op: TfliteOperator, depthwise: boolean): void {
    const input = this.value(op.inputs[0]!, op);
    const wt = this.tensor(op.inputs[1]!);
    const [outC, kh, kw] = depthwise ? [wt.shape[3]!, wt.shape[1]!, wt.shape[2]!] : [wt.shape[0]!, wt.shape[1]!, wt.shape[2]!];
    const o = op.options;
    if (!depthwise && kh === 1 && kw === 1 && (input.form === 'flat' || (input.shape[1] === 1 && input.shape[2] === 1))) {
      this.set(op.outputs[0]!, this.gemm(this.flat(input, op), op.inputs[1]!, op.inputs[2], op), 'flat');
      return;
    }
    if (input.form === 'flat') throw new TfliteFormatError(`${op.op} with a ${kh}x${kw} kernel after global pooling`);
    const [, inH, inW, inC] = input.shape as [number, number, number, number];
    const [sh, sw, dh, dw] = [o.strideH ?? 1, o.strideW ?? 1, o.dilationH ?? 1, o.dilationW ?? 1];
    const [top, bottom] = o.padding === 'SAME' ? samePads(inH, sh, kh, dh) : [0, 0];
    const [left, right] = o.padding === 'SAME' ? samePads(inW, sw, kw, dw) : [0, 0];
    // Conv weights OHWI -> OIHW; depthwise [1, H, W, C*M] -> [C*M, 1, H, W] with one group per input channel.
    const moved = transpose4(dequantize(wt), wt.shape, depthwise ? [3, 0, 1, 2] : [0, 3, 1, 2]);
    const weight = this.constant('w', moved.shape, moved.values);
    const bias = this.bias(op.inputs[2], outC);
    const attributes: Attributes = { group: depthwise ? inC : 1, kernel_shape: [kh, kw], pads: [top, left, bottom, right], strides: [sh, sw] };
    if (dh !== 1 || dw !== 1) attributes.dilations = [dh, dw];
    const conv = this.node('Conv', bias ? [input.name, weight, bias] : [input.name, weight], 'conv', attributes);
    this.set(op.outputs[0]!, this.activation(conv, o.activation, op), 'nchw');
  }

  globalPool(op: TfliteOperator): void {
    const input = this.value(op.inputs[0]!, op);
    const gap = this.node('GlobalAveragePool', [input.name], 'gap');
    this.set(op.outputs[0]!, this.node('Flatten', [gap], 'flatten', { axis: 1 }), 'flat');
  }

  pool(op: TfliteOperator, kind: 'AveragePool' | 'MaxPool'): void {
    const input = this.value(op.inputs[0]!, op);
    const o = op.options;
    const [, inH, inW] = input.shape as [number, number, number, number];
    const [kh, kw, sh, sw] = [o.filterH ?? 1, o.filterW ?? 1, o.strideH ?? 1, o.strideW ?? 1];
    if (kind === 'AveragePool' && kh === inH && kw === inW && o.padding === 'VALID') return this.globalPool(op);
    const [top, bottom] = o.padding === 'SAME' ? samePads(inH, sh, kh, 1) : [0, 0];
    const [left, right] = o.padding === 'SAME' ? samePads(inW, sw, kw, 1) : [0, 0];
    const pooled = this.node(kind, [input.name], kind === 'MaxPool' ? 'maxpool' : 'avgpool', { kernel_shape: [kh, kw], pads: [top, left, bottom, right], strides: [sh, sw] });
    this.set(op.outputs[0]!, this.activation(pooled, o.activation, op), 'nchw');
  }

  mean(op: TfliteOperator): void {
    const axes = intValues(this.tensor(op.inputs[1]!)).map((a) => (a < 0 ? a + 4 : a)).sort();
    if (axes.join(',') !== '1,2') throw new TfliteFormatError(`MEAN over axes ${axes.join(',')}: only the spatial mean (axes 1,2) is supported`);
    this.globalPool(op);
  }

  reshape(op: TfliteOperator): void {
    const input = this.value(op.inputs[0]!, op);
    const out = this.tensor(op.outputs[0]!).shape;
    const kept = out.slice(1).filter((d) => d !== 1);
    const channels = input.shape[input.shape.length - 1]!;
    if (kept.length > 1 || (kept.length === 1 && kept[0] !== channels)) throw new TfliteFormatError(`${op.op} to ${out.join('x')}: only dropping unit dimensions is supported`);
    const flat = this.flat(input, op);
    this.values.set(op.outputs[0]!, { ...flat, shape: out });
  }

  run(): void {
    for (const op of this.model.operators) {
      switch (op.op) {
        case 'QUANTIZE':
        case 'DEQUANTIZE':
          this.alias(op);
          break;
        case 'CONV_2D':
          this.conv(op, false);
          break;
        case 'DEPTHWISE_CONV_2D':
          if ((op.options.depthMultiplier ?? 1) !== 1 && this.tensor(op.inputs[1]!).shape[3] !== this.value(op.inputs[0]!, op).shape[3]! * (op.options.depthMultiplier ?? 1)) {
            throw new TfliteFormatError('DEPTHWISE_CONV_2D weights do not match its depth multiplier');
          }
          this.conv(op, true);
          break;
        case 'ADD': {
          const [a, b] = [this.value(op.inputs[0]!, op), this.value(op.inputs[1]!, op)];
          this.set(op.outputs[0]!, this.activation(this.node('Add', [a.name, b.name], 'add'), op.options.activation, op), a.form);
          break;
        }
        case 'RELU6':
        case 'RELU':
          this.set(op.outputs[0]!, this.activation(this.value(op.inputs[0]!, op).name, op.op, op), this.value(op.inputs[0]!, op).form);
          break;
        case 'AVERAGE_POOL_2D':
          this.pool(op, 'AveragePool');
          break;
        case 'MAX_POOL_2D':
          this.pool(op, 'MaxPool');
          break;
        case 'MEAN':
          this.mean(op);
          break;
        case 'FULLY_CONNECTED':
          this.set(op.outputs[0]!, this.gemm(this.flat(this.value(op.inputs[0]!, op), op), op.inputs[1]!, op.inputs[2], op), 'flat');
          break;
        case 'RESHAPE':
        case 'SQUEEZE':
          this.reshape(op);
          break;
        case 'SOFTMAX':
          // The converted graph ends at the logits; softmax is applied by whoever reads them.
          this.alias(op);
          break;
        default:
          throw new TfliteFormatError(`operator ${op.op} is not supported (supported: CONV_2D, DEPTHWISE_CONV_2D, ADD, AVERAGE_POOL_2D, MAX_POOL_2D, MEAN, FULLY_CONNECTED, RESHAPE, SQUEEZE, SOFTMAX, RELU, RELU6, QUANTIZE, DEQUANTIZE)`);
      }
    }
  }

  /** The ONNX value of graph output tensor `index`. */
  output(index: number): Value {
    const v = this.values.get(index);
    if (!v) throw new TfliteFormatError(`output tensor "${this.tensor(index).name}" is never produced`);
    return v;
  }
}

/**
 * Converts a parsed TFLite image classifier (one image input, class scores out) to ONNX.
 *
 * @throws TfliteFormatError naming the operator or tensor that cannot be converted.
 */
export function convertTflite(model: TfliteModel, graphName = 'tflite'): ConvertedModel {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) throw new TfliteFormatError(`expected one input and one output, found ${model.inputs.length} and ${model.outputs.length}`);
  const inputTensor = model.tensors[model.inputs[0]!]!;
  const [, height, width, channels] = inputTensor.shape;
  if (inputTensor.shape.length !== 4 || !height || !width || channels !== 3) throw new TfliteFormatError(`expected an NHWC image input [1, H, W, 3], found [${inputTensor.shape.join(', ')}]`);
  const converter = new Converter(model);
  converter.set(model.inputs[0]!, CONVERTED_NAMES.input, 'nchw');
  converter.run();
  const logits = converter.output(model.outputs[0]!);
  const classifier = converter.gemms.at(-1);
  if (logits.form !== 'flat' || !classifier || classifier.output !== logits.name) {
    throw new TfliteFormatError('the model does not end in a classifier layer (a dense layer or 1x1 convolution after global pooling)');
  }
  converter.graph.rename(classifier.input, CONVERTED_NAMES.embedding);
  converter.graph.rename(logits.name, CONVERTED_NAMES.logits);
  const { inC: embeddingDim, outC: classes } = classifier;
  const q = inputTensor.quantization;
  const pixelScale = inputTensor.type === 'uint8' && q && q.scale.length === 1 ? { mean: q.zeroPoint[0] ?? 0, std: 1 / q.scale[0]! } : undefined;
  // Nodes stay unnamed: the conversion is cached under the .tflite's sha256 alone (backbone/tflite-weights.ts),
  // so the bytes written for a given .tflite must stay what earlier releases wrote.
  for (const node of converter.graph.nodes) Reflect.deleteProperty(node, 'name');
  const onnx = converter.graph.encode({
    graphName,
    producer: 'skulens-tflite',
    inputs: [{ name: CONVERTED_NAMES.input, dims: ['batch', channels, height, width] }],
    outputs: [
      { name: CONVERTED_NAMES.embedding, dims: ['batch', embeddingDim] },
      { name: CONVERTED_NAMES.logits, dims: ['batch', classes] },
    ],
  });
  return { onnx, input: { height, width, channels }, pixelScale, embeddingDim, classes, ops: converter.graph.opTypes() };
}
