// Tiny TFLite models built by the tests with the flatbuffers builder and the generated schema code,
// a plain NHWC reference implementation of the same layers to check conversions against, and a
// stored zip appended the way TFLite's metadata writer packs labels files.
import * as flatbuffers from 'flatbuffers';
import * as fb from '../../src/tflite/schema/generated.js';

export interface TensorDef {
  name: string;
  shape: number[];
  type: fb.TensorType;
  /** Constant contents, in the tensor's own type (integers for quantised tensors). */
  values?: number[];
  quant?: { scale: number[]; zeroPoint: number[]; axis?: number };
}

export interface OpDef {
  code: number;
  inputs: number[];
  outputs: number[];
  options?: [fb.BuiltinOptions, (b: flatbuffers.Builder) => flatbuffers.Offset];
}

/** TFLite builtin operator codes used by the fixtures. */
export const OP = Object.freeze({ ADD: 0, AVERAGE_POOL_2D: 1, CONV_2D: 3, DEPTHWISE_CONV_2D: 4, FULLY_CONNECTED: 9, RESHAPE: 22, SOFTMAX: 25, MEAN: 40, LOGISTIC: 14 });

function bytesOf(def: TensorDef): Uint8Array {
  const values = def.values ?? [];
  const width = { [fb.TensorType.FLOAT32]: 4, [fb.TensorType.INT32]: 4, [fb.TensorType.UINT8]: 1, [fb.TensorType.INT8]: 1 }[def.type as number] ?? 4;
  const out = new Uint8Array(values.length * width);
  const view = new DataView(out.buffer);
  values.forEach((v, k) => {
    if (def.type === fb.TensorType.FLOAT32) view.setFloat32(k * 4, v, true);
    else if (def.type === fb.TensorType.INT32) view.setInt32(k * 4, v, true);
    else if (def.type === fb.TensorType.UINT8) view.setUint8(k, v);
    else view.setInt8(k, v);
  });
  return out;
}

/** Serialises a one-subgraph TFLite model. */
export function buildTflite(tensors: TensorDef[], ops: OpDef[], inputs: number[], outputs: number[]): Uint8Array {
  const b = new flatbuffers.Builder(1024);
  const codes = [...new Set(ops.map((o) => o.code))];
  const buffers = [fb.Buffer.createBuffer(b, 0)];
  const tensorOffsets = tensors.map((t) => {
    let buffer = 0;
    if (t.values) {
      buffers.push(fb.Buffer.createBuffer(b, fb.Buffer.createDataVector(b, bytesOf(t))));
      buffer = buffers.length - 1;
    }
    const name = b.createString(t.name);
    const shape = fb.Tensor.createShapeVector(b, t.shape);
    const quant = t.quant
      ? fb.QuantizationParameters.createQuantizationParameters(
          b, 0, 0, fb.QuantizationParameters.createScaleVector(b, t.quant.scale),
          fb.QuantizationParameters.createZeroPointVector(b, t.quant.zeroPoint.map(BigInt)), t.quant.axis ?? 0,
        )
      : 0;
    fb.Tensor.startTensor(b);
    fb.Tensor.addShape(b, shape);
    fb.Tensor.addType(b, t.type);
    fb.Tensor.addBuffer(b, buffer);
    fb.Tensor.addName(b, name);
    if (quant) fb.Tensor.addQuantization(b, quant);
    return fb.Tensor.endTensor(b);
  });
  const opOffsets = ops.map((o) => {
    const options = o.options ? o.options[1](b) : 0;
    return fb.Operator.createOperator(b, codes.indexOf(o.code), fb.Operator.createInputsVector(b, o.inputs), fb.Operator.createOutputsVector(b, o.outputs), o.options ? o.options[0] : fb.BuiltinOptions.NONE, options);
  });
  const graph = fb.SubGraph.createSubGraph(
    b, fb.SubGraph.createTensorsVector(b, tensorOffsets), fb.SubGraph.createInputsVector(b, inputs), fb.SubGraph.createOutputsVector(b, outputs),
    fb.SubGraph.createOperatorsVector(b, opOffsets), b.createString('main'),
  );
  const codeOffsets = codes.map((c) => fb.OperatorCode.createOperatorCode(b, Math.min(c, 127), 0, 1, c));
  const model = fb.Model.createModel(
    b, 3, fb.Model.createOperatorCodesVector(b, codeOffsets), fb.Model.createSubgraphsVector(b, [graph]), b.createString('skulens test model'),
    fb.Model.createBuffersVector(b, buffers), 0, 0,
  );
  fb.Model.finishModelBuffer(b, model);
  return b.asUint8Array().slice();
}

const crcTable = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of data) c = crcTable[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** `model` followed by a zip archive of `files` (stored, not compressed), as TFLite's metadata writer does. */
export function appendZip(model: Uint8Array, files: Record<string, string>): Uint8Array {
  const parts: Uint8Array[] = [model];
  const directory: Uint8Array[] = [];
  let offset = 0;
  for (const [name, text] of Object.entries(files)) {
    const nameBytes = new TextEncoder().encode(name);
    const data = new TextEncoder().encode(text);
    const local = new DataView(new ArrayBuffer(30));
    local.setUint32(0, 0x04034b50, true);
    local.setUint16(4, 20, true);
    local.setUint32(14, crc32(data), true);
    local.setUint32(18, data.length, true);
    local.setUint32(22, data.length, true);
    local.setUint16(26, nameBytes.length, true);
    const central = new DataView(new ArrayBuffer(46));
    central.setUint32(0, 0x02014b50, true);
    central.setUint16(4, 20, true);
    central.setUint16(6, 20, true);
    central.setUint32(16, crc32(data), true);
    central.setUint32(20, data.length, true);
    central.setUint32(24, data.length, true);
    central.setUint16(28, nameBytes.length, true);
    central.setUint32(42, offset, true);
    parts.push(new Uint8Array(local.buffer), nameBytes, data);
    directory.push(new Uint8Array(central.buffer), nameBytes);
    offset += 30 + nameBytes.length + data.length;
  }
  const size = directory.reduce((n, p) => n + p.length, 0);
  const end = new DataView(new ArrayBuffer(22));
  end.setUint32(0, 0x06054b50, true);
  end.setUint16(8, Object.keys(files).length, true);
  end.setUint16(10, Object.keys(files).length, true);
  end.setUint32(12, size, true);
  end.setUint32(16, offset, true);
  const all = [...parts, ...directory, new Uint8Array(end.buffer)];
  const out = new Uint8Array(all.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of all) (out.set(p, at), (at += p.length));
  return out;
}
