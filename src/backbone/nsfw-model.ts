// The nsfwjs moderation model on TF.js (both optional packages): imported only when moderation is first
// asked for (openNsfwClassifier in generic-models.ts), so a server that never moderates never loads TF.js.
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { loadGraphModel } from '@tensorflow/tfjs-converter';
import type { GenericModel } from './generic-models.js';
import { preprocess } from './preprocess.js';
import { initWasm } from './runtime-tfjs.js';
import type { BackboneSpec } from './spec.js';

const require = createRequire(import.meta.url);

interface NsfwModelJson extends tf.io.ModelJSON {
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
}

/**
 * Loads nsfwjs's bundled weights straight from node_modules. nsfwjs ships them as UMD bundles (model JSON,
 * base64 shards) and its own loader imports the full @tensorflow/tfjs; we only need the graph converter
 * on the wasm backend, so the bundles are read here and handed to TF.js with tf.io.fromMemory.
 */
async function readNsfwArtifacts(model: string): Promise<tf.io.ModelArtifacts> {
  // Its exports map hides package.json; the CommonJS entry is dist/cjs/index.js, beside dist/models. A missing
  // package throws MODULE_NOT_FOUND, which the caller turns into ERR_OPTIONAL_PACKAGE_MISSING.
  const root = path.join(path.dirname(require.resolve('nsfwjs')), '..', 'models', model);
  const json = require(path.join(root, 'model.min.js')) as NsfwModelJson;
  const shards: Buffer[] = [];
  const weightSpecs: tf.io.WeightsManifestEntry[] = [];
  for (const group of json.weightsManifest) {
    for (const shard of group.paths) shards.push(Buffer.from(require(path.join(root, `${shard}.min.js`)) as string, 'base64'));
    weightSpecs.push(...group.weights);
  }
  const all = Buffer.concat(shards);
  const { weightsManifest: _manifest, ...rest } = json;
  return { ...rest, weightSpecs, weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer };
}

/** nsfwjs's input: the image squashed to 224 x 224, NHWC, pixel / 255. */
const NSFW_INPUT: BackboneSpec['input'] = { name: 'input', size: 224, layout: 'nhwc', resize: 'squash', scale: { mean: [0, 0, 0], std: [255, 255, 255] } };

/** Loads nsfwjs's graph model `model` on TF.js's wasm backend: softmax over its five classes. */
export async function loadNsfwClassifier(name: string): Promise<GenericModel> {
  await initWasm();
  const model = await loadGraphModel(tf.io.fromMemory(await readNsfwArtifacts(name)));
  return {
    id: `nsfwjs-${name}`,
    async run(input) {
      const tensor = await preprocess(input, NSFW_INPUT);
      const output = tf.tidy(() => model.execute({ input: tf.tensor(tensor.data, tensor.dims, 'float32') }, 'Identity') as tf.Tensor);
      try {
        return { data: (await output.data()) as Float32Array, dims: output.shape };
      } finally {
        output.dispose();
      }
    },
    close: async () => model.dispose(),
  };
}
