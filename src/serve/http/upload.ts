// POST /v1/detect: DetectCustomLabels for people using curl, with the image as a multipart upload:
//   curl -H "Authorization: Bearer $ID:$SECRET" -F image=@shoe.jpg "http://127.0.0.1:8080/v1/detect?version=shoes/v1"
import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { SkulensError } from '../../errors.js';
import { hashRawBody, verifyBody } from './auth-hooks.js';
import { checkImageBytes, MAX_IMAGE_BYTES } from './image-input.js';
import { describeIssues, type ApiContext } from './operation.js';
import { CustomLabelsSchema, detectCustomLabels } from './ops-detect.js';
import { ERROR_RESPONSE } from './openapi.js';

export const UploadFieldsSchema = z.object({
  version: z.string().min(1).describe('<project>/v<N> or a ProjectVersionArn'),
  minConfidence: z.coerce.number().min(0).max(100).optional(),
  maxResults: z.coerce.number().int().min(0).optional(),
});

/** OpenAPI description of the route. */
export const UPLOAD_PATH = {
  '/v1/detect': {
    post: {
      operationId: 'DetectUpload',
      summary: 'DetectCustomLabels with a multipart upload: file field "image"; version, minConfidence, maxResults as fields or query parameters.',
      requestBody: {
        required: true,
        content: {
          'multipart/form-data': {
            schema: {
              type: 'object',
              required: ['image'],
              properties: { image: { type: 'string', format: 'binary' }, ...(z.toJSONSchema(UploadFieldsSchema, { io: 'input' }) as { properties: object }).properties },
            },
          },
        },
      },
      responses: { '200': { description: 'OK', content: { 'application/json': { schema: z.toJSONSchema(z.object({ CustomLabels: CustomLabelsSchema })) } } }, default: ERROR_RESPONSE },
    },
  },
};

export async function registerUpload(app: FastifyInstance, ctx: ApiContext): Promise<void> {
  await app.register(async (scope) => {
    await scope.register(multipart, { limits: { fileSize: MAX_IMAGE_BYTES, files: 1, fields: 10, parts: 12 } });
    scope.post('/v1/detect', { config: { bodyInHandler: true } }, async (request) => {
      // @fastify/multipart reads the raw stream itself, so the SigV4 body hash is taken from it here.
      hashRawBody(request);
      const fields: Record<string, string> = {};
      let image: { bytes: Buffer; name: string } | undefined;
      try {
        for await (const part of request.parts()) {
          if (part.type === 'file') {
            const bytes = await part.toBuffer();
            if (part.fieldname === 'image') image = { bytes, name: part.filename || 'image' };
          } else {
            fields[part.fieldname] = String(part.value);
          }
        }
      } catch (error) {
        // A form cut short or malformed (busboy: "Unexpected end of form") is the client's, not a 500.
        const status = (error as { statusCode?: number }).statusCode;
        if (error instanceof SkulensError || (status !== undefined && status < 500)) throw error;
        throw new SkulensError('ERR_MULTIPART_INVALID', { operation: 'POST /v1/detect', detail: (error as Error).message }, { cause: error });
      }
      await verifyBody(request);
      const parsed = UploadFieldsSchema.safeParse({ ...(request.query as Record<string, string>), ...fields });
      if (!parsed.success) throw new SkulensError('ERR_REQUEST_INVALID', { operation: 'POST /v1/detect', detail: describeIssues(parsed.error) });
      if (!image) throw new SkulensError('ERR_REQUEST_INVALID', { operation: 'POST /v1/detect', detail: 'the multipart file field "image" is missing (curl -F image=@photo.jpg)' });
      const input = checkImageBytes(image.bytes, image.name) as { bytes: Uint8Array; name: string };
      return detectCustomLabels(ctx, parsed.data.version, input, { minConfidence: parsed.data.minConfidence, maxResults: parsed.data.maxResults });
    });
  });
}
