// DetectCustomLabels: the labels a RUNNING version gives one image, in Rekognition's shape (with Parents
// when the project has a taxonomy, and ComposedLabel for attribute groups). When the project opted in,
// an uncertain answer is kept for review (src/review), for the JSON operation and the upload route alike.
import { z } from 'zod';
import type { DetectOptions } from '../../predict/index.js';
import { detectWithCapture } from '../../review/index.js';
import { ImageSchema, resolveImage } from './image-input.js';
import { operation, type ApiContext, type Operation } from './operation.js';

export const CustomLabelsSchema = z.array(
  z.object({
    Name: z.string(),
    Confidence: z.number().describe('0-100'),
    Parents: z.array(z.object({ Name: z.string() })).optional().describe("the label's ancestors in the project's taxonomy, nearest first (as DetectLabels); absent without a taxonomy"),
  }),
);

/** Groups projects: the best value of every group joined coarse to fine, with the product of their confidences. */
export const ComposedLabelSchema = z.object({ Name: z.string(), Confidence: z.number().describe('0-100') }).optional().describe('skulens, groups projects only');

/** Shared by the JSON operation and the multipart upload route. */
export async function detectCustomLabels(ctx: ApiContext, ref: string, input: Parameters<typeof resolveImage>[1] | { bytes: Uint8Array; name: string }, options: DetectOptions) {
  // Check the version first: an image sent to a stopped model is refused before any decoding.
  const predictor = ctx.host.predictor(ctx.registry.versions.resolve(ref));
  const image = 'bytes' in input ? input : await resolveImage(ctx, input);
  const { capture: _, ...answer } = await detectWithCapture(ctx.registry, ctx.home, predictor, image, options, 'DetectCustomLabels');
  return answer;
}

export const detectOperations: Record<string, Operation> = {
  DetectCustomLabels: operation({
    role: 'detect',
    summary:
      "Labels one image with a RUNNING version. MinConfidence (0-100) unset means each label's own threshold applies; an empty CustomLabels list means \"not in the catalogue\".",
    input: z.object({
      ProjectVersionArn: z.string().min(1),
      Image: ImageSchema,
      MinConfidence: z.number().min(0).max(100).optional(),
      MaxResults: z.number().int().min(0).optional(),
    }),
    output: z.object({ CustomLabels: CustomLabelsSchema, ComposedLabel: ComposedLabelSchema }),
    handle: (ctx, input) => detectCustomLabels(ctx, input.ProjectVersionArn, input.Image, { minConfidence: input.MinConfidence, maxResults: input.MaxResults }),
  }),
};
