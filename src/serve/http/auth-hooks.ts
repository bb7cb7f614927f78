// Authentication of every route but the public ones (config.public): headers are checked in
// onRequest; a SigV4 signature, which covers the body, is checked once the body has been read
// (preValidation), or by the handler itself for routes that stream their body (config.bodyInHandler).
import { createHash, type Hash } from 'node:crypto';
import { Transform } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { authenticateHeaders, type Caller, type KeyStore, type PendingSignature } from '../../auth/index.js';

interface AuthState {
  caller?: Caller;
  pending?: PendingSignature;
  hash?: Hash;
}

declare module 'fastify' {
  interface FastifyRequest {
    skulensAuth: AuthState | null;
  }
  interface FastifyContextConfig {
    /** No credentials needed (health check). */
    public?: boolean;
    /** The handler reads the body itself and calls `verifyBody`. */
    bodyInHandler?: boolean;
  }
}

/** Installs the auth hooks on `app`. */
export function registerAuth(app: FastifyInstance, keys: KeyStore): void {
  app.decorateRequest('skulensAuth', null);
  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.config.public) return;
    const result = authenticateHeaders(keys, request.headers);
    request.skulensAuth = 'verify' in result ? { pending: result } : { caller: result };
  });
  app.addHook('preParsing', async (request, _reply, payload) => {
    const state = request.skulensAuth;
    if (!state?.pending || request.routeOptions.config.bodyInHandler) return payload;
    // Hash the raw bytes as the body parser reads them: the signature covers exactly these bytes.
    const hash = (state.hash = createHash('sha256'));
    return payload.pipe(
      new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          hash.update(chunk);
          callback(null, chunk);
        },
      }),
    );
  });
  app.addHook('preValidation', async (request) => {
    if (!request.routeOptions.config.bodyInHandler) verifyBody(request);
  });
}

/** For bodyInHandler routes: starts hashing the raw request stream; call before reading the body. */
export function hashRawBody(request: FastifyRequest): void {
  const state = request.skulensAuth;
  if (!state?.pending) return;
  const hash = (state.hash = createHash('sha256'));
  request.raw.on('data', (chunk: Buffer) => hash.update(chunk));
}

/** Checks a pending SigV4 signature against the body read so far (all of it, by now). */
export function verifyBody(request: FastifyRequest): void {
  const state = request.skulensAuth;
  if (!state?.pending) return;
  const bodySha256 = (state.hash ?? createHash('sha256')).digest('hex');
  state.pending.verify({ method: request.method, url: request.raw.url ?? request.url, headers: request.headers, bodySha256 });
  state.caller = state.pending.caller;
  state.pending = undefined;
}
