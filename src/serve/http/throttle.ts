// Throttling through @fastify/rate-limit: failed sign-ins counted per client address and per (address,
// claimed key id) pair (429 ThrottlingException once either passes its limit, until its window ends), and a
// request rate per proven key (429 ProvisionedThroughputExceededException). No counter is kept per key id
// alone: it would let anyone who knows a key id lock that key out from everywhere (docs/security.md says
// why guessing a secret from many addresses gains nothing). Counters live in the process (an LRU map).
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { claimedKeyId } from '../../auth/index.js';
import { SkulensError } from '../../errors.js';

/** Limits of one server; windows in milliseconds. */
export interface ThrottleOptions {
  /** Failed sign-ins allowed per client address and key id in `failureWindowMs` (default 10). */
  maxFailures?: number;
  /** Failed sign-ins allowed per client address, whatever key id they name (default 100: many made-up ids, or a shared address). */
  maxAddressFailures?: number;
  failureWindowMs?: number;
  /** Requests allowed per key in `keyWindowMs` (default 6000 a minute); 0 turns the per-key limit off. */
  keyRequests?: number;
  keyWindowMs?: number;
}

export const THROTTLE_DEFAULTS = Object.freeze({ maxFailures: 10, maxAddressFailures: 100, failureWindowMs: 60_000, keyRequests: 6000, keyWindowMs: 60_000 });

type Limiter = (request: FastifyRequest, options?: { increment?: boolean }) => Promise<{ isAllowed: boolean; isExceeded?: boolean; ttlInSeconds?: number }>;

/** The checks the auth hooks call. */
export interface Throttle {
  /** Throws ERR_AUTH_THROTTLED when this address, or this address with this claimed key id, has failed too often lately. */
  checkFailures(request: FastifyRequest): Promise<void>;
  /** Counts one failed sign-in against the address and the (address, claimed key id) pair. */
  recordFailure(request: FastifyRequest): Promise<void>;
  /** Counts one request of the proven key `keyId`; throws ERR_RATE_EXCEEDED past the per-key rate. */
  countRequest(request: FastifyRequest, keyId: string): Promise<void>;
}

const seconds = (ms: number): string => (ms % 60_000 === 0 ? `${ms / 60_000} minute(s)` : `${ms / 1000} s`);

/** Registers the plugin (no global hook: skulens calls the limiters itself) and builds the checks. */
export async function registerThrottle(app: FastifyInstance, options: ThrottleOptions = {}): Promise<Throttle> {
  const o = { ...THROTTLE_DEFAULTS, ...options };
  await app.register(rateLimit, { global: false, cache: 20_000 });
  const byAddress: Limiter = app.createRateLimit({ max: o.maxAddressFailures, timeWindow: o.failureWindowMs, keyGenerator: (r) => `fail-ip:${r.ip}` });
  const byAddressAndKey: Limiter = app.createRateLimit({ max: o.maxFailures, timeWindow: o.failureWindowMs, keyGenerator: (r) => `fail-key:${r.ip}\0${claimedKeyId(r.headers)}` });
  const perKey: Limiter | undefined =
    o.keyRequests > 0 ? app.createRateLimit({ max: o.keyRequests, timeWindow: o.keyWindowMs, keyGenerator: (r) => `rate:${r.skulensKeyId ?? ''}` }) : undefined;

  const limiters = (request: FastifyRequest): [string, Limiter][] => {
    const keyId = claimedKeyId(request.headers);
    return [[`address ${request.ip}`, byAddress], ...(keyId ? [[`address ${request.ip} with key ${keyId}`, byAddressAndKey] as [string, Limiter]] : [])];
  };
  return {
    async checkFailures(request) {
      for (const [who, limiter] of limiters(request)) {
        const state = await limiter(request, { increment: false });
        // Without incrementing, "exceeded" reads as having used the whole allowance already.
        if (!state.isAllowed && (state.isExceeded || (state as { remaining?: number }).remaining === 0)) {
          throw new SkulensError('ERR_AUTH_THROTTLED', { who, seconds: Math.max(1, state.ttlInSeconds ?? 1) });
        }
      }
    },
    async recordFailure(request) {
      for (const [, limiter] of limiters(request)) await limiter(request);
    },
    async countRequest(request, keyId) {
      if (!perKey) return;
      request.skulensKeyId = keyId;
      const state = await perKey(request);
      if (!state.isAllowed && state.isExceeded) {
        throw new SkulensError('ERR_RATE_EXCEEDED', { key: keyId, max: o.keyRequests, window: seconds(o.keyWindowMs), seconds: Math.max(1, state.ttlInSeconds ?? 1) });
      }
    },
  };
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The key a request counts against (set once authenticated). */
    skulensKeyId?: string;
  }
}
