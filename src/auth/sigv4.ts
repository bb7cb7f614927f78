// Verifies AWS Signature Version 4 (header form) by recomputing it, per the AWS spec: canonical
// request -> string to sign -> HMAC chain of the secret. Matches what @smithy/signature-v4 signs.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { SkulensError } from '../errors.js';

/** What the signature covers, as the server received it. */
export interface SignedRequest {
  method: string;
  /** Path and query exactly as on the wire (Node's `request.url`). */
  url: string;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Hex SHA-256 of the raw body bytes. */
  bodySha256: string;
}

/** The parts of an `Authorization: AWS4-HMAC-SHA256 ...` header. */
export interface SigV4Authorization {
  keyId: string;
  /** YYYYMMDD of the credential scope. */
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
  /** The request's x-amz-date, YYYYMMDDTHHMMSSZ. */
  amzDate: string;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';
/** AWS refuses signatures more than 15 minutes away from its clock; so do we. */
export const MAX_SKEW_MINUTES = 15;

const denied = (detail: string): SkulensError => new SkulensError('ERR_AUTH_INVALID', { detail });

/** The one answer for a signature that does not verify, whatever the reason (an unknown key id or a wrong secret). */
export const SIGNATURE_MISMATCH = 'the request signature does not match; check the access key id, the secret access key and the signing method';

/** True when the header is a SigV4 one (whatever its validity). */
export function isSigV4(authorization: string | undefined): boolean {
  return authorization?.startsWith(`${ALGORITHM} `) ?? false;
}

/** Parses the Authorization header and the x-amz-date it relies on; a malformed one is AccessDenied. */
export function parseSigV4(headers: SignedRequest['headers']): SigV4Authorization {
  const header = single(headers.authorization) ?? '';
  const fields = new Map<string, string>();
  for (const part of header.slice(ALGORITHM.length + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const credential = fields.get('Credential')?.split('/');
  const signedHeaders = fields.get('SignedHeaders')?.split(';');
  const signature = fields.get('Signature');
  if (!credential || credential.length !== 5 || credential[4] !== 'aws4_request' || !signedHeaders || !signature) {
    throw denied('the Authorization header is not a valid AWS4-HMAC-SHA256 header (Credential, SignedHeaders, Signature)');
  }
  const [keyId, date, region, service] = credential as [string, string, string, string];
  const amzDate = single(headers['x-amz-date']);
  if (!amzDate || !/^\d{8}T\d{6}Z$/.test(amzDate)) throw denied('the signed request has no valid X-Amz-Date header');
  if (!amzDate.startsWith(date)) throw denied(`the credential date ${date} does not match X-Amz-Date ${amzDate}`);
  if (!signedHeaders.includes('host')) throw denied('the signature must cover the Host header');
  return { keyId, date, region, service, signedHeaders, signature, amzDate };
}

/** Throws ERR_AUTH_EXPIRED when the request was signed too far from `now`. */
export function checkSigV4Time(auth: SigV4Authorization, now: Date = new Date()): void {
  const a = auth.amzDate;
  const signedAt = Date.UTC(+a.slice(0, 4), +a.slice(4, 6) - 1, +a.slice(6, 8), +a.slice(9, 11), +a.slice(11, 13), +a.slice(13, 15));
  if (Math.abs(now.getTime() - signedAt) > MAX_SKEW_MINUTES * 60_000) {
    throw new SkulensError('ERR_AUTH_EXPIRED', { signedAt: new Date(signedAt).toISOString(), skewMinutes: MAX_SKEW_MINUTES, serverTime: now.toISOString() });
  }
}

/** Recomputes the signature of `request` with `secret` and throws ERR_AUTH_INVALID when it differs. */
export function verifySigV4(request: SignedRequest, auth: SigV4Authorization, secret: string): void {
  const declared = single(request.headers['x-amz-content-sha256']);
  // A client may sign a declared payload hash (S3 style); then the body must match it, unless it is UNSIGNED-PAYLOAD.
  if (declared !== undefined && declared !== 'UNSIGNED-PAYLOAD' && declared !== request.bodySha256) {
    throw denied('the body does not match its X-Amz-Content-Sha256 header');
  }
  const expected = sigV4Signature(request, auth, secret, declared ?? request.bodySha256);
  const given = Buffer.from(auth.signature, 'utf8');
  if (given.length !== expected.length || !timingSafeEqual(given, Buffer.from(expected, 'utf8'))) {
    throw denied(SIGNATURE_MISMATCH);
  }
}

/** The hex signature a client holding `secret` computes for `request`. */
export function sigV4Signature(request: SignedRequest, auth: SigV4Authorization, secret: string, payloadHash: string): string {
  const [rawPath = '/', rawQuery = ''] = splitOnce(request.url, '?');
  const headerLines = [...auth.signedHeaders].sort().map((name) => {
    const value = request.headers[name];
    const text = Array.isArray(value) ? value.join(',') : (value ?? '');
    return `${name}:${text.trim().replace(/\s+/g, ' ')}`;
  });
  const canonicalRequest = [
    request.method.toUpperCase(),
    canonicalPath(rawPath),
    canonicalQuery(rawQuery),
    ...headerLines,
    '',
    [...auth.signedHeaders].sort().join(';'),
    payloadHash,
  ].join('\n');
  const scope = `${auth.date}/${auth.region}/${auth.service}/aws4_request`;
  const stringToSign = [ALGORITHM, auth.amzDate, scope, hex(canonicalRequest)].join('\n');
  let key: Buffer = hmac(`AWS4${secret}`, auth.date);
  for (const part of [auth.region, auth.service, 'aws4_request']) key = hmac(key, part);
  return createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex');
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function splitOnce(text: string, separator: string): [string, string] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, ''] : [text.slice(0, at), text.slice(at + 1)];
}

const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data, 'utf8').digest();
const hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** RFC 3986 encoding as AWS wants it: encodeURIComponent plus ! ' ( ) *. */
function escapeUri(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Non-S3 services sign the normalised path with each segment encoded once more than on the wire. */
function canonicalPath(rawPath: string): string {
  const segments: string[] = [];
  for (const segment of rawPath.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const normalised = `${rawPath.startsWith('/') ? '/' : ''}${segments.join('/')}${segments.length > 0 && rawPath.endsWith('/') ? '/' : ''}`;
  return escapeUri(normalised).replace(/%2F/g, '/');
}

/** Query pairs decoded (a "+" stays a "+", as AWS encodes spaces as %20), re-encoded, sorted. */
function canonicalQuery(rawQuery: string): string {
  if (rawQuery === '') return '';
  const pairs = rawQuery
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const [key, value] = splitOnce(pair, '=');
      return [escapeUri(safeDecode(key)), escapeUri(safeDecode(value))] as const;
    })
    .filter(([key]) => key.toLowerCase() !== 'x-amz-signature');
  pairs.sort(([ka, va], [kb, vb]) => (ka < kb ? -1 : ka > kb ? 1 : va < vb ? -1 : va > vb ? 1 : 0));
  return pairs.map(([key, value]) => `${key}=${value}`).join('&');
}
