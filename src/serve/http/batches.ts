// Batch routes: POST /v1/batches starts a batch over a source under the server's import roots (or an
// s3:// prefix) with a RUNNING version, GET /v1/batches lists them, GET /v1/batches/<id> shows one's
// progress (with its queue chunks when the server runs batches on Redis workers), POST
// /v1/batches/<id>/stop stops it, and GET /v1/batches/<id>/results streams the results the server writes.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import path from 'node:path';
import { StartBatchSchema, type BatchService, type BatchStatus } from '../../batch/index.js';
import { SkulensError } from '../../errors.js';
import { versionId } from '../../registry/index.js';
import { isS3Uri } from '../../storage/index.js';
import type { ApiContext } from './operation.js';
import { ERROR_RESPONSE } from './openapi.js';
import { describeIssues } from './operation.js';

const StatusSchema = z.object({
  BatchId: z.string(),
  ProjectVersionArn: z.string(),
  Source: z.string(),
  ResultsPath: z.string().describe('GET this path for the results so far'),
  Format: z.enum(['jsonl', 'csv']),
  Status: z.enum(['IN_PROGRESS', 'SUCCEEDED', 'FAILED', 'STOPPED']),
  StatusMessage: z.string().optional(),
  Total: z.number().nullable(),
  Processed: z.number(),
  Skipped: z.number(),
  Failed: z.number(),
  CreationTimestamp: z.string(),
  CompletionTimestamp: z.string().optional(),
  Queue: z
    .object({
      Redis: z.string().describe('the queue, without a password'),
      ChunkSize: z.number(),
      Chunks: z.object({ Total: z.number().nullable(), Queued: z.number(), Done: z.number() }),
      Retries: z.number().describe('chunk attempts beyond the first (failures retried with backoff, chunks of dead workers taken over)'),
      Cached: z.number().describe('images answered from the result cache (same content hash, version and options)'),
    })
    .optional()
    .describe('only when the server runs batches on Redis workers (serve --redis)'),
});

const json = (schema: z.ZodType, io: 'input' | 'output' = 'output') => ({ 'application/json': { schema: z.toJSONSchema(schema, { io, unrepresentable: 'any' }) } });
const idParameter = [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }];

/** OpenAPI description of the batch routes. */
export const BATCH_PATHS = {
  '/v1/batches': {
    post: {
      operationId: 'StartBatch',
      summary: 'Starts a batch (key role train): every image under Source (a folder under an import root, or an s3:// prefix) through a RUNNING version; results are fetched from ResultsPath.',
      requestBody: { required: true, content: json(StartBatchSchema, 'input') },
      responses: { '200': { description: 'the new batch', content: json(StatusSchema) }, default: ERROR_RESPONSE },
    },
    get: { operationId: 'ListBatches', summary: 'Batches of this server process (key role train).', responses: { '200': { description: 'OK', content: json(z.object({ Batches: z.array(StatusSchema) })) } } },
  },
  '/v1/batches/{id}': {
    get: { operationId: 'DescribeBatch', summary: 'Progress of one batch (key role train).', parameters: idParameter, responses: { '200': { description: 'OK', content: json(StatusSchema) }, default: ERROR_RESPONSE } },
  },
  '/v1/batches/{id}/stop': {
    post: {
      operationId: 'StopBatch',
      summary: 'Stops an IN_PROGRESS batch (key role train): nothing new starts, queued chunks are dropped, the results keep every line written; answers its STOPPED status.',
      parameters: idParameter,
      responses: { '200': { description: 'the stopped batch', content: json(StatusSchema) }, default: ERROR_RESPONSE },
    },
  },
  '/v1/batches/{id}/results': {
    get: {
      operationId: 'GetBatchResults',
      summary: 'The results so far (key role train): JSON Lines or CSV, one line per image, complete lines only.',
      parameters: idParameter,
      responses: { '200': { description: 'application/x-ndjson or text/csv' }, default: ERROR_RESPONSE },
    },
  },
};

export function registerBatches(app: FastifyInstance, batches: BatchService, ctx: ApiContext, redact: (text: string) => string): void {
  // A status message may quote a server path (a file that could not be read): shown without it.
  const shown = (status: BatchStatus): BatchStatus => (status.StatusMessage ? { ...status, StatusMessage: redact(status.StatusMessage) } : status);
  const redactStatus = async (status: Promise<BatchStatus>): Promise<BatchStatus> => shown(await status);
  app.post('/v1/batches', { config: { role: 'train' } }, async (request) => {
    const parsed = StartBatchSchema.safeParse(request.body ?? {});
    if (!parsed.success) throw new SkulensError('ERR_REQUEST_INVALID', { operation: 'POST /v1/batches', detail: describeIssues(parsed.error) });
    const version = ctx.registry.versions.resolve(parsed.data.ProjectVersionArn);
    // Like DetectCustomLabels, a batch needs a started version: a stopped one costs nothing and serves nothing.
    if (version.status !== 'RUNNING' || !ctx.host.holds(version.id)) throw new SkulensError('ERR_VERSION_NOT_READY', { version: versionId(version), status: version.status, wanted: 'RUNNING (start it with StartProjectVersion)' });
    const source = parsed.data.Source;
    if (isS3Uri(source) && !ctx.importsS3) throw new SkulensError('ERR_S3_NOT_CONFIGURED', { detail: `cannot read ${source}: set SKULENS_S3_ENDPOINT for the server` });
    if (isS3Uri(source)) return redactStatus(batches.start(parsed.data, source));
    // The source is read at use time through its real path and checked unchanged; results name images
    // relative to their import root, never by server path.
    const local = await ctx.roots.check(source);
    return redactStatus(batches.start(parsed.data, local.path, { checked: local.identity, imageName: (image) => ctx.roots.display(image) ?? path.basename(image) }));
  });
  app.get('/v1/batches', { config: { role: 'train' } }, async () => ({ Batches: batches.list().map(shown) }));
  app.get<{ Params: { id: string } }>('/v1/batches/:id', { config: { role: 'train' } }, async (request) => shown(batches.get(request.params.id)));
  app.post<{ Params: { id: string } }>('/v1/batches/:id/stop', { config: { role: 'train' } }, async (request) => redactStatus(batches.stop(request.params.id)));
  app.get<{ Params: { id: string } }>('/v1/batches/:id/results', { config: { role: 'train' } }, async (request, reply) => {
    const { format, stream } = batches.results(request.params.id);
    return reply.header('content-type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8').send(stream);
  });
}
