// Authentication of every route but the public ones (config.public): headers are checked in
// onRequest; a SigV4 signature, which covers the body, is checked once the body has been read
// (preValidation), or by the handler itself for routes that stream their body (config.bodyInHandler).
// Failed sign-ins are counted and throttled (throttle.ts); each authenticated request counts against
// its key's rate; the role a route needs is checked by `authorize`.
import { createHash, type Hash } from 'node:crypto';
import { Transform } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { authenticateHeaders, requireRole, type Caller, type KeyRole, type KeyStore, type PendingSignature } from '../../auth/index.js';
import { SkulensError, isSkulensError } from '../../errors.js';
import type { Throttle } from './throttle.js';

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
    /** The least key role the route needs (default detect); operations check theirs by name. */
    role?: KeyRole;
  }
}

const THROTTLES = new WeakMap<FastifyRequest, Throttle>();

/** Runs an authentication step; a refused credential counts as a failed sign-in before it is rethrown. */
async function counted<T>(request: FastifyRequest, throttle: Throttle, step: () => T): Promise<T> {
  try {
    return step();
  } catch (error) {
    if (isSkulensError(error) && error.awsType === 'AccessDeniedException') await throttle.recordFailure(request);
    throw error;
  }
}

/** Installs the auth hooks on `app`. */
export function registerAuth(app: FastifyInstance, keys: KeyStore, throttle: Throttle): void {
  app.decorateRequest('skulensAuth', null);
  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.config.public) return;
    THROTTLES.set(request, throttle);
    await throttle.checkFailures(request);
    const result = await counted(request, throttle, () => authenticateHeaders(keys, request.headers));
    request.skulensAuth = 'verify' in result ? { pending: result } : { caller: result };
    await throttle.countRequest(request, ('verify' in result ? result.caller : result).keyId);
  });
  // A route's role is checked once the caller is proven (a SigV4 signature only after the body), so an
  // unsigned request cannot learn what a key id may do.
  app.addHook('preHandler', async (request) => {
    const needed = request.routeOptions.config.role;
    if (needed && !request.routeOptions.config.public) authorize(request, needed, `${request.method} ${request.routeOptions.url ?? request.url}`);
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
    if (!request.routeOptions.config.bodyInHandler) await verifyBody(request);
  });
}

/** Throws ERR_ROLE_REQUIRED unless the caller's key role covers `needed` for `operation`. */
export function authorize(request: FastifyRequest, needed: KeyRole, operation: string): void {
  const caller = request.skulensAuth?.caller;
  if (!caller) throw new SkulensError('ERR_AUTH_INVALID', { detail: 'the request signature has not been verified yet' });
  requireRole(caller.role, needed, operation);
}

/** For bodyInHandler routes: starts hashing the raw request stream; call before reading the body. */
export function hashRawBody(request: FastifyRequest): void {
  const state = request.skulensAuth;
  if (!state?.pending) return;
  const hash = (state.hash = createHash('sha256'));
  request.raw.on('data', (chunk: Buffer) => hash.update(chunk));
}

/** Checks a pending SigV4 signature against the body read so far (all of it, by now). */
export async function verifyBody(request: FastifyRequest): Promise<void> {
  const state = request.skulensAuth;
  if (!state?.pending) return;
  const pending = state.pending;
  const bodySha256 = (state.hash ?? createHash('sha256')).digest('hex');
  const verify = (): void => pending.verify({ method: request.method, url: request.raw.url ?? request.url, headers: request.headers, bodySha256 });
  const throttle = THROTTLES.get(request);
  if (throttle) await counted(request, throttle, verify);
  else verify();
  state.caller = state.pending.caller;
  state.pending = undefined;
}
