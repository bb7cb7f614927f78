// DetectCustomLabels: the labels a RUNNING version gives one image, in Rekognition's shape.
import { z } from 'zod';
import type { DetectOptions } from '../../predict/index.js';
import { ImageSchema, resolveImage } from './image-input.js';
import { operation, type ApiContext, type Operation } from './operation.js';

export const CustomLabelsSchema = z.array(z.object({ Name: z.string(), Confidence: z.number().describe('0-100') }));

/** Shared by the JSON operation and the multipart upload route. */
export async function detectCustomLabels(ctx: ApiContext, ref: string, input: Parameters<typeof resolveImage>[1] | { bytes: Uint8Array; name: string }, options: DetectOptions) {
  // Check the version first: an image sent to a stopped model is refused before any decoding.
  const predictor = ctx.host.predictor(ctx.registry.versions.resolve(ref));
  const image = 'bytes' in input ? input : await resolveImage(ctx, input);
  return predictor.detect(image, options);
}

export const detectOperations: Record<string, Operation> = {
  DetectCustomLabels: operation({
    summary:
      "Labels one image with a RUNNING version. MinConfidence (0-100) unset means each label's own threshold applies; an empty CustomLabels list means \"not in the catalogue\".",
    input: z.object({
      ProjectVersionArn: z.string().min(1),
      Image: ImageSchema,
      MinConfidence: z.number().min(0).max(100).optional(),
      MaxResults: z.number().int().min(0).optional(),
    }),
    output: z.object({ CustomLabels: CustomLabelsSchema }),
    handle: (ctx, input) => detectCustomLabels(ctx, input.ProjectVersionArn, input.Image, { minConfidence: input.MinConfidence, maxResults: input.MaxResults }),
  }),
};
