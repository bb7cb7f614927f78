// The Image of a detect request: base64 Bytes (at most 4 MB once decoded) or an S3Object, checked
// to be JPEG, PNG, WebP, AVIF, TIFF or GIF (first frame) by its first bytes and at most 4096 px a side by its header, before any
// pixel is decoded.
import { z } from 'zod';
import { checkPixelLimit } from '../../dataset/index.js';
import { SkulensError } from '../../errors.js';
import type { EmbedInput } from '../../backbone/index.js';
import type { ApiContext } from './operation.js';
import { sniffFormat } from './sniff.js';

export { sniffFormat };

/** Rekognition's limit for image bytes in a detect request. */
export const MAX_IMAGE_BYTES = 4 * 1024 * 1024;

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export const ImageSchema = z
  .object({
    Bytes: z.string().regex(BASE64, 'must be base64').optional().describe('The image file, base64-encoded; at most 4 MB decoded. JPEG, PNG, WebP, AVIF, TIFF or GIF (its first frame).'),
    S3Object: z
      .object({ Bucket: z.string().min(1), Name: z.string().min(1), Version: z.string().optional() })
      .optional()
      .describe('An image in the S3-compatible store configured with SKULENS_S3_ENDPOINT.'),
  })
  .refine((image) => (image.Bytes === undefined) !== (image.S3Object === undefined), { message: 'give exactly one of Bytes or S3Object' });

/**
 * Checks size, format and pixel dimensions (from the header only) of image bytes from any route: the
 * same 4096 x 4096 px limit as training (docs/api.md), so no request makes the server decode more.
 */
export async function checkImageBytes(bytes: Uint8Array, name: string): Promise<EmbedInput> {
  if (bytes.length > MAX_IMAGE_BYTES) {
    throw new SkulensError('ERR_IMAGE_TOO_LARGE', { file: name, detail: `${bytes.length} bytes; a detect request takes at most ${MAX_IMAGE_BYTES} bytes (4 MB)` });
  }
  const format = bytes.length === 0 ? undefined : sniffFormat(bytes);
  if (format === undefined) {
    throw new SkulensError('ERR_IMAGE_FORMAT_UNSUPPORTED', { file: name, format: bytes.length === 0 ? 'empty' : 'of an unknown format' });
  }
  if (format === 'heic') throw new SkulensError('ERR_IMAGE_HEIC', { file: name });
  await checkPixelLimit(bytes, name);
  return { bytes, name };
}

/** The EmbedInput of a validated Image field. */
export async function resolveImage(ctx: ApiContext, image: z.output<typeof ImageSchema>): Promise<EmbedInput> {
  if (image.Bytes !== undefined) {
    // Reject before decoding: base64 is 4/3 of the decoded size.
    if (Math.floor((image.Bytes.length * 3) / 4) - 2 > MAX_IMAGE_BYTES) {
      throw new SkulensError('ERR_IMAGE_TOO_LARGE', { file: 'Image.Bytes', detail: `about ${Math.floor((image.Bytes.length * 3) / 4)} bytes; a detect request takes at most ${MAX_IMAGE_BYTES} bytes (4 MB)` });
    }
    return await checkImageBytes(Buffer.from(image.Bytes, 'base64'), 'Image.Bytes');
  }
  const { Bucket, Name } = image.S3Object!;
  if (!ctx.readS3) throw new SkulensError('ERR_S3_NOT_CONFIGURED', { detail: `Image.S3Object s3://${Bucket}/${Name} needs an S3 store; set SKULENS_S3_ENDPOINT (and AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY) for the server, or send Image.Bytes` });
  return await checkImageBytes(await ctx.readS3(Bucket, Name), `s3://${Bucket}/${Name}`);
}
