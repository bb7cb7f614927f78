// Access through a real server: every route but /health needs a key, as Bearer or as an AWS SigV4
// signature; an unmodified @aws-sdk/client-rekognition client works against it with a key as credentials.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CreateProjectCommand,
  DescribeProjectVersionsCommand,
  DescribeProjectsCommand,
  DetectCustomLabelsCommand,
  RekognitionClient,
  StartProjectVersionCommand,
} from '@aws-sdk/client-rekognition';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { SIGNATURE_MISMATCH } from '../../src/auth/index.js';
import { call, startServer, statusOf, trainedFixture, type Fixture, type Running } from './helpers.js';

let fixture: Fixture;
let running: Running;

before(async () => {
  fixture = await trainedFixture('serve-auth');
  running = await startServer(fixture);
});
after(async () => {
  await running.server.close();
  fixture.registry.close();
});

function client(secret = running.secret): RekognitionClient {
  return new RekognitionClient({ endpoint: running.url, region: 'eu-west-1', maxAttempts: 1, credentials: { accessKeyId: running.keyId, secretAccessKey: secret } });
}

/** A POST signed with SigV4 at `signingDate` (DescribeProjects on / by default), sent with fetch; `sent` replaces the body after signing. */
async function signedFetch(
  signingDate: Date,
  body: string | Uint8Array<ArrayBuffer> = '{}',
  options: { path?: string; query?: Record<string, string>; contentType?: string; sent?: string } = {},
): Promise<{ status: number; body: unknown }> {
  const url = new URL(running.url);
  const signer = new SignatureV4({ service: 'rekognition', region: 'us-east-1', sha256: Sha256, credentials: { accessKeyId: running.keyId, secretAccessKey: running.secret } });
  const request = await signer.sign(
    {
      method: 'POST',
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path: options.path ?? '/',
      query: options.query ?? {},
      headers: {
        host: url.host,
        'content-type': options.contentType ?? 'application/x-amz-json-1.1',
        ...(options.path ? {} : { 'x-amz-target': 'RekognitionService.DescribeProjects' }),
      },
      body,
    },
    { signingDate },
  );
  const { host: _host, ...headers } = request.headers;
  const query = new URLSearchParams(options.query ?? {}).toString();
  const response = await fetch(`${running.url}${options.path ?? '/'}${query ? `?${query}` : ''}`, { method: 'POST', headers, body: options.sent ?? body });
  return { status: response.status, body: await response.json() };
}

describe('auth', () => {
  test('a request without credentials is AccessDeniedException 403', async () => {
    const answer = await call(running, 'DescribeProjects', {}, null);
    assert.equal(answer.status, 403);
    assert.deepEqual(answer.body, {
      __type: 'AccessDeniedException',
      Message: 'Missing credentials: sign the request with AWS Signature Version 4 or send "Authorization: Bearer <key id>:<secret>" (create a key with `skulens keys create`)',
    });
  });

  test('a Bearer key with a wrong secret is AccessDeniedException', async () => {
    const answer = await call(running, 'DescribeProjects', {}, `Bearer ${running.keyId}:wrong`);
    assert.deepEqual([answer.status, answer.body], [403, { __type: 'AccessDeniedException', Message: 'Access denied: unknown key id or wrong secret' }]);
  });

  test('a Bearer token without a key id is AccessDeniedException saying the expected form', async () => {
    const answer = await call(running, 'DescribeProjects', {}, `Bearer ${running.secret}`);
    assert.deepEqual([answer.status, answer.body], [403, { __type: 'AccessDeniedException', Message: 'Access denied: a Bearer token is "<key id>:<secret>"' }]);
  });

  test('a valid Bearer key is accepted', async () => {
    const answer = await call(running, 'DescribeProjects', {});
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body.ProjectDescriptions.map((p: { ProjectName: string }) => p.ProjectName), ['shop']);
  });

  test('the OpenAPI document is served without a key, and documents itself as needing none', async () => {
    const response = await fetch(`${running.url}/v1/openapi.json`);
    assert.equal(response.status, 200);
    const document = (await response.json()) as { openapi: string; paths: Record<string, { get?: { security?: unknown[] } }> };
    assert.equal(document.openapi, '3.1.0');
    assert.deepEqual(document.paths['/v1/openapi.json']?.get?.security, []);
    // Operations still need one.
    assert.equal((await call(running, 'DescribeProjects', {}, null)).status, 403);
  });

  test('a SigV4-signed request made now is accepted', async () => {
    const answer = await signedFetch(new Date());
    assert.equal(answer.status, 200);
  });

  test('a SigV4 signature from 20 minutes ago is expired: AccessDeniedException', async () => {
    const answer = await signedFetch(new Date(Date.now() - 20 * 60_000));
    assert.equal(answer.status, 403);
    assert.equal((answer.body as { __type: string }).__type, 'AccessDeniedException');
    assert.match((answer.body as { Message: string }).Message, /^Access denied: the request was signed at .* more than 15 minutes from the server time/);
  });

  test('@aws-sdk/client-rekognition pointed at the server lists projects with SigV4', async () => {
    const out = await client().send(new DescribeProjectsCommand({}));
    assert.deepEqual(out.ProjectDescriptions?.map((p) => p.ProjectArn), [`arn:aws:rekognition:local:000000000000:project/shop/${Date.parse(fixture.registry.projects.get('shop').createdAt)}`]);
    assert.ok(out.ProjectDescriptions?.[0]?.CreationTimestamp instanceof Date);
  });

  test('@aws-sdk/client-rekognition starts a version and detects custom labels', async () => {
    const started = await client().send(new StartProjectVersionCommand({ ProjectVersionArn: fixture.arn, MinInferenceUnits: 1 }));
    assert.equal(started.Status, 'STARTING');
    await statusOf(running, fixture.arn, 'RUNNING');
    const described = await client().send(new DescribeProjectVersionsCommand({ ProjectArn: 'shop' }));
    assert.equal(described.ProjectVersionDescriptions?.[0]?.Status, 'RUNNING');
    const detected = await client().send(new DetectCustomLabelsCommand({ ProjectVersionArn: fixture.arn, Image: { Bytes: fixture.image }, MinConfidence: 0 }));
    assert.deepEqual(detected.CustomLabels?.map((l) => l.Name).sort(), [...fixture.labels].sort());
  });

  test('a SigV4-signed multipart upload to /v1/detect is accepted (its body hash is taken from the raw stream)', async () => {
    const boundary = 'skulens-test-boundary';
    const body = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="photo.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`),
      fixture.image,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const answer = await signedFetch(new Date(), new Uint8Array(body), { path: '/v1/detect', query: { version: 'shop/v1' }, contentType: `multipart/form-data; boundary=${boundary}` });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.ok(Array.isArray((answer.body as { CustomLabels: unknown[] }).CustomLabels));
  });

  test('a SigV4 request whose body was changed after signing is AccessDeniedException', async () => {
    // @smithy/signature-v4 signs an X-Amz-Content-Sha256 header too, so the changed body is caught there.
    const answer = await signedFetch(new Date(), '{}', { sent: '{"ProjectNames":["shop"]}' });
    assert.deepEqual([answer.status, answer.body], [403, { __type: 'AccessDeniedException', Message: 'Access denied: the body does not match its X-Amz-Content-Sha256 header' }]);
  });

  test('@aws-sdk/client-rekognition with a wrong secret gets AccessDeniedException', async () => {
    await assert.rejects(client('wrong-secret').send(new DescribeProjectsCommand({})), (error: Error & { $metadata?: { httpStatusCode?: number } }) => {
      assert.equal(error.name, 'AccessDeniedException');
      assert.equal(error.$metadata?.httpStatusCode, 403);
      assert.equal(error.message, `Access denied: ${SIGNATURE_MISMATCH}`);
      return true;
    });
  });

  test('@aws-sdk/client-rekognition sees coded errors by their Rekognition name', async () => {
    await assert.rejects(client().send(new CreateProjectCommand({ ProjectName: 'shop' })), (error: Error) => {
      assert.equal(error.name, 'ResourceAlreadyExistsException');
      assert.equal(error.message, 'Project "shop" already exists');
      return true;
    });
  });
});
