// CreateProjectVersion's VersionName names the version (its short id and ARN), as AWS SDK users expect:
// the real @aws-sdk/client-rekognition creates a named version and its waiters find it by name, against a
// real server on loopback. Default names stay v<N>, and numbers are never reused.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  CreateProjectVersionCommand,
  DetectCustomLabelsCommand,
  RekognitionClient,
  StartProjectVersionCommand,
  waitUntilProjectVersionRunning,
  waitUntilProjectVersionTrainingCompleted,
} from '@aws-sdk/client-rekognition';
import { projectArn } from '../../src/registry/index.js';
import { call, startServer, statusOf, trainedFixture, type Fixture, type Running } from './helpers.js';

let fixture: Fixture;
let running: Running;
let sdk: RekognitionClient;

before(async () => {
  fixture = await trainedFixture('serve-version-names');
  running = await startServer(fixture);
  sdk = new RekognitionClient({ endpoint: running.url, region: 'eu-west-1', maxAttempts: 1, credentials: { accessKeyId: running.keyId, secretAccessKey: running.secret } });
});
after(async () => {
  await running.server.close();
  fixture.registry.close();
});

const waiter = () => ({ client: sdk, maxWaitTime: 120, minDelay: 1, maxDelay: 1 });
const project = (): string => projectArn(fixture.registry.projects.get('shop'));
const created = { ms: (arn: string): number => Number(arn.split('/').at(-1)) };

test('a version created with VersionName is named by it, and the SDK waiters wait for it by that name', async () => {
  const { ProjectVersionArn } = await sdk.send(new CreateProjectVersionCommand({ ProjectArn: project(), VersionName: '2026-12-shoes', OutputConfig: { S3Bucket: 'unused' }, Backbone: 'tiny' } as never));
  assert.equal(ProjectVersionArn, `arn:aws:rekognition:local:000000000000:project/shop/version/2026-12-shoes/${created.ms(ProjectVersionArn!)}`);
  const trained = await waitUntilProjectVersionTrainingCompleted(waiter(), { ProjectArn: project(), VersionNames: ['2026-12-shoes'] });
  assert.equal(trained.state, 'SUCCESS');
  await sdk.send(new StartProjectVersionCommand({ ProjectVersionArn, MinInferenceUnits: 1 }));
  const runningNow = await waitUntilProjectVersionRunning(waiter(), { ProjectArn: project(), VersionNames: ['2026-12-shoes'] });
  assert.equal(runningNow.state, 'SUCCESS');
  const detected = await sdk.send(new DetectCustomLabelsCommand({ ProjectVersionArn, Image: { Bytes: fixture.image }, MinConfidence: 0 }));
  assert.deepEqual(detected.CustomLabels?.map((l) => l.Name).sort(), [...fixture.labels].sort());
  // The short id people type uses the name too.
  const short = await call(running, 'DetectCustomLabels', { ProjectVersionArn: 'shop/2026-12-shoes', Image: { Bytes: fixture.image.toString('base64') }, MinConfidence: 0 });
  assert.deepEqual(short.body.CustomLabels, JSON.parse(JSON.stringify(detected.CustomLabels)));
  assert.equal(fixture.registry.versions.get('shop', '2026-12-shoes').dir, 'projects/shop/versions/2026-12-shoes');
});

test('a VersionName the project already has is ResourceInUseException, and no training starts', async () => {
  const before = fixture.registry.versions.list(fixture.registry.projects.get('shop').id).length;
  const answer = await call(running, 'CreateProjectVersion', { ProjectArn: 'shop', VersionName: '2026-12-shoes', Backbone: 'tiny' });
  assert.deepEqual([answer.status, answer.body], [
    400,
    { __type: 'ResourceInUseException', Message: 'Project "shop" already has a version named "2026-12-shoes"; choose another VersionName or delete that version' },
  ]);
  assert.equal(fixture.registry.versions.list(fixture.registry.projects.get('shop').id).length, before);
});

test('a VersionName that cannot name a folder is InvalidParameterException', async () => {
  const answer = await call(running, 'CreateProjectVersion', { ProjectArn: 'shop', VersionName: '../etc', Backbone: 'tiny' });
  assert.deepEqual([answer.status, answer.body], [
    400,
    { __type: 'InvalidParameterException', Message: 'Version name "../etc" is invalid: use 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit' },
  ]);
});

test('without VersionName versions are v<N>; a chosen v<N> must be above every number used, and numbering goes on after it', async () => {
  const second = await call(running, 'CreateProjectVersion', { ProjectArn: 'shop', Backbone: 'tiny' });
  assert.match(second.body.ProjectVersionArn, /\/version\/v2\/\d+$/);
  await statusOf(running, second.body.ProjectVersionArn, 'TRAINING_COMPLETED');
  const reused = await call(running, 'CreateProjectVersion', { ProjectArn: 'shop', VersionName: 'v2', Backbone: 'tiny' });
  assert.equal(reused.body.__type, 'ResourceInUseException');
  const used = await call(running, 'CreateProjectVersion', { ProjectArn: 'shop', VersionName: 'v1', Backbone: 'tiny' });
  assert.equal(used.body.__type, 'ResourceInUseException');
  fixture.registry.versions.delete(fixture.registry.versions.get('shop', 'v2').id);
  const deleted = await call(running, 'CreateProjectVersion', { ProjectArn: 'shop', VersionName: 'v2', Backbone: 'tiny' });
  assert.deepEqual(deleted.body, { __type: 'InvalidParameterException', Message: 'Version name "v2" is invalid: v2 was already used in project "shop" and numbers are never reused; choose v3 or above, or a name of your own' });
  const jump = await call(running, 'CreateProjectVersion', { ProjectArn: 'shop', VersionName: 'v9', Backbone: 'tiny' });
  assert.match(jump.body.ProjectVersionArn, /\/version\/v9\/\d+$/);
  await statusOf(running, jump.body.ProjectVersionArn, 'TRAINING_COMPLETED');
  const next = await call(running, 'CreateProjectVersion', { ProjectArn: 'shop', Backbone: 'tiny' });
  assert.match(next.body.ProjectVersionArn, /\/version\/v10\/\d+$/);
  await statusOf(running, next.body.ProjectVersionArn, 'TRAINING_COMPLETED');
});
