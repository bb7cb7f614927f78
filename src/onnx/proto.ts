// The ONNX protobuf types (onnx-proto) and the small constructors every graph writer needs: tensors,
// attributes, value infos. Reading a tensor back into numbers lives here too, so no other module has to
// know where ONNX keeps an initializer's values (raw bytes or typed fields).
import onnxProto from 'onnx-proto';

export const { onnx } = onnxProto;
// The message interfaces: what decode returns and create accepts.
export type ModelProto = onnxProto.onnx.IModelProto;
export type GraphProto = onnxProto.onnx.IGraphProto;
export type NodeProto = onnxProto.onnx.INodeProto;
export type TensorProto = onnxProto.onnx.ITensorProto;
export type AttributeProto = onnxProto.onnx.IAttributeProto;
export type ValueInfoProto = onnxProto.onnx.IValueInfoProto;

export const DataType = onnx.TensorProto.DataType;

/** A float attribute value (ONNX tells INT from FLOAT; a JavaScript number does not). */
export interface FloatAttr {
  float: number;
}
/** Attribute values: an integer, a list of integers, a float, a list of floats, a string or a tensor. */
export type AttrValue = number | number[] | FloatAttr | { floats: number[] } | string | TensorProto;
export type Attributes = Record<string, AttrValue>;

/** Marks a number as a FLOAT attribute. */
export const float = (value: number): FloatAttr => ({ float: value });

const A = onnx.AttributeProto.AttributeType;

export function attribute(name: string, value: AttrValue): AttributeProto {
  if (typeof value === 'number') return onnx.AttributeProto.create({ name, type: A.INT, i: value });
  if (typeof value === 'string') return onnx.AttributeProto.create({ name, type: A.STRING, s: new TextEncoder().encode(value) });
  if (Array.isArray(value)) return onnx.AttributeProto.create({ name, type: A.INTS, ints: value });
  if ('float' in value) return onnx.AttributeProto.create({ name, type: A.FLOAT, f: value.float });
  if ('floats' in value) return onnx.AttributeProto.create({ name, type: A.FLOATS, floats: value.floats });
  return onnx.AttributeProto.create({ name, type: A.TENSOR, t: value });
}

/** An attribute's value as plain JavaScript: numbers, number arrays, strings or a tensor. */
export function attributeValue(attr: AttributeProto): number | number[] | string | TensorProto | undefined {
  switch (attr.type) {
    case A.INT:
      return Number(attr.i);
    case A.INTS:
      return (attr.ints ?? []).map(Number);
    case A.FLOAT:
      return attr.f ?? 0;
    case A.FLOATS:
      return [...(attr.floats ?? [])];
    case A.STRING:
      return new TextDecoder().decode(attr.s ?? new Uint8Array());
    case A.TENSOR:
      return attr.t ?? undefined;
    default:
      return undefined;
  }
}

export function floatTensor(name: string, dims: readonly number[], values: Float32Array | readonly number[]): TensorProto {
  const raw = new Uint8Array(values.length * 4);
  const view = new DataView(raw.buffer);
  for (let k = 0; k < values.length; k++) view.setFloat32(k * 4, values[k]!, true);
  return onnx.TensorProto.create({ name, dims: [...dims], dataType: DataType.FLOAT, rawData: raw });
}

export function int64Tensor(name: string, dims: readonly number[], values: readonly number[]): TensorProto {
  return onnx.TensorProto.create({ name, dims: [...dims], dataType: DataType.INT64, int64Data: [...values] });
}

/** The values of a FLOAT tensor, wherever the file keeps them. */
export function floatValues(tensor: TensorProto): Float32Array {
  if (tensor.dataType !== DataType.FLOAT) throw new Error(`tensor ${tensor.name} is of type ${tensor.dataType}, not FLOAT`);
  const count = (tensor.dims ?? []).reduce((a, b) => a * Number(b), 1);
  const raw = tensor.rawData;
  if (raw && raw.length > 0) {
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    return Float32Array.from({ length: count }, (_, k) => view.getFloat32(k * 4, true));
  }
  return Float32Array.from(tensor.floatData ?? []);
}

/** The values of an integer tensor (INT64 or INT32) as numbers. */
export function intValues(tensor: TensorProto): number[] {
  const raw = tensor.rawData;
  if (raw && raw.length > 0) {
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    if (tensor.dataType === DataType.INT64) return Array.from({ length: raw.length / 8 }, (_, k) => Number(view.getBigInt64(k * 8, true)));
    if (tensor.dataType === DataType.INT32) return Array.from({ length: raw.length / 4 }, (_, k) => view.getInt32(k * 4, true));
  }
  if (tensor.dataType === DataType.INT64) return (tensor.int64Data ?? []).map(Number);
  if (tensor.dataType === DataType.INT32) return (tensor.int32Data ?? []).map(Number);
  throw new Error(`tensor ${tensor.name} is of type ${tensor.dataType}, not an integer type`);
}

/** A float tensor's value info; a string dim is symbolic (a free batch dimension). */
export function floatValueInfo(name: string, dims: readonly (number | string)[]): ValueInfoProto {
  return onnx.ValueInfoProto.create({
    name,
    type: { tensorType: { elemType: DataType.FLOAT, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
  });
}

/** The dims of a value info (a symbolic dim as its name, an unknown one as '?'). */
export function dimsOf(info: ValueInfoProto): (number | string)[] {
  return (info.type?.tensorType?.shape?.dim ?? []).map((d) => (d.dimParam ? d.dimParam : d.dimValue != null && Number(d.dimValue) > 0 ? Number(d.dimValue) : '?'));
}
