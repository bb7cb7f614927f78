// The ONNX-to-PyTorch bridge: the engine's interpreter, loaded with a graph the test builds, computes
// what onnxruntime computes.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { ENGINE_SCRIPT } from '../../src/finetune/index.js';
import { mulberry32 } from '../../src/train/index.js';
import { SMALL_SIZE, smallOnnxModel, tempDir, torchPython } from './fixtures.js';

const python = torchPython();

/** Runs the interpreter on `input` (float32, NCHW) and returns the named output, flat. */
function torchOutput(modelFile: string, inputFile: string, dims: number[], output: string): number[] {
  const script = [
    'import json, sys, numpy, torch',
    `sys.path.insert(0, ${JSON.stringify(path.dirname(ENGINE_SCRIPT))})`,
    'from onnx_torch import OnnxModule',
    `m = OnnxModule(${JSON.stringify(modelFile)}, ${JSON.stringify(output)})`,
    `x = torch.from_numpy(numpy.fromfile(${JSON.stringify(inputFile)}, dtype="<f4").reshape(${dims.join(', ')}))`,
    'with torch.no_grad(): print(json.dumps(m(x).flatten().tolist()))',
  ].join('\n');
  const run = spawnSync(python!, ['-c', script], { encoding: 'utf8', env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout) as number[];
}

test('the PyTorch interpreter of an ONNX graph reproduces onnxruntime within 1e-5', { skip: python ? false : 'no python with torch and onnx' }, async () => {
  const dir = tempDir('bridge');
  const modelFile = path.join(dir, 'small.onnx');
  fs.writeFileSync(modelFile, smallOnnxModel());
  const dims = [3, 3, SMALL_SIZE, SMALL_SIZE];
  const random = mulberry32(11);
  const input = Float32Array.from({ length: dims.reduce((a, b) => a * b) }, () => random() * 4 - 2);
  const inputFile = path.join(dir, 'input.f32');
  fs.writeFileSync(inputFile, Buffer.from(input.buffer));
  const session = await ort.InferenceSession.create(modelFile);
  const outputs = await session.run({ input: new ort.Tensor('float32', input, dims) });
  await session.release();
  for (const name of ['embedding', 'logits']) {
    const expected = Array.from(outputs[name]!.data as Float32Array);
    const actual = torchOutput(modelFile, inputFile, dims, name);
    assert.equal(actual.length, expected.length, name);
    const diff = Math.max(...actual.map((v, k) => Math.abs(v - expected[k]!)));
    assert.ok(diff < 1e-5, `${name}: max difference ${diff}`);
  }
});
