// Decides who is calling from the request headers: a Bearer key is checked at once; a SigV4 request is
// checked for shape and clock here, and its signature once the payload hash it covers is known (declared
// in X-Amz-Content-Sha256, or computed from the body). An unknown key id and a wrong secret fail alike.
import { randomBytes } from 'node:crypto';
import { SkulensError } from '../errors.js';
import type { KeyRole } from '../registry/index.js';
import type { KeyStore } from './keys.js';
import { SIGNATURE_MISMATCH, checkSigV4Time, isSigV4, parseSigV4, verifySigV4, type SignedRequest, type SigV4Authorization } from './sigv4.js';

/** The authenticated key of a request. */
export interface Caller {
  keyId: string;
  role: KeyRole;
  via: 'bearer' | 'sigv4';
}

/**
 * A SigV4 request whose signature still has to be checked: `prove` with the payload hash the signature
 * covers returns the caller, or throws ERR_AUTH_INVALID (the same answer for an unknown key id).
 */
export interface PendingSignature {
  /** The key id the request names (not yet proven). */
  keyId: string;
  prove(request: SignedRequest): Caller;
}

/** A secret no key has: unknown key ids are verified against it, so they cost and answer what a wrong secret does. */
const DECOY_SECRET = randomBytes(30).toString('base64url');

/**
 * Checks the credentials in `headers` as far as headers allow.
 *
 * @example
 * const result = authenticateHeaders(keys, request.headers);
 * const caller = 'prove' in result ? result.prove({ method, url, headers, bodySha256 }) : result;
 * @throws SkulensError ERR_AUTH_MISSING, ERR_AUTH_INVALID or ERR_AUTH_EXPIRED (all AccessDeniedException, 403).
 */
export function authenticateHeaders(keys: KeyStore, headers: SignedRequest['headers'], now: Date = new Date()): Caller | PendingSignature {
  const authorization = Array.isArray(headers.authorization) ? headers.authorization[0] : headers.authorization;
  if (!authorization) throw new SkulensError('ERR_AUTH_MISSING');
  if (authorization.startsWith('Bearer ')) {
    const token = authorization.slice('Bearer '.length).trim();
    const colon = token.indexOf(':');
    if (colon <= 0) throw new SkulensError('ERR_AUTH_INVALID', { detail: 'a Bearer token is "<key id>:<secret>"' });
    const keyId = token.slice(0, colon);
    const role = keys.checkSecret(keyId, token.slice(colon + 1)) ? keys.roleOf(keyId) : undefined;
    if (!role) throw new SkulensError('ERR_AUTH_INVALID', { detail: 'unknown key id or wrong secret' });
    return { keyId, role, via: 'bearer' };
  }
  if (!isSigV4(authorization)) {
    throw new SkulensError('ERR_AUTH_INVALID', { detail: 'use "Authorization: Bearer <key id>:<secret>" or an AWS4-HMAC-SHA256 signature' });
  }
  const auth: SigV4Authorization = parseSigV4(headers);
  checkSigV4Time(auth, now);
  const secret = keys.secretOf(auth.keyId);
  const role = keys.roleOf(auth.keyId);
  const known = secret !== undefined && role !== undefined;
  return {
    keyId: auth.keyId,
    prove(request) {
      verifySigV4(request, auth, known ? secret : DECOY_SECRET);
      if (!known) throw new SkulensError('ERR_AUTH_INVALID', { detail: SIGNATURE_MISMATCH });
      return { keyId: auth.keyId, role, via: 'sigv4' };
    },
  };
}

/** The key id a request claims (Bearer "<id>:..." or a SigV4 Credential), valid or not: what failed sign-ins are counted by. */
export function claimedKeyId(headers: SignedRequest['headers']): string | undefined {
  const authorization = Array.isArray(headers.authorization) ? headers.authorization[0] : headers.authorization;
  if (!authorization) return undefined;
  const match = /^Bearer\s+([^:\s]{1,128}):/.exec(authorization) ?? /Credential=([^/\s,]{1,128})\//.exec(authorization);
  return match?.[1];
}
