// Public face of the TFLite domain: read a .tflite flatbuffer, convert an image classifier in it to a
// float32 ONNX graph (embedding + logits outputs), and read the files packed inside it (class labels).
// Pure functions over bytes: no file system, no runtime; the backbone domain caches and runs the result.
export { readTflite, TfliteFormatError, type TfliteModel, type TfliteOperator, type TfliteTensor, type Quantization } from './read.js';
export { convertTflite, CONVERTED_NAMES, type ConvertedModel } from './convert.js';
export { associatedFiles, packedLabels } from './associated-files.js';
export { dequantize } from './dequantize.js';
