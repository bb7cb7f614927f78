// Public face of the ONNX graph domain: the protobuf types and constructors, a graph builder and whole
// models (decode, encode, prune, replace weights). It knows the file format only; running graphs is the
// backbone domain's (onnxruntime-node), differentiating them the autodiff domain's.
export { onnx, DataType, attribute, attributeValue, float, floatTensor, floatValueInfo, floatValues, int64Tensor, intValues, dimsOf } from './proto.js';
export type { AttrValue, Attributes, FloatAttr, ModelProto, GraphProto, NodeProto, TensorProto, AttributeProto, ValueInfoProto } from './proto.js';
export { GraphBuilder, type ModelInfo, type ValueSpec } from './builder.js';
export { decodeModel, encodeModel, opsetOf, prune, replaceInitializers } from './model.js';
