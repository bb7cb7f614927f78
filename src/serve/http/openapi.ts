// The OpenAPI 3.1 document of the API, generated from the same zod schemas that validate requests.
import { z } from 'zod';
import type { Operation } from './operation.js';

const ErrorSchema = {
  type: 'object',
  required: ['__type', 'Message'],
  properties: {
    __type: { type: 'string', description: 'Rekognition error name, e.g. InvalidParameterException' },
    Message: { type: 'string' },
  },
} as const;

const errorResponse = {
  description: 'An error in Rekognition\'s shape; the header x-skulens-error-code carries the skulens code (docs/errors.md).',
  content: { 'application/json': { schema: ErrorSchema } },
};

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): unknown {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}

/** Extra, non-operation routes to document (multipart upload, batches). */
export type ExtraPaths = Record<string, Record<string, unknown>>;

/** Builds the document; each operation is a POST /v1/<Operation> (and POST / with X-Amz-Target). */
export function openApiDocument(operations: Record<string, Operation>, version: string, extra: ExtraPaths = {}): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  for (const [name, op] of Object.entries(operations)) {
    paths[`/v1/${name}`] = {
      post: {
        operationId: name,
        summary: op.summary,
        'x-skulens-role': op.role,
        description: `Also callable as POST / with "X-Amz-Target: RekognitionService.${name}" and Content-Type application/x-amz-json-1.1 (AWS SDKs).`,
        requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(op.input, 'input') } } },
        responses: { '200': { description: 'OK', content: { 'application/json': { schema: jsonSchema(op.output, 'output') } } }, default: errorResponse },
      },
    };
  }
  Object.assign(paths, extra);
  paths['/v1/openapi.json'] = {
    get: { operationId: 'OpenApiDocument', summary: 'This document; needs no credentials (it holds no data).', security: [], responses: { '200': { description: 'OK' } } },
  };
  paths['/health'] = {
    get: { operationId: 'Health', summary: 'Liveness check; needs no credentials.', security: [], responses: { '200': { description: 'OK' } } },
  };
  return {
    openapi: '3.1.0',
    info: { title: 'skulens API', version, description: 'Rekognition Custom Labels-style operations, self-hosted. Errors: {"__type","Message"}.' },
    servers: [{ url: 'http://127.0.0.1:8080' }],
    security: [{ bearer: [] }, { sigv4: [] }],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'Authorization: Bearer <key id>:<secret> (from `skulens keys create`).' },
        sigv4: { type: 'apiKey', in: 'header', name: 'Authorization', description: 'AWS Signature Version 4: access key id = key id, secret access key = secret; any region, service "rekognition".' },
      },
      schemas: { Error: ErrorSchema },
    },
    paths,
  };
}

/** Error response object, for extra paths. */
export const ERROR_RESPONSE = errorResponse;
