// Batch routes: POST /v1/batches starts a batch over a folder on the server (src/batch), GET
// /v1/batches lists them and GET /v1/batches/<id> shows one's progress.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { StartBatchSchema, type BatchService } from '../../batch/index.js';
import { SkulensError } from '../../errors.js';
import { ERROR_RESPONSE } from './openapi.js';
import { describeIssues } from './operation.js';

const StatusSchema = z.object({
  BatchId: z.string(),
  ProjectVersionArn: z.string(),
  Source: z.string(),
  Output: z.string(),
  Format: z.enum(['jsonl', 'csv']),
  Status: z.enum(['IN_PROGRESS', 'SUCCEEDED', 'FAILED', 'STOPPED']),
  StatusMessage: z.string().optional(),
  Total: z.number().nullable(),
  Processed: z.number(),
  Skipped: z.number(),
  Failed: z.number(),
  CreationTimestamp: z.string(),
  CompletionTimestamp: z.string().optional(),
});

const json = (schema: z.ZodType, io: 'input' | 'output' = 'output') => ({ 'application/json': { schema: z.toJSONSchema(schema, { io, unrepresentable: 'any' }) } });

/** OpenAPI description of the batch routes. */
export const BATCH_PATHS = {
  '/v1/batches': {
    post: {
      operationId: 'StartBatch',
      summary: 'Starts a batch: every image under Source (a folder on the server) labelled into Output (.jsonl or .csv). Re-running on the same Output resumes.',
      requestBody: { required: true, content: json(StartBatchSchema, 'input') },
      responses: { '200': { description: 'the new batch', content: json(StatusSchema) }, default: ERROR_RESPONSE },
    },
    get: { operationId: 'ListBatches', summary: 'Batches of this server process.', responses: { '200': { description: 'OK', content: json(z.object({ Batches: z.array(StatusSchema) })) } } },
  },
  '/v1/batches/{id}': {
    get: {
      operationId: 'DescribeBatch',
      summary: 'Progress of one batch.',
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
      responses: { '200': { description: 'OK', content: json(StatusSchema) }, default: ERROR_RESPONSE },
    },
  },
};

export function registerBatches(app: FastifyInstance, batches: BatchService): void {
  app.post('/v1/batches', async (request) => {
    const parsed = StartBatchSchema.safeParse(request.body ?? {});
    if (!parsed.success) throw new SkulensError('ERR_REQUEST_INVALID', { operation: 'POST /v1/batches', detail: describeIssues(parsed.error) });
    return batches.start(parsed.data);
  });
  app.get('/v1/batches', async () => ({ Batches: batches.list() }));
  app.get<{ Params: { id: string } }>('/v1/batches/:id', async (request) => batches.get(request.params.id));
}
