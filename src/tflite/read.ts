// Reads a .tflite flatbuffer into plain objects: tensors with their constant data and quantisation,
// operators with their builtin options, and the main subgraph's inputs and outputs. Parsing goes
// through the flatbuffers runtime and code generated from schema/tflite.fbs; nothing here decodes
// bytes by hand.
import * as flatbuffers from 'flatbuffers';
import * as fb from './schema/generated.js';

/** TFLite builtin operator codes skulens knows by name; others read as `BUILTIN_<code>`. */
const OPERATOR_NAMES: Readonly<Record<number, string>> = Object.freeze({
  0: 'ADD', 1: 'AVERAGE_POOL_2D', 2: 'CONCATENATION', 3: 'CONV_2D', 4: 'DEPTHWISE_CONV_2D', 6: 'DEQUANTIZE',
  9: 'FULLY_CONNECTED', 14: 'LOGISTIC', 17: 'MAX_POOL_2D', 18: 'MUL', 19: 'RELU', 21: 'RELU6', 22: 'RESHAPE',
  25: 'SOFTMAX', 32: 'CUSTOM', 34: 'PAD', 40: 'MEAN', 43: 'SQUEEZE', 114: 'QUANTIZE',
});

/** Tensor element types, by TFLite's TensorType value. */
export const TENSOR_TYPES = Object.freeze(['float32', 'float16', 'int32', 'uint8', 'int64', 'string', 'bool', 'int16', 'complex64', 'int8'] as const);
export type TensorTypeName = (typeof TENSOR_TYPES)[number] | `type${number}`;

export interface Quantization {
  scale: Float32Array;
  zeroPoint: number[];
  /** The axis `scale` runs along when it has more than one entry. */
  axis: number;
}

export interface TfliteTensor {
  index: number;
  name: string;
  shape: number[];
  type: TensorTypeName;
  /** Constant bytes (weights, biases, shape vectors); undefined for activations. */
  data: Uint8Array | undefined;
  quantization: Quantization | undefined;
}

export type Activation = 'NONE' | 'RELU' | 'RELU_N1_TO_1' | 'RELU6' | 'TANH' | 'SIGN_BIT';
const ACTIVATIONS: readonly Activation[] = ['NONE', 'RELU', 'RELU_N1_TO_1', 'RELU6', 'TANH', 'SIGN_BIT'];

/** Builtin options flattened to one shape; only the fields the op's options table has are set. */
export interface OperatorOptions {
  padding?: 'SAME' | 'VALID';
  strideH?: number;
  strideW?: number;
  dilationH?: number;
  dilationW?: number;
  filterH?: number;
  filterW?: number;
  depthMultiplier?: number;
  activation?: Activation;
  keepDims?: boolean;
  newShape?: number[];
}

export interface TfliteOperator {
  op: string;
  inputs: number[];
  outputs: number[];
  options: OperatorOptions;
}

export interface TfliteModel {
  version: number;
  description: string;
  tensors: TfliteTensor[];
  operators: TfliteOperator[];
  inputs: number[];
  outputs: number[];
}

/** Thrown for files the reader cannot make sense of; callers wrap it in their coded error. */
export class TfliteFormatError extends Error {}

function activation(value: number): Activation {
  return ACTIVATIONS[value] ?? 'NONE';
}

function readOptions(op: fb.Operator): OperatorOptions {
  switch (op.builtinOptionsType()) {
    case fb.BuiltinOptions.Conv2DOptions: {
      const o = op.builtinOptions(new fb.Conv2DOptions()) as fb.Conv2DOptions;
      return { padding: o.padding() === fb.Padding.SAME ? 'SAME' : 'VALID', strideH: o.strideH(), strideW: o.strideW(), dilationH: o.dilationHFactor(), dilationW: o.dilationWFactor(), activation: activation(o.fusedActivationFunction()) };
    }
    case fb.BuiltinOptions.DepthwiseConv2DOptions: {
      const o = op.builtinOptions(new fb.DepthwiseConv2DOptions()) as fb.DepthwiseConv2DOptions;
      return {
        padding: o.padding() === fb.Padding.SAME ? 'SAME' : 'VALID', strideH: o.strideH(), strideW: o.strideW(), dilationH: o.dilationHFactor(), dilationW: o.dilationWFactor(),
        depthMultiplier: o.depthMultiplier(), activation: activation(o.fusedActivationFunction()),
      };
    }
    case fb.BuiltinOptions.Pool2DOptions: {
      const o = op.builtinOptions(new fb.Pool2DOptions()) as fb.Pool2DOptions;
      return { padding: o.padding() === fb.Padding.SAME ? 'SAME' : 'VALID', strideH: o.strideH(), strideW: o.strideW(), filterH: o.filterHeight(), filterW: o.filterWidth(), activation: activation(o.fusedActivationFunction()) };
    }
    case fb.BuiltinOptions.FullyConnectedOptions:
      return { activation: activation((op.builtinOptions(new fb.FullyConnectedOptions()) as fb.FullyConnectedOptions).fusedActivationFunction()) };
    case fb.BuiltinOptions.AddOptions:
      return { activation: activation((op.builtinOptions(new fb.AddOptions()) as fb.AddOptions).fusedActivationFunction()) };
    case fb.BuiltinOptions.ReducerOptions:
      return { keepDims: (op.builtinOptions(new fb.ReducerOptions()) as fb.ReducerOptions).keepDims() };
    case fb.BuiltinOptions.ReshapeOptions: {
      const array = (op.builtinOptions(new fb.ReshapeOptions()) as fb.ReshapeOptions).newShapeArray();
      return array ? { newShape: [...array] } : {};
    }
    default:
      return {};
  }
}

function readQuantization(q: fb.QuantizationParameters | null): Quantization | undefined {
  const scale = q?.scaleArray();
  if (!q || !scale || scale.length === 0) return undefined;
  const zeroPoint: number[] = [];
  for (let k = 0; k < q.zeroPointLength(); k++) zeroPoint.push(Number(q.zeroPoint(k)));
  return { scale: Float32Array.from(scale), zeroPoint, axis: q.quantizedDimension() };
}

/**
 * Parses a .tflite file's bytes (main subgraph only).
 *
 * @throws TfliteFormatError when the bytes are not a TFLite model skulens can read.
 */
export function readTflite(bytes: Uint8Array): TfliteModel {
  const buffer = new flatbuffers.ByteBuffer(bytes);
  if (bytes.length < 8 || !buffer.__has_identifier('TFL3')) throw new TfliteFormatError('not a TFLite model (no "TFL3" identifier)');
  const model = fb.Model.getRootAsModel(buffer);
  const graph = model.subgraphs(0);
  if (!graph) throw new TfliteFormatError('the model has no subgraph');
  const codes: string[] = [];
  for (let k = 0; k < model.operatorCodesLength(); k++) {
    const code = model.operatorCodes(k)!;
    const builtin = Math.max(code.deprecatedBuiltinCode(), code.builtinCode());
    codes.push(code.customCode() ?? OPERATOR_NAMES[builtin] ?? `BUILTIN_${builtin}`);
  }
  const tensors: TfliteTensor[] = [];
  for (let k = 0; k < graph.tensorsLength(); k++) {
    const t = graph.tensors(k)!;
    const data = model.buffers(t.buffer())?.dataArray();
    tensors.push({
      index: k,
      name: t.name() ?? `tensor_${k}`,
      shape: [...(t.shapeArray() ?? [])],
      type: TENSOR_TYPES[t.type()] ?? `type${t.type()}`,
      data: data && data.length > 0 ? data : undefined,
      quantization: readQuantization(t.quantization()),
    });
  }
  const operators: TfliteOperator[] = [];
  for (let k = 0; k < graph.operatorsLength(); k++) {
    const op = graph.operators(k)!;
    const name = codes[op.opcodeIndex()];
    if (name === undefined) throw new TfliteFormatError(`operator ${k} names operator code ${op.opcodeIndex()}, which the model does not have`);
    operators.push({ op: name, inputs: [...(op.inputsArray() ?? [])], outputs: [...(op.outputsArray() ?? [])], options: readOptions(op) });
  }
  return {
    version: model.version(),
    description: model.description() ?? '',
    tensors,
    operators,
    inputs: [...(graph.inputsArray() ?? [])],
    outputs: [...(graph.outputsArray() ?? [])],
  };
}
