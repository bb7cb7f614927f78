// ONNX Runtime sessions (onnxruntime-node, CPU): one intra-op thread each, since one session per core
// in worker threads measured faster than one session using both cores.
import * as ort from 'onnxruntime-node';
import type { InputTensor } from './preprocess.js';
import type { BackboneSession } from './runtime.js';
import type { BackboneSpec } from './spec.js';

/** Opens an ONNX model file as a backbone session reading `spec.tap`. */
export async function openOnnxSession(spec: BackboneSpec, weightFiles: readonly string[]): Promise<BackboneSession> {
  const session = await ort.InferenceSession.create(weightFiles[0]!, {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  return {
    async run(input: InputTensor) {
      const feeds = { [spec.input.name]: new ort.Tensor('float32', input.data, input.dims) };
      const outputs = await session.run(feeds, [spec.tap]);
      const output = outputs[spec.tap];
      if (!output || output.type !== 'float32') throw new Error(`output "${spec.tap}" is missing or not float32`);
      return { data: output.data as Float32Array, dims: [...output.dims] };
    },
    close: () => session.release(),
  };
}
