// POST /v1/detect: DetectCustomLabels for people using curl, with the image as a multipart upload:
//   curl -H "Authorization: Bearer $ID:$SECRET" -F image=@shoe.jpg "http://127.0.0.1:8080/v1/detect?version=shoes/v1"
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { SkulensError } from '../../errors.js';
import { checkImageBytes, MAX_IMAGE_BYTES } from './image-input.js';
import { describeIssues, type ApiContext } from './operation.js';
import { CustomLabelsSchema, detectCustomLabels } from './ops-detect.js';
import { ERROR_RESPONSE } from './openapi.js';
import { partBytes, readForm } from './multipart.js';

export const UploadFieldsSchema = z.object({
  version: z.string().min(1).describe('<project>/<version> (shoes/v3) or a ProjectVersionArn'),
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

/** The form around a 4 MB image: its fields and part headers. */
const FORM_OVERHEAD = 64 * 1024;

export async function registerUpload(app: FastifyInstance, ctx: ApiContext): Promise<void> {
  await app.register(async (scope) => {
    // The whole form is read (at most 4 MB and its fields) and, for SigV4, proven by the auth hooks before it is parsed here.
    scope.addContentTypeParser('multipart/form-data', { parseAs: 'buffer', bodyLimit: MAX_IMAGE_BYTES + FORM_OVERHEAD }, (_request, body, done) => done(null, body));
    scope.post('/v1/detect', { config: { role: 'detect' }, bodyLimit: MAX_IMAGE_BYTES + FORM_OVERHEAD }, async (request) => {
      const fields: Record<string, string> = {};
      let image: { bytes: Buffer; name: string } | undefined;
      await readForm(request.headers, Readable.from([request.body as Buffer]), { fileSize: MAX_IMAGE_BYTES + 1, files: 1, fields: 10, parts: 12 }, {
        field: (name, value) => {
          fields[name] = value;
        },
        file: async (name, filename, stream) => {
          const { bytes } = await partBytes(stream);
          if (name === 'image') image = { bytes, name: filename || 'image' };
        },
      }, 'POST /v1/detect');
      const parsed = UploadFieldsSchema.safeParse({ ...(request.query as Record<string, string>), ...fields });
      if (!parsed.success) throw new SkulensError('ERR_REQUEST_INVALID', { operation: 'POST /v1/detect', detail: describeIssues(parsed.error) });
      if (!image) throw new SkulensError('ERR_REQUEST_INVALID', { operation: 'POST /v1/detect', detail: 'the multipart file field "image" is missing (curl -F image=@photo.jpg)' });
      const found: { bytes: Buffer; name: string } = image;
      const input = (await checkImageBytes(found.bytes, found.name)) as { bytes: Uint8Array; name: string };
      return detectCustomLabels(ctx, parsed.data.version, input, { minConfidence: parsed.data.minConfidence, maxResults: parsed.data.maxResults });
    });
  });
}
