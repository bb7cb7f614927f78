// Bounded random requests (fast-check) against a real server on 127.0.0.1: whatever the body of a
// DetectCustomLabels or CreateDataset, the answer is a 2xx or a coded 4xx in Rekognition's shape, never a
// 500, and no CreateDataset path outside the import root is accepted.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { ERRORS } from '../../src/errors.js';
import { call, startServer, trainedFixture, type Fixture, type Running } from './helpers.js';

let fixture: Fixture;
let running: Running;
const AWS_TYPES = new Set(Object.values(ERRORS).map((e) => e.awsType));

before(async () => {
  fixture = await trainedFixture('serve-fuzz');
  running = await startServer(fixture, {}, { importRoots: [fixture.catalogue], throttle: { keyRequests: 0 } });
  assert.equal((await call(running, 'StartProjectVersion', { ProjectVersionArn: fixture.arn })).status, 200);
});
after(async () => {
  await running.server.close();
  fixture.registry.close();
});

function assertCoded(answer: { status: number; headers: Headers; body: unknown }, what: string): void {
  assert.ok(answer.status < 500, `${what}: ${answer.status} ${JSON.stringify(answer.body)}`);
  if (answer.status >= 400) {
    const body = answer.body as { __type?: string; Message?: string };
    assert.deepEqual(Object.keys(body).sort(), ['Message', '__type'], what);
    assert.ok(AWS_TYPES.has(body.__type as never), `${what}: ${body.__type}`);
    assert.equal(answer.headers.get('x-amzn-errortype'), body.__type);
    assert.ok(answer.headers.get('x-skulens-error-code')?.startsWith('ERR_'), what);
  }
}

const jsonValue = fc.jsonValue({ maxDepth: 3 });
const imageField = fc.oneof(
  fc.record({ Bytes: fc.oneof(fc.base64String({ maxLength: 400 }), jsonValue) }, { requiredKeys: [] }),
  fc.record({ S3Object: fc.record({ Bucket: fc.string(), Name: fc.string() }, { requiredKeys: [] }) }, { requiredKeys: [] }),
  jsonValue,
);

test('random DetectCustomLabels bodies are answered 200 or a coded 4xx, never 500', async () => {
  const version = fc.oneof(fc.constant(fixture.arn), fc.string({ maxLength: 80 }), jsonValue);
  const body = fc.record({ ProjectVersionArn: version, Image: imageField, MinConfidence: fc.oneof(fc.double(), jsonValue), MaxResults: fc.oneof(fc.integer(), jsonValue) }, { requiredKeys: [] });
  await fc.assert(
    fc.asyncProperty(body, async (b) => assertCoded(await call(running, 'DetectCustomLabels', b), JSON.stringify(b).slice(0, 200))),
    { numRuns: 80, seed: 13 },
  );
});

test('random CreateDataset sources are refused unless they resolve inside the import root, and never answer 500', async () => {
  await call(running, 'CreateProject', { ProjectName: 'fuzz' });
  const segment = fc.oneof(fc.constantFrom('..', '.', 'etc', 'proc', 'self', 'root', '', 'catalogue', '%2e%2e', '~'), fc.string({ maxLength: 12 }));
  const uri = fc.oneof(
    fc.array(segment, { maxLength: 6 }).map((parts) => parts.join('/')),
    fc.array(segment, { maxLength: 6 }).map((parts) => `/${parts.join('/')}`),
    fc.array(segment, { maxLength: 4 }).map((parts) => path.join(fixture.catalogue, ...parts)),
    fc.string({ maxLength: 40 }),
  );
  const source = fc.oneof(fc.record({ Uri: uri }), fc.record({ Uri: jsonValue }), jsonValue);
  await fc.assert(
    fc.asyncProperty(source, fc.constantFrom('TRAIN', 'TEST', 'VALIDATION'), async (s, type) => {
      const answer = await call(running, 'CreateDataset', { ProjectArn: 'fuzz', DatasetType: type, DatasetSource: s });
      assertCoded(answer, JSON.stringify(s));
      if (answer.status === 200) {
        const requested = (s as { Uri: string }).Uri;
        const resolved = path.resolve(fixture.catalogue, requested);
        assert.ok(resolved === fixture.catalogue || resolved.startsWith(`${fixture.catalogue}/`), `accepted ${requested}`);
      }
    }),
    { numRuns: 120, seed: 13 },
  );
});
