// TF.js graph models on the wasm backend (SIMD, single thread: its threaded build does not run in Node).
// Weights are read from disk and handed over with tf.io.fromMemory; nothing is fetched.
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { loadGraphModel } from '@tensorflow/tfjs-converter';
import type { InputTensor } from './preprocess.js';
import type { BackboneSession } from './runtime.js';
import type { BackboneSpec } from './spec.js';

const require = createRequire(import.meta.url);
let backendReady: Promise<void> | undefined;

/** Starts the TF.js wasm backend once per thread (shared with the generic-label models). */
export function initWasm(): Promise<void> {
  backendReady ??= (async () => {
    const distDir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
    setWasmPaths(`${distDir}${path.sep}`);
    if (!(await tf.setBackend('wasm'))) throw new Error('the TF.js wasm backend did not start');
    await tf.ready();
  })();
  return backendReady;
}

interface WeightsGroup {
  paths: string[];
  weights: tf.io.WeightsManifestEntry[];
}

/** Reads a model.json and its weight shards (listed in its manifest, beside it) into memory artefacts. */
async function readArtifacts(modelJson: string): Promise<tf.io.ModelArtifacts> {
  const json = JSON.parse(await fs.readFile(modelJson, 'utf8')) as tf.io.ModelJSON & { weightsManifest: WeightsGroup[] };
  const shards: Buffer[] = [];
  const weightSpecs: tf.io.WeightsManifestEntry[] = [];
  for (const group of json.weightsManifest) {
    for (const shard of group.paths) shards.push(await fs.readFile(path.join(path.dirname(modelJson), shard)));
    weightSpecs.push(...group.weights);
  }
  const all = Buffer.concat(shards);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer;
  const { weightsManifest: _manifest, ...rest } = json;
  return { ...rest, weightSpecs, weightData };
}

/** Loads a TF.js graph model (first weight file = model.json) as a backbone session reading `spec.tap`. */
export async function openTfjsSession(spec: BackboneSpec, weightFiles: readonly string[]): Promise<BackboneSession> {
  await initWasm();
  const model = await loadGraphModel(tf.io.fromMemory(await readArtifacts(weightFiles[0]!)));
  return {
    async run(input: InputTensor) {
      const output = tf.tidy(() => {
        const x = tf.tensor(input.data, input.dims, 'float32');
        return model.execute({ [spec.input.name]: x }, spec.tap) as tf.Tensor;
      });
      try {
        return { data: (await output.data()) as Float32Array, dims: output.shape };
      } finally {
        output.dispose();
      }
    },
    close: async () => model.dispose(),
  };
}
