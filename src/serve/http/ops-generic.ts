// DetectLabels and DetectModerationLabels: generic labels from pretrained models (src/generic), no
// training and no started version needed. The labeller loads on the first call and stays loaded.
import { z } from 'zod';
import { SkulensError } from '../../errors.js';
import { ImageSchema, resolveImage } from './image-input.js';
import { operation, type ApiContext, type Operation } from './operation.js';

function labeller(ctx: ApiContext) {
  if (!ctx.genericLabels) throw new SkulensError('ERR_CONFIG_INVALID', { detail: 'generic labels are not enabled on this server' });
  return ctx.genericLabels();
}

const BoundingBoxSchema = z.object({ Width: z.number(), Height: z.number(), Left: z.number(), Top: z.number() }).describe('fractions of the image size');

export const genericOperations: Record<string, Operation> = {
  DetectLabels: operation({
    role: 'detect',
    summary:
      'Generic labels without training: COCO objects with bounding boxes (Instances) and, ImageNet classes from the shipped mobilenet-v2-imagenet; each with parents. See docs/generic-labels.md for what they can and cannot say.',
    input: z.object({
      Image: ImageSchema,
      MaxLabels: z.number().int().min(1).max(1000).optional(),
      MinConfidence: z.number().min(0).max(100).optional(),
      Features: z.array(z.string()).optional(),
      Settings: z.unknown().optional(),
    }),
    output: z.object({
      Labels: z.array(
        z.object({
          Name: z.string(),
          Confidence: z.number(),
          Parents: z.array(z.object({ Name: z.string() })),
          Instances: z.array(z.object({ BoundingBox: BoundingBoxSchema, Confidence: z.number() })),
        }),
      ),
      LabelModelVersion: z.string(),
    }),
    handle: async (ctx, input) => {
      const image = await resolveImage(ctx, input.Image);
      return (await labeller(ctx)).detectLabels(image, { maxLabels: input.MaxLabels, minConfidence: input.MinConfidence });
    },
  }),

  DetectModerationLabels: operation({
    role: 'detect',
    summary: "Moderation labels from nsfwjs's classifier, mapped to Rekognition's top-level names (docs/generic-labels.md).",
    input: z.object({
      Image: ImageSchema,
      MinConfidence: z.number().min(0).max(100).optional(),
      HumanLoopConfig: z.unknown().optional(),
      ProjectVersion: z.string().optional(),
    }),
    output: z.object({
      ModerationLabels: z.array(z.object({ Name: z.string(), Confidence: z.number(), ParentName: z.string() })),
      ModerationModelVersion: z.string(),
    }),
    handle: async (ctx, input) => {
      const image = await resolveImage(ctx, input.Image);
      return (await labeller(ctx)).detectModerationLabels(image, { minConfidence: input.MinConfidence });
    },
  }),
};
