import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { checkSigV4Time, parseSigV4, verifySigV4, type SignedRequest } from '../../src/auth/index.js';
import { isSkulensError } from '../../src/errors.js';

const KEY_ID = 'SKLABCDEFGHIJKLMNOPQ';
const SECRET = 'a-secret-of-forty-characters-give-or-take';
const AT = new Date('2026-11-25T10:00:00Z');

/** Signs a request the way AWS SDKs do (@smithy/signature-v4) and returns it as a server receives it. */
async function signed(options: { path?: string; query?: Record<string, string>; body?: string; secret?: string } = {}): Promise<SignedRequest> {
  const body = options.body ?? '{"ProjectNames":["shop"]}';
  const signer = new SignatureV4({ service: 'rekognition', region: 'eu-west-1', sha256: Sha256, credentials: { accessKeyId: KEY_ID, secretAccessKey: options.secret ?? SECRET } });
  const request = await signer.sign(
    {
      method: 'POST',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: 8080,
      path: options.path ?? '/',
      query: options.query ?? {},
      headers: { host: '127.0.0.1:8080', 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'RekognitionService.DescribeProjects', 'user-agent': 'test' },
      body,
    },
    { signingDate: AT },
  );
  const query = new URLSearchParams(options.query ?? {}).toString().replace(/\+/g, '%20');
  const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name.toLowerCase(), value]));
  return { method: 'POST', url: `${options.path ?? '/'}${query ? `?${query}` : ''}`, headers, bodySha256: createHash('sha256').update(body).digest('hex') };
}

function verify(request: SignedRequest, secret = SECRET): void {
  verifySigV4(request, parseSigV4(request.headers), secret);
}

test('a request signed by @smithy/signature-v4 verifies', async () => {
  verify(await signed());
});

test('a signed request with a path and query parameters verifies', async () => {
  verify(await signed({ path: '/v1/Describe Projects', query: { b: 'x y', a: "it's+1" } }));
});

test('a changed body fails verification with AccessDenied', async () => {
  const request = await signed();
  const tampered = { ...request, bodySha256: createHash('sha256').update('{"ProjectNames":["other"]}').digest('hex') };
  assert.throws(() => verify(tampered), (error) => isSkulensError(error, 'ERR_AUTH_INVALID') && error.awsType === 'AccessDeniedException' && error.status === 403);
});

test('a signature made with another secret fails verification', async () => {
  const request = await signed({ secret: 'wrong' });
  assert.throws(() => verify(request), (error) => isSkulensError(error, 'ERR_AUTH_INVALID'));
});

test('a changed signed header fails verification', async () => {
  const request = await signed();
  assert.throws(() => verify({ ...request, headers: { ...request.headers, 'x-amz-target': 'RekognitionService.DeleteProject' } }), (error) => isSkulensError(error, 'ERR_AUTH_INVALID'));
});

test('a signature older than 15 minutes is expired, and one within 15 minutes is not', async () => {
  const auth = parseSigV4((await signed()).headers);
  checkSigV4Time(auth, new Date(AT.getTime() + 14 * 60_000));
  assert.throws(
    () => checkSigV4Time(auth, new Date(AT.getTime() + 16 * 60_000)),
    (error) =>
      isSkulensError(error, 'ERR_AUTH_EXPIRED') &&
      error.message === 'Access denied: the request was signed at 2026-11-25T10:00:00.000Z, more than 15 minutes from the server time 2026-11-25T10:16:00.000Z; check the client clock',
  );
});

test('a malformed Authorization header is AccessDenied, not a crash', () => {
  assert.throws(() => parseSigV4({ authorization: 'AWS4-HMAC-SHA256 Credential=x', 'x-amz-date': '20261125T100000Z' }), (error) => isSkulensError(error, 'ERR_AUTH_INVALID'));
});
