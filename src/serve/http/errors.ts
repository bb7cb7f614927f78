// The one HTTP error mapping: a SkulensError becomes its status and {"__type", "Message"}; zod and
// Fastify's own client errors become coded ones; anything else is a logged 500 that leaks no stack.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { SkulensError } from '../../errors.js';
import { describeIssues } from './operation.js';

/** Maps any thrown value to the SkulensError the client will see. */
export function toClientError(error: unknown, request: FastifyRequest): SkulensError {
  if (error instanceof SkulensError) return error;
  if (error instanceof z.ZodError) return new SkulensError('ERR_REQUEST_INVALID', { operation: request.url, detail: describeIssues(error) });
  const fastifyError = error as Partial<FastifyError>;
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
    case 'FST_REQ_FILE_TOO_LARGE':
      return new SkulensError('ERR_IMAGE_TOO_LARGE', { file: 'in the request', detail: 'the request body is over the limit; an image may be at most 4 MB' });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new SkulensError('ERR_REQUEST_INVALID', { operation: request.url, detail: `unsupported Content-Type "${request.headers['content-type'] ?? ''}"; send application/json (or application/x-amz-json-1.1)` });
    default:
      break;
  }
  const status = fastifyError.statusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    return new SkulensError('ERR_REQUEST_INVALID', { operation: request.url, detail: fastifyError.message ?? 'bad request' });
  }
  return new SkulensError('ERR_INTERNAL', { requestId: request.id });
}

/** Fastify error handler: logs server faults with their stack (never sent), answers in Rekognition's error shape. */
export function handleError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const clientError = toClientError(error, request);
  if (clientError.status >= 500) request.log.error({ err: error }, 'request failed');
  else request.log.info({ code: clientError.code }, clientError.message);
  return sendError(reply, clientError);
}

export function sendError(reply: FastifyReply, error: SkulensError): FastifyReply {
  return reply
    .code(error.status)
    .header('x-amzn-errortype', error.awsType)
    // The stable skulens code travels in a header: the body keeps Rekognition's exact shape, and an
    // extra "Code" member would be read by AWS SDKs as the error name.
    .header('x-skulens-error-code', error.code)
    .header('content-type', reply.request.headers['x-amz-target'] ? 'application/x-amz-json-1.1' : 'application/json; charset=utf-8')
    .send(JSON.stringify({ __type: error.awsType, Message: error.message }));
}
