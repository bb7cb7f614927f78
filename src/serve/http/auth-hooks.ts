// Authentication and roles of every route, before any byte of a body is parsed, written or unpacked.
// Every route declares `config.role` (a key role, 'public', or 'operation' for the JSON operations, whose
// rows declare theirs); a route without one is refused when it is registered. onRequest checks the
// headers: a Bearer key is proven there, and so is a SigV4 signature whose payload hash is known without
// the body (a bodyless request, or a declared X-Amz-Content-Sha256, checked against the body later).
// preParsing reads a bounded body into memory, proves any other SigV4 signature over its hash and checks
// the role, and only then hands the bytes to the parser. Failed sign-ins are counted (throttle.ts); a key's request rate is
// counted once it is proven, so nobody can spend another key's rate with forged requests.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { authenticateHeaders, requireRole, type Caller, type KeyRole, type KeyStore, type PendingSignature, type RouteRole } from '../../auth/index.js';
import { SkulensError, isSkulensError } from '../../errors.js';
import { bodyTooLarge } from './errors.js';
import type { Throttle } from './throttle.js';

interface AuthState {
  caller?: Caller;
  pending?: PendingSignature;
  /** The operation a JSON route names (decoded once, from the path or X-Amz-Target). */
  operation?: string;
  admitted: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    skulensAuth: AuthState | null;
  }
  interface FastifyContextConfig {
    /** Who may call the route: 'public', a key role, or 'operation' (the operation the request names declares it). */
    role?: RouteRole | 'operation';
    /** The handler streams the body itself; a SigV4 caller must then declare X-Amz-Content-Sha256 (a hash or UNSIGNED-PAYLOAD). */
    streamBody?: boolean;
  }
}

const EMPTY_SHA256 = createHash('sha256').digest('hex');
const SHA256_HEX = /^[0-9a-f]{64}$/;
const BODYLESS = new Set(['GET', 'HEAD', 'DELETE', 'OPTIONS']);

/** What the auth hooks need from the server: its keys, its throttle and the JSON operations' roles. */
export interface AuthOptions {
  keys: KeyStore;
  throttle: Throttle;
  /** The role the JSON operation `name` declares; undefined for an unknown operation. */
  operationRole(name: string): KeyRole | undefined;
  /** The names of the JSON operations, for the error that names an unknown one. */
  operationNames: readonly string[];
}

/** The operation a request to POST /v1/<Operation> or POST / (X-Amz-Target) names, or undefined. */
function operationNameOf(request: FastifyRequest): string | undefined {
  if (request.routeOptions.url === '/v1/:operation') return (request.params as { operation?: string }).operation;
  const target = request.headers['x-amz-target'];
  return typeof target === 'string' && target.startsWith('RekognitionService.') ? target.slice('RekognitionService.'.length) : undefined;
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** A route as registered, with the role it declares (what the role-matrix test walks). */
export interface DeclaredRoute {
  method: string;
  url: string;
  role: RouteRole | 'operation';
  streamBody: boolean;
}

/**
 * Installs the auth hooks on `app`, and refuses to register any route that does not declare its role.
 * Returns the table of routes registered from now on, each with its declared role.
 */
export function registerAuth(app: FastifyInstance, options: AuthOptions): readonly DeclaredRoute[] {
  const { keys, throttle } = options;
  const routes: DeclaredRoute[] = [];
  app.decorateRequest('skulensAuth', null);
  app.addHook('onRoute', (route) => {
    const role = route.config?.role;
    if (role === undefined) throw new Error(`route ${String(route.method)} ${route.url} declares no role: set config.role (a key role, 'public' or 'operation')`);
    for (const method of [route.method].flat()) routes.push({ method: String(method), url: route.url, role, streamBody: route.config?.streamBody === true });
  });

  /** Runs an authentication step; a refused credential counts as a failed sign-in before it is rethrown. */
  const counted = async <T>(request: FastifyRequest, step: () => T): Promise<T> => {
    try {
      return step();
    } catch (error) {
      if (isSkulensError(error) && error.awsType === 'AccessDeniedException') await throttle.recordFailure(request);
      throw error;
    }
  };

  /** Proves a pending SigV4 signature over `payloadHash`, then checks the route's role and counts the key's rate. */
  const prove = async (request: FastifyRequest, state: AuthState, payloadHash: string): Promise<void> => {
    const pending = state.pending!;
    state.caller = await counted(request, () => pending.prove({ method: request.method, url: request.raw.url ?? request.url, headers: request.headers, bodySha256: payloadHash }));
    state.pending = undefined;
    await admit(request, state);
  };

  const admit = async (request: FastifyRequest, state: AuthState): Promise<void> => {
    const caller = state.caller!;
    const role = request.routeOptions.config.role;
    let needed: KeyRole;
    let what = `${request.method} ${request.routeOptions.url ?? request.url}`;
    if (role === 'operation') {
      const name = operationNameOf(request);
      const declared = name ? options.operationRole(name) : undefined;
      if (!name || !declared) {
        if (!name) throw new SkulensError('ERR_OPERATION_UNKNOWN', { operation: `POST / with X-Amz-Target "${header(request, 'x-amz-target') ?? ''}"`, known: 'X-Amz-Target: RekognitionService.<Operation>' });
        throw new SkulensError('ERR_OPERATION_UNKNOWN', { operation: name, known: options.operationNames.join(', ') });
      }
      state.operation = name;
      needed = declared;
      what = name;
    } else {
      // A route that reaches here without a key role (the not-found handler) needs any valid key.
      needed = role === undefined || role === 'public' ? 'detect' : role;
    }
    requireRole(caller.role, needed, what);
    await throttle.countRequest(request, caller.keyId);
    state.admitted = true;
  };

  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.config.role === 'public') return;
    await throttle.checkFailures(request);
    const state: AuthState = { admitted: false };
    request.skulensAuth = state;
    const result = await counted(request, () => authenticateHeaders(keys, request.headers));
    if (!('prove' in result)) {
      state.caller = result;
      return admit(request, state);
    }
    state.pending = result;
    const declared = header(request, 'x-amz-content-sha256');
    const stream = request.routeOptions.config.streamBody === true;
    if (declared !== undefined && declared !== 'UNSIGNED-PAYLOAD' && !SHA256_HEX.test(declared)) {
      return counted(request, () => {
        throw new SkulensError('ERR_AUTH_INVALID', { detail: 'X-Amz-Content-Sha256 must be the hex SHA-256 of the body' });
      });
    }
    if (declared === 'UNSIGNED-PAYLOAD' && !stream) {
      return counted(request, () => {
        throw new SkulensError('ERR_AUTH_INVALID', { detail: 'UNSIGNED-PAYLOAD is accepted only by the dataset upload route; sign the SHA-256 of the body' });
      });
    }
    if (stream) {
      if (declared === undefined) {
        return counted(request, () => {
          throw new SkulensError('ERR_AUTH_INVALID', { detail: 'a SigV4 upload must sign X-Amz-Content-Sha256 (the SHA-256 of the body, or UNSIGNED-PAYLOAD), so that it is verified before the body is read' });
        });
      }
      // The signature covers the declared hash: proven now; the handler checks the body against it as it spools.
      return prove(request, state, declared);
    }
    if (BODYLESS.has(request.method)) {
      if (declared !== undefined && declared !== EMPTY_SHA256) {
        return counted(request, () => {
          throw new SkulensError('ERR_AUTH_INVALID', { detail: 'the body does not match its X-Amz-Content-Sha256 header' });
        });
      }
      return prove(request, state, EMPTY_SHA256);
    }
    // A declared payload hash (the AWS SDKs send one) lets the signature be proven before the body is read;
    // preParsing then checks the body against it.
    if (declared !== undefined) return prove(request, state, declared);
  });

  app.addHook('preParsing', async (request, _reply, payload) => {
    const config = request.routeOptions.config;
    if (config.role === 'public' || config.streamBody || BODYLESS.has(request.method)) return payload;
    const state = request.skulensAuth!;
    const limit = request.routeOptions.bodyLimit ?? app.initialConfig.bodyLimit ?? 1024 * 1024;
    const bytes = await readBounded(payload, limit, () => bodyTooLarge(request));
    const declared = header(request, 'x-amz-content-sha256');
    if (state.pending || (state.caller?.via === 'sigv4' && declared !== undefined)) {
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      if (declared !== undefined && declared !== sha256) {
        await counted(request, () => {
          throw new SkulensError('ERR_AUTH_INVALID', { detail: 'the body does not match its X-Amz-Content-Sha256 header' });
        });
      }
      if (state.pending) await prove(request, state, sha256);
    }
    return Readable.from(bytes.length ? [bytes] : []);
  });

  // The last gate: no handler runs for a caller that is not proven and admitted.
  app.addHook('preHandler', async (request) => {
    if (request.routeOptions.config.role === 'public') return;
    const state = request.skulensAuth;
    if (!state?.caller) throw new SkulensError('ERR_AUTH_INVALID', { detail: 'the request signature has not been verified' });
    if (!state.admitted) await admit(request, state);
  });
  return routes;
}

/**
 * Reads a whole request body of at most `limit` bytes. Past the limit it stops listening (without
 * destroying the stream, so the error still reaches the client) and rejects.
 */
function readBounded(payload: NodeJS.ReadableStream, limit: number, tooLarge: () => SkulensError): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = (): void => {
      payload.removeListener('data', onData);
      payload.removeListener('end', onEnd);
      payload.removeListener('error', onError);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        stop();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      stop();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (error: Error): void => {
      stop();
      reject(error);
    };
    payload.on('data', onData);
    payload.on('end', onEnd);
    payload.on('error', onError);
  });
}

/** The proven caller of a request (routes other than public ones). */
export function callerOf(request: FastifyRequest): Caller {
  const caller = request.skulensAuth?.caller;
  if (!caller || !request.skulensAuth?.admitted) throw new SkulensError('ERR_AUTH_INVALID', { detail: 'the request signature has not been verified' });
  return caller;
}

/** The JSON operation a request names, decoded once when the request was admitted. */
export function operationOf(request: FastifyRequest): string {
  const name = request.skulensAuth?.operation;
  if (!name) throw new SkulensError('ERR_AUTH_INVALID', { detail: 'the request has not been admitted' });
  return name;
}

/**
 * For streaming routes: checks the body's SHA-256 (computed while it was spooled) against the hash the
 * signature covers. Bearer callers and UNSIGNED-PAYLOAD need nothing.
 *
 * @throws SkulensError ERR_AUTH_INVALID when they differ.
 */
export function checkStreamedBody(request: FastifyRequest, sha256: string): void {
  const declared = header(request, 'x-amz-content-sha256');
  if (request.skulensAuth?.caller?.via !== 'sigv4' || declared === undefined || declared === 'UNSIGNED-PAYLOAD') return;
  if (declared !== sha256) throw new SkulensError('ERR_AUTH_INVALID', { detail: 'the body does not match its X-Amz-Content-Sha256 header' });
}
