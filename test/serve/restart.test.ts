// A server keeps its desired state across restarts: versions running when it went down (kill -9, or a
// clean stop) start again when it comes up, with no call in between; stopped ones stay stopped. The CLI's
// `versions start|stop` set that state, and a running server follows it. Real server processes on
// loopback, the real @aws-sdk/client-rekognition, the real CLI.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  DescribeProjectVersionsCommand,
  DetectCustomLabelsCommand,
  RekognitionClient,
  StartProjectVersionCommand,
  StopProjectVersionCommand,
  waitUntilProjectVersionRunning,
} from '@aws-sdk/client-rekognition';
import { trainVersion } from '../../src/jobs/index.js';
import { projectArn, versionArn } from '../../src/registry/index.js';
import { runCli } from '../helpers/cli.js';
import { exited, spawnNode, waitForLine } from '../helpers/fixtures.js';
import { startServer, trainedFixture, until, type Fixture } from './helpers.js';

let fixture: Fixture;
let v2Arn = '';

before(async () => {
  fixture = await trainedFixture('serve-restart');
  v2Arn = versionArn((await trainVersion(fixture.registry, fixture.home, 'shop', { backbone: 'tiny', workers: 1 })).version);
});
after(() => fixture.registry.close());

/** `skulens serve` on the fixture's home in a process of its own, and an SDK client with its admin key. */
async function serve(): Promise<{ child: ReturnType<typeof spawnNode>; sdk: RekognitionClient }> {
  const child = spawnNode(['test/helpers/server-child.ts', fixture.home.root]);
  const { url, bearer } = JSON.parse(await waitForLine(child, (line) => line.startsWith('{'))) as { url: string; bearer: string };
  const [accessKeyId, secretAccessKey] = bearer.slice('Bearer '.length).split(':') as [string, string];
  return { child, sdk: new RekognitionClient({ endpoint: url, region: 'eu-west-1', maxAttempts: 1, credentials: { accessKeyId, secretAccessKey } }) };
}

const waiter = (sdk: RekognitionClient) => ({ client: sdk, maxWaitTime: 60, minDelay: 1, maxDelay: 1 });
const project = (): string => projectArn(fixture.registry.projects.get('shop'));
const status = (name: string): string => fixture.registry.versions.get('shop', name).status;

/** DetectCustomLabels on `arn`, retried while the version is not (yet) running there. */
async function detectWhenServed(sdk: RekognitionClient, arn: string): Promise<unknown> {
  return until(async () => {
    try {
      return (await sdk.send(new DetectCustomLabelsCommand({ ProjectVersionArn: arn, Image: { Bytes: fixture.image }, MinConfidence: 0 }))).CustomLabels;
    } catch (error) {
      if ((error as Error).name === 'ResourceNotReadyException') return undefined;
      throw error;
    }
  }, `${arn} to be served`);
}

test('a server killed with SIGKILL and started again serves the version that was running, with no call in between', async () => {
  const first = await serve();
  await first.sdk.send(new StartProjectVersionCommand({ ProjectVersionArn: fixture.arn, MinInferenceUnits: 1 }));
  await first.sdk.send(new StartProjectVersionCommand({ ProjectVersionArn: v2Arn, MinInferenceUnits: 1 }));
  await waitUntilProjectVersionRunning(waiter(first.sdk), { ProjectArn: project(), VersionNames: ['v1', 'v2'] });
  await first.sdk.send(new StopProjectVersionCommand({ ProjectVersionArn: v2Arn }));
  await until(async () => (status('v2') === 'STOPPED' ? true : undefined), 'v2 to stop');
  const before = await detectWhenServed(first.sdk, fixture.arn);
  first.child.kill('SIGKILL');
  await exited(first.child);
  // The dead server's rows still say RUNNING; only the new server's start may act on them.
  assert.equal(status('v1'), 'RUNNING');

  const second = await serve();
  try {
    assert.deepEqual(await detectWhenServed(second.sdk, fixture.arn), before);
    const described = await second.sdk.send(new DescribeProjectVersionsCommand({ ProjectArn: project() }));
    assert.deepEqual(
      described.ProjectVersionDescriptions?.map((d) => [/\/version\/([^/]+)\//.exec(d.ProjectVersionArn!)![1], d.Status]),
      [['v2', 'STOPPED'], ['v1', 'RUNNING']],
    );
  } finally {
    second.child.kill('SIGKILL');
    await exited(second.child);
  }
});

test('a server closed cleanly leaves its versions STOPPED and wanted, and the next one starts them', async () => {
  const running = await startServer(fixture);
  await until(async () => (status('v1') === 'RUNNING' ? true : undefined), 'v1 to be running again');
  await running.server.close();
  assert.deepEqual([status('v1'), fixture.registry.versions.get('shop', 'v1').keepRunning], ['STOPPED', true]);
  assert.deepEqual([status('v2'), fixture.registry.versions.get('shop', 'v2').keepRunning], ['STOPPED', false]);
  const again = await startServer(fixture);
  try {
    await until(async () => (status('v1') === 'RUNNING' ? true : undefined), 'v1 to start with the server');
    assert.equal(status('v2'), 'STOPPED');
  } finally {
    await again.server.close();
  }
});

test('`skulens versions start|stop` on the home of a running server starts and stops the version there', async () => {
  const { child, sdk } = await serve();
  try {
    const started = await runCli(fixture.home.root, 'versions', 'start', 'shop/v2');
    assert.deepEqual([started.code, started.stdout], [0, 'shop/v2 is RUNNING\n'], started.stderr);
    assert.ok(Array.isArray(await detectWhenServed(sdk, v2Arn)));
    const stopped = await runCli(fixture.home.root, 'versions', 'stop', 'shop/v2');
    assert.deepEqual([stopped.code, stopped.stdout], [0, 'shop/v2 is STOPPED\n'], stopped.stderr);
    await assert.rejects(sdk.send(new DetectCustomLabelsCommand({ ProjectVersionArn: v2Arn, Image: { Bytes: fixture.image } })), { name: 'ResourceNotReadyException' });
  } finally {
    child.kill('SIGKILL');
    await exited(child);
  }
});

test('`skulens versions start` with no server says it starts with the server, and the next server starts it', async () => {
  const asked = await runCli(fixture.home.root, 'versions', 'start', 'shop/v2', '--wait', '5');
  assert.equal(asked.code, 0, asked.stderr);
  assert.match(asked.stdout, /^shop\/v2 starts when `skulens serve` runs on this home \(no server loaded it yet/);
  const listed = await runCli(fixture.home.root, 'versions', 'list', 'shop');
  assert.match(listed.stdout, /^shop\/v2\tSTOPPED \(starts with the server\)\t/m);
  const { child, sdk } = await serve();
  try {
    await waitUntilProjectVersionRunning(waiter(sdk), { ProjectArn: project(), VersionNames: ['v2'] });
  } finally {
    child.kill('SIGKILL');
    await exited(child);
  }
});

test('`skulens versions start` of a version that failed or is training is refused with ERR_VERSION_NOT_READY', async () => {
  const project = fixture.registry.projects.get('shop');
  const training = fixture.registry.versions.create(project.id, { backbone: 'tiny', params: {}, seed: 1 });
  fixture.registry.versions.setStatus(training.id, 'TRAINING_FAILED', 'test');
  const refused = await runCli(fixture.home.root, 'versions', 'start', `shop/${training.name}`);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /Model version "shop\/v3" is TRAINING_FAILED, not TRAINING_COMPLETED or STOPPED \[ERR_VERSION_NOT_READY\]/);
  assert.equal(fixture.registry.versions.byId(training.id).keepRunning, false);
});
