// A tiny quantised image classifier in TFLite form (the layers MobileNetV2 uses, on a 5x6 input so
// that SAME padding is uneven) and the same network computed directly in NHWC floats, as the
// reference its ONNX conversion must reproduce.
import * as fb from '../../src/tflite/schema/generated.js';
import { buildTflite, OP, type OpDef, type TensorDef } from './fixtures.js';

/** Default input height and width: uneven, so SAME padding differs between rows and columns. */
export const H = 5;
export const W = 6;
export const C = 4;
export const CLASSES = 2;

function ints(n: number, seed: number, lo: number, hi: number): number[] {
  let s = seed;
  return Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return lo + (s % (hi - lo + 1));
  });
}

const convW = ints(C * 3 * 3 * 3, 1, 0, 255);
const convB = ints(C, 2, -2000, 2000);
const dwW = ints(3 * 3 * C, 3, -127, 127);
const dwScale = [0.011, 0.02, 0.005, 0.015];
const dwB = ints(C, 4, -300, 300);
const fcW = ints(CLASSES * C, 5, 0, 255);
const fcB = ints(CLASSES, 6, -500, 500);
const IN = { scale: 1 / 128, zp: 128 };
const CONV = { scale: 0.02, zp: 120 };
const FC = { scale: 0.01, zp: 127 };

/**
 * The model's tail: 'mean-dense' ends MEAN -> FULLY_CONNECTED -> SOFTMAX (Keras style), 'pool-conv'
 * ends AVERAGE_POOL_2D -> 1x1 CONV_2D -> RESHAPE -> SOFTMAX (TF-slim style, as the shipped MobileNetV2).
 */
export type Tail = 'mean-dense' | 'pool-conv';

/** The tiny classifier as .tflite bytes for an `h` x `w` input; `extraOp` appends an operator (to test refusals). */
export function tinyClassifier(tail: Tail, extraOp?: OpDef, h = H, w = W): Uint8Array {
  const u8 = fb.TensorType.UINT8;
  const [oh, ow] = [Math.ceil(h / 2), Math.ceil(w / 2)];
  const tensors: TensorDef[] = [
    { name: 'input', shape: [1, h, w, 3], type: u8, quant: { scale: [IN.scale], zeroPoint: [IN.zp] } },
    { name: 'conv_w', shape: [C, 3, 3, 3], type: u8, values: convW, quant: { scale: [CONV.scale], zeroPoint: [CONV.zp] } },
    { name: 'conv_b', shape: [C], type: fb.TensorType.INT32, values: convB, quant: { scale: [IN.scale * CONV.scale], zeroPoint: [0] } },
    { name: 'conv_out', shape: [1, oh, ow, C], type: u8 },
    { name: 'dw_w', shape: [1, 3, 3, C], type: fb.TensorType.INT8, values: dwW, quant: { scale: dwScale, zeroPoint: [0, 0, 0, 0], axis: 3 } },
    { name: 'dw_b', shape: [C], type: fb.TensorType.INT32, values: dwB, quant: { scale: dwScale.map((s) => s * 0.05), zeroPoint: [0, 0, 0, 0] } },
    { name: 'dw_out', shape: [1, oh, ow, C], type: u8 },
    { name: 'sum', shape: [1, oh, ow, C], type: u8 },
    { name: 'pooled', shape: [1, 1, 1, C], type: u8 },
    { name: 'mean_axes', shape: [2], type: fb.TensorType.INT32, values: [1, 2] },
    { name: 'fc_w', shape: tail === 'mean-dense' ? [CLASSES, C] : [CLASSES, 1, 1, C], type: u8, values: fcW, quant: { scale: [FC.scale], zeroPoint: [FC.zp] } },
    { name: 'fc_b', shape: [CLASSES], type: fb.TensorType.INT32, values: fcB, quant: { scale: [0.001], zeroPoint: [0] } },
    { name: 'logits4', shape: tail === 'mean-dense' ? [1, CLASSES] : [1, 1, 1, CLASSES], type: u8 },
    { name: 'shape', shape: [2], type: fb.TensorType.INT32, values: [1, CLASSES] },
    { name: 'logits', shape: [1, CLASSES], type: u8 },
    { name: 'probabilities', shape: [1, CLASSES], type: u8 },
  ];
  const conv = (padding: fb.Padding, stride: number, act: fb.ActivationFunctionType): OpDef['options'] => [
    fb.BuiltinOptions.Conv2DOptions, (b) => fb.Conv2DOptions.createConv2DOptions(b, padding, stride, stride, act, 1, 1),
  ];
  const ops: OpDef[] = [
    { code: OP.CONV_2D, inputs: [0, 1, 2], outputs: [3], options: conv(fb.Padding.SAME, 2, fb.ActivationFunctionType.RELU6) },
    {
      code: OP.DEPTHWISE_CONV_2D, inputs: [3, 4, 5], outputs: [6],
      options: [fb.BuiltinOptions.DepthwiseConv2DOptions, (b) => fb.DepthwiseConv2DOptions.createDepthwiseConv2DOptions(b, fb.Padding.SAME, 1, 1, 1, fb.ActivationFunctionType.RELU6, 1, 1)],
    },
    { code: OP.ADD, inputs: [3, 6], outputs: [7], options: [fb.BuiltinOptions.AddOptions, (b) => fb.AddOptions.createAddOptions(b, fb.ActivationFunctionType.NONE)] },
  ];
  if (tail === 'mean-dense') {
    ops.push(
      { code: OP.MEAN, inputs: [7, 9], outputs: [8], options: [fb.BuiltinOptions.ReducerOptions, (b) => fb.ReducerOptions.createReducerOptions(b, true)] },
      { code: OP.FULLY_CONNECTED, inputs: [8, 10, 11], outputs: [14], options: [fb.BuiltinOptions.FullyConnectedOptions, (b) => fb.FullyConnectedOptions.createFullyConnectedOptions(b, fb.ActivationFunctionType.NONE, 0, false)] },
    );
  } else {
    ops.push(
      { code: OP.AVERAGE_POOL_2D, inputs: [7], outputs: [8], options: [fb.BuiltinOptions.Pool2DOptions, (b) => fb.Pool2DOptions.createPool2DOptions(b, fb.Padding.VALID, 1, 1, ow, oh, fb.ActivationFunctionType.NONE)] },
      { code: OP.CONV_2D, inputs: [8, 10, 11], outputs: [12], options: conv(fb.Padding.SAME, 1, fb.ActivationFunctionType.NONE) },
      { code: OP.RESHAPE, inputs: [12, 13], outputs: [14] },
    );
  }
  ops.push({ code: OP.SOFTMAX, inputs: [14], outputs: [15], options: [fb.BuiltinOptions.SoftmaxOptions, (b) => fb.SoftmaxOptions.createSoftmaxOptions(b, 1)] });
  if (extraOp) ops.push(extraOp);
  return buildTflite(tensors, ops, [0], [15]);
}

const relu6 = (v: number): number => Math.min(6, Math.max(0, v));

/** TensorFlow's SAME padding before the first row/column. */
function padBefore(size: number, stride: number, k: number): number {
  const out = Math.ceil(size / stride);
  return Math.floor(Math.max((out - 1) * stride + k - size, 0) / 2);
}

/**
 * The network in NHWC floats, straight from TFLite's definitions. `pixels` is [h][w][3] in 0..255.
 * Returns the pooled embedding and the logits (before softmax).
 */
export function referenceForward(pixels: number[][][]): { embedding: number[]; logits: number[] } {
  const [H, W] = [pixels.length, pixels[0]!.length];
  const x = pixels.map((row) => row.map((px) => px.map((p) => (p - IN.zp) * IN.scale)));
  const oh = Math.ceil(H / 2);
  const ow = Math.ceil(W / 2);
  const [pt, pl] = [padBefore(H, 2, 3), padBefore(W, 2, 3)];
  const conv: number[][][] = [];
  for (let i = 0; i < oh; i++) {
    conv.push([]);
    for (let j = 0; j < ow; j++) {
      conv[i]!.push([]);
      for (let o = 0; o < C; o++) {
        let s = convB[o]! * IN.scale * CONV.scale;
        for (let ki = 0; ki < 3; ki++) for (let kj = 0; kj < 3; kj++) {
          const [r, c] = [i * 2 + ki - pt, j * 2 + kj - pl];
          if (r < 0 || c < 0 || r >= H || c >= W) continue;
          for (let ch = 0; ch < 3; ch++) s += x[r]![c]![ch]! * (convW[((o * 3 + ki) * 3 + kj) * 3 + ch]! - CONV.zp) * CONV.scale;
        }
        conv[i]![j]!.push(relu6(s));
      }
    }
  }
  const sum: number[][][] = conv.map((row, i) => row.map((px, j) => px.map((v, ch) => {
    let s = dwB[ch]! * dwScale[ch]! * 0.05;
    for (let ki = 0; ki < 3; ki++) for (let kj = 0; kj < 3; kj++) {
      const [r, c] = [i + ki - 1, j + kj - 1];
      if (r < 0 || c < 0 || r >= oh || c >= ow) continue;
      s += conv[r]![c]![ch]! * dwW[(ki * 3 + kj) * C + ch]! * dwScale[ch]!;
    }
    return v + relu6(s);
  })));
  const embedding = Array.from({ length: C }, (_, ch) => sum.flat().reduce((acc, px) => acc + px[ch]!, 0) / (oh * ow));
  const logits = Array.from({ length: CLASSES }, (_, k) => fcB[k]! * 0.001 + embedding.reduce((acc, e, ch) => acc + e * (fcW[k * C + ch]! - FC.zp) * FC.scale, 0));
  return { embedding, logits };
}
