import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { decodeModel } from '../../src/onnx/index.js';
import { convertTflite, packedLabels, readTflite, TfliteFormatError } from '../../src/tflite/index.js';
import { appendZip, OP } from './fixtures.js';
import { C, CLASSES, H, referenceForward, tinyClassifier, W } from './tiny-classifier.js';

function pixels(seed: number): number[][][] {
  let s = seed;
  const next = (): number => ((s = (s * 1103515245 + 12345) % 2147483648), s % 256);
  return Array.from({ length: H }, () => Array.from({ length: W }, () => [next(), next(), next()]));
}

/** Runs a converted graph on NHWC pixels, feeding it NCHW values scaled as the model's input says. */
async function runConverted(onnx: Uint8Array, images: number[][][][], mean: number, std: number): Promise<{ embedding: Float32Array; logits: Float32Array }> {
  const session = await ort.InferenceSession.create(onnx);
  const data = new Float32Array(images.length * 3 * H * W);
  images.forEach((img, n) => img.forEach((row, i) => row.forEach((px, j) => px.forEach((p, c) => (data[((n * 3 + c) * H + i) * W + j] = (p - mean) / std)))));
  const out = await session.run({ input: new ort.Tensor('float32', data, [images.length, 3, H, W]) });
  await session.release();
  return { embedding: out.embedding!.data as Float32Array, logits: out.logits!.data as Float32Array };
}

for (const tail of ['mean-dense', 'pool-conv'] as const) {
  test(`a tiny ${tail} TFLite classifier converts to ONNX that matches a direct NHWC computation within 1e-5`, async () => {
    const converted = convertTflite(readTflite(tinyClassifier(tail)));
    assert.deepEqual(converted.input, { height: H, width: W, channels: 3 });
    assert.deepEqual(converted.pixelScale, { mean: 128, std: 128 });
    assert.equal(converted.embeddingDim, C);
    assert.equal(converted.classes, CLASSES);
    const images = [pixels(1), pixels(2), pixels(3)];
    const got = await runConverted(converted.onnx, images, 128, 128);
    images.forEach((img, n) => {
      const want = referenceForward(img);
      want.embedding.forEach((v, k) => assert.ok(Math.abs(got.embedding[n * C + k]! - v) < 1e-5, `embedding[${n},${k}] ${got.embedding[n * C + k]} vs ${v}`));
      want.logits.forEach((v, k) => assert.ok(Math.abs(got.logits[n * CLASSES + k]! - v) < 1e-5, `logits[${n},${k}] ${got.logits[n * CLASSES + k]} vs ${v}`));
    });
  });
}

test('the converted graph keeps the reference op vocabulary with explicit asymmetric SAME pads', () => {
  const model = decodeModel(convertTflite(readTflite(tinyClassifier('pool-conv'))).onnx);
  const nodes = model.graph!.node!;
  assert.deepEqual(nodes.map((n) => n.opType), ['Conv', 'Clip', 'Conv', 'Clip', 'Add', 'GlobalAveragePool', 'Flatten', 'Gemm']);
  const pads = (n: (typeof nodes)[number]): number[] => n.attribute!.find((a) => a.name === 'pads')!.ints!.map(Number);
  // 5x6 input, 3x3 kernel, stride 2: 2 rows of padding (1 top, 1 bottom) and 1 column (after only).
  assert.deepEqual(pads(nodes[0]!), [1, 0, 1, 1]);
  assert.equal(Number(nodes[2]!.attribute!.find((a) => a.name === 'group')!.i), C);
  assert.deepEqual(model.graph!.input!.map((v) => v.name), ['input']);
  assert.deepEqual(model.graph!.output!.map((v) => v.name), ['embedding', 'logits']);
  assert.equal(model.graph!.input![0]!.type!.tensorType!.shape!.dim![0]!.dimParam, 'batch');
  assert.equal(Number(model.opsetImport![0]!.version), 13);
});

test('an operator skulens cannot convert is refused by name', () => {
  const bytes = tinyClassifier('mean-dense', { code: OP.LOGISTIC, inputs: [15], outputs: [15] });
  assert.throws(() => convertTflite(readTflite(bytes)), (error) => error instanceof TfliteFormatError && /LOGISTIC is not supported/.test(error.message));
});

test('bytes that are not a TFLite model are refused', () => {
  assert.throws(() => readTflite(new TextEncoder().encode('definitely not a flatbuffer')), TfliteFormatError);
});

test('class names packed after the flatbuffer are read, and the model still parses', () => {
  const bytes = appendZip(tinyClassifier('mean-dense'), { 'notes.md': 'x', 'labels.txt': 'background\nshoe, running shoe\n\n' });
  assert.deepEqual(packedLabels(bytes), { file: 'labels.txt', labels: ['background', 'shoe, running shoe'] });
  assert.equal(readTflite(bytes).operators.length, 6);
  assert.equal(packedLabels(tinyClassifier('mean-dense')), undefined);
});

const SHARED = path.resolve(import.meta.dirname, '..', '..', '..', 'shared', 'models', 'mobilenet-v2-imagenet');
const VENDORED = path.resolve(import.meta.dirname, '..', '..', 'models', 'mobilenet-v2-imagenet', 'tf2_mobilenet_v2_1.0_224_ptq.tflite');
const MOBILENET_OPS = { Conv: 52, Clip: 35, Add: 10, GlobalAveragePool: 1, Flatten: 1, Gemm: 1 };

function opCounts(ops: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const op of ops) counts[op] = (counts[op] ?? 0) + 1;
  return counts;
}

test('the shipped MobileNetV2 (int8, per-channel scales) converts to the reference op structure with its 1001 class names', () => {
  const bytes = fs.readFileSync(VENDORED);
  const model = readTflite(bytes);
  const perChannel = model.tensors.filter((t) => t.data && (t.quantization?.scale.length ?? 0) > 1);
  assert.ok(perChannel.length >= 52, `${perChannel.length} per-channel tensors`);
  const converted = convertTflite(model);
  assert.deepEqual(opCounts(converted.ops), MOBILENET_OPS);
  assert.deepEqual([converted.embeddingDim, converted.classes], [1280, 1001]);
  assert.equal(converted.pixelScale?.mean, 127);
  assert.ok(Math.abs(converted.pixelScale!.std - 127.5) < 1e-3);
  assert.equal(packedLabels(bytes)?.labels.length, 1001);
});

// Conversions are cached under the .tflite's sha256 alone (src/backbone/tflite-weights.ts), so a change to
// the bytes written would leave earlier releases' cached files served as if current.
test('the shipped MobileNetV2 converts to the same bytes that earlier releases cached', () => {
  const converted = convertTflite(readTflite(fs.readFileSync(VENDORED)), 'mobilenet-v2-imagenet');
  const sha256 = createHash('sha256').update(converted.onnx).digest('hex');
  assert.equal(sha256, '5660a2cf860abcd8ac8f9a6bf7640c7f7deaa678a0ddb82d386e5adcd16d4d21', 'the converted bytes changed: key the conversion cache by the new bytes too, then update this hash');
});

// The reference conversion in ../shared was made from the other (uint8, per-tensor) file of the same
// repository; converting that file here must reproduce it.
test('the uint8 MobileNetV2 converts to the reference conversion in ../shared (same outputs within 1e-4)', { skip: !fs.existsSync(path.join(SHARED, 'model.onnx')) && 'no ../shared/models' }, async () => {
  const converted = convertTflite(readTflite(fs.readFileSync(path.join(SHARED, 'source', 'mobilenet_v2_1.0_224_quant.tflite'))), 'mobilenet_v2');
  assert.deepEqual(opCounts(converted.ops), MOBILENET_OPS);
  const [ours, reference] = await Promise.all([ort.InferenceSession.create(converted.onnx), ort.InferenceSession.create(path.join(SHARED, 'model.onnx'))]);
  let s = 7;
  const data = Float32Array.from({ length: 2 * 3 * 224 * 224 }, () => ((s = (s * 1103515245 + 12345) % 2147483648), (s / 2147483648) * 2 - 1));
  const feeds = { input: new ort.Tensor('float32', data, [2, 3, 224, 224]) };
  const [a, b] = [await ours.run(feeds), await reference.run(feeds)];
  for (const name of ['embedding', 'logits']) {
    const [x, y] = [a[name]!.data as Float32Array, b[name]!.data as Float32Array];
    assert.deepEqual(a[name]!.dims, b[name]!.dims);
    let worst = 0;
    for (let k = 0; k < x.length; k++) worst = Math.max(worst, Math.abs(x[k]! - y[k]!));
    assert.ok(worst < 1e-4, `${name} differs by ${worst}`);
  }
  await Promise.all([ours.release(), reference.release()]);
});
