// The one HTTP error mapping: a SkulensError becomes its status and {"__type", "Message"}; zod and
// Fastify's own client errors become coded ones; anything else is a logged 500 that leaks no stack.
import http from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { SkulensError } from '../../errors.js';
import { resourceErrorOf } from '../../home/index.js';
import { describeIssues } from './operation.js';

/** Maps any thrown value to the SkulensError the client will see. */
export function toClientError(error: unknown, request: FastifyRequest, home?: { root: string }): SkulensError {
  if (error instanceof SkulensError) return error;
  const operation = request.skulensAuth?.operation ?? `${request.method} ${request.routeOptions.url ?? request.url}`;
  const resource = resourceErrorOf(error, operation, home);
  if (resource) return resource;
  if (error instanceof z.ZodError) return new SkulensError('ERR_REQUEST_INVALID', { operation: request.url, detail: describeIssues(error) });
  const fastifyError = error as Partial<FastifyError>;
  switch (fastifyError.code) {
    case 'FST_REQ_FILE_TOO_LARGE':
      return new SkulensError('ERR_IMAGE_TOO_LARGE', { file: 'in the request', detail: 'the request body is over the limit; an image may be at most 4 MB' });
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return bodyTooLarge(request);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new SkulensError('ERR_REQUEST_INVALID', { operation: request.url, detail: fastifyError.message ?? 'bad body' });
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

/** The error for a body over its route's limit: ImageTooLargeException for a detect (only detects carry an image), else 413. */
export function bodyTooLarge(request: FastifyRequest): SkulensError {
  const target = `${request.url} ${String(request.headers['x-amz-target'] ?? '')}`;
  if (/Detect/.test(target)) return new SkulensError('ERR_IMAGE_TOO_LARGE', { file: 'in the request', detail: 'the request body is over the limit; an image may be at most 4 MB' });
  return new SkulensError('ERR_REQUEST_TOO_LARGE', { operation: request.url, detail: `the body is over ${request.routeOptions.bodyLimit ?? 'the limit of'} bytes` });
}

/**
 * The Fastify error handler: logs server faults with their stack (never sent), answers in Rekognition's
 * error shape with every server path in the message rewritten by `redact` (redact.ts). A file system
 * failure of the home becomes ERR_HOME_READ_ONLY or ERR_DISK_FULL naming the operation.
 */
export function errorHandler(redact: (text: string) => string = (text) => text, home?: { root: string }) {
  return (error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const clientError = toClientError(error, request, home);
    if (clientError.status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ code: clientError.code }, clientError.message);
    return sendError(reply, clientError, redact);
  };
}

export function sendError(reply: FastifyReply, error: SkulensError, redact: (text: string) => string = (text) => text): FastifyReply {
  if (error.status === 429 && typeof error.details.seconds === 'number') reply.header('retry-after', String(error.details.seconds));
  return reply
    .code(error.status)
    .header('x-amzn-errortype', error.awsType)
    // The stable skulens code travels in a header: the body keeps Rekognition's exact shape, and an
    // extra "Code" member would be read by AWS SDKs as the error name.
    .header('x-skulens-error-code', error.code)
    .header('content-type', reply.request.headers['x-amz-target'] ? 'application/x-amz-json-1.1' : 'application/json; charset=utf-8')
    .send(JSON.stringify({ __type: error.awsType, Message: redact(error.message) }));
}

/** Answers a connection-level client error (before any route runs) in Rekognition's error shape. */
export function clientErrorHandler(this: { log: { debug(o: object, m: string): void } }, error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || !socket.writable) return;
  const coded =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? new SkulensError('ERR_HEADERS_TOO_LARGE', { max: http.maxHeaderSize })
      : new SkulensError('ERR_REQUEST_INVALID', { operation: 'the server', detail: 'the HTTP request is malformed' });
  this.log.debug({ err: error }, 'client error');
  const body = JSON.stringify({ __type: coded.awsType, Message: coded.message });
  socket.end(
    [
      `HTTP/1.1 ${coded.status} ${http.STATUS_CODES[coded.status] ?? 'Error'}`,
      'Connection: close',
      'Content-Type: application/json; charset=utf-8',
      `Content-Length: ${Buffer.byteLength(body)}`,
      `x-amzn-errortype: ${coded.awsType}`,
      `x-skulens-error-code: ${coded.code}`,
      '',
      body,
    ].join('\r\n'),
  );
}
