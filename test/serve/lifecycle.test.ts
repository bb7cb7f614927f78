// The model lifecycle through a real server on 127.0.0.1: train in the background -> start -> detect
// (JSON and multipart) -> a second version shares the backbone -> stop -> detect fails -> delete.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { call, startServer, statusOf, trainedFixture, type Fixture, type Running } from './helpers.js';

let fixture: Fixture;
let running: Running;
let v2 = '';

before(async () => {
  fixture = await trainedFixture('serve-life');
  running = await startServer(fixture);
});
after(async () => {
  await running.server.close();
  fixture.registry.close();
});

const image = (): { Bytes: string } => ({ Bytes: fixture.image.toString('base64') });

async function health(): Promise<unknown> {
  return (await fetch(`${running.url}/health`)).json();
}

describe('lifecycle', () => {
  test('GET /health answers without credentials and shows no backbone loaded', async () => {
    assert.deepEqual(await health(), { status: 'ok', backbones: [] });
  });

  test('DetectCustomLabels against a trained version that is not started is ResourceNotReadyException', async () => {
    const answer = await call(running, 'DetectCustomLabels', { ProjectVersionArn: fixture.arn, Image: image() });
    assert.equal(answer.status, 400);
    assert.equal(answer.headers.get('x-amzn-errortype'), 'ResourceNotReadyException');
    assert.deepEqual(answer.body, { __type: 'ResourceNotReadyException', Message: 'Model version "shop/v1" is TRAINING_COMPLETED, not RUNNING' });
  });

  test('CreateProjectVersion returns at once with the version TRAINING_IN_PROGRESS, and it completes in the background with an evaluation', async () => {
    const answer = await call(running, 'CreateProjectVersion', { ProjectArn: 'shop', Backbone: 'tiny' });
    assert.equal(answer.status, 200);
    v2 = answer.body.ProjectVersionArn;
    assert.match(v2, /^arn:aws:rekognition:local:000000000000:project\/shop\/version\/v2\/\d+$/);
    assert.equal(fixture.registry.versions.get('shop', 'v2').status, 'TRAINING_IN_PROGRESS');
    await statusOf(running, v2, 'TRAINING_COMPLETED');
    const described = await call(running, 'DescribeProjectVersions', { ProjectArn: 'shop', VersionNames: ['v2'] });
    const [description] = described.body.ProjectVersionDescriptions;
    assert.equal(description.BackboneId, 'tiny');
    assert.equal(typeof description.EvaluationResult.F1Score, 'number');
    assert.equal(description.EvaluationSummary.EvaluationDetails.ProjectVersionArn, v2);
  });

  test('StartProjectVersion answers STARTING and the version becomes RUNNING', async () => {
    const answer = await call(running, 'StartProjectVersion', { ProjectVersionArn: fixture.arn, MinInferenceUnits: 1 });
    assert.deepEqual([answer.status, answer.body], [200, { Status: 'STARTING' }]);
    await statusOf(running, fixture.arn, 'RUNNING');
  });

  test('DetectCustomLabels with MinConfidence 0 gives every label once, sorted by confidence, in 0-100', async () => {
    const answer = await call(running, 'DetectCustomLabels', { ProjectVersionArn: fixture.arn, Image: image(), MinConfidence: 0 });
    assert.equal(answer.status, 200);
    const labels = answer.body.CustomLabels as { Name: string; Confidence: number }[];
    assert.deepEqual(labels.map((l) => l.Name).sort(), [...fixture.labels].sort());
    for (let i = 1; i < labels.length; i += 1) assert.ok(labels[i - 1]!.Confidence >= labels[i]!.Confidence);
    const total = labels.reduce((sum, l) => sum + l.Confidence, 0);
    assert.ok(Math.abs(total - 100) < 1e-3, `probabilities sum to ${total}%`);
  });

  test('MaxResults caps the labels', async () => {
    const answer = await call(running, 'DetectCustomLabels', { ProjectVersionArn: fixture.arn, Image: image(), MinConfidence: 0, MaxResults: 2 });
    assert.equal(answer.body.CustomLabels.length, 2);
  });

  test('POST /v1/detect with a multipart upload answers as the JSON operation does', async () => {
    const json = await call(running, 'DetectCustomLabels', { ProjectVersionArn: fixture.arn, Image: image(), MinConfidence: 10 });
    const form = new FormData();
    form.set('image', new Blob([new Uint8Array(fixture.image)], { type: 'image/jpeg' }), 'photo.jpg');
    form.set('minConfidence', '10');
    const response = await fetch(`${running.url}/v1/detect?version=shop/v1`, { method: 'POST', body: form, headers: { authorization: running.bearer } });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), json.body);
  });

  test('the photo as lossless TIFF or GIF gets the labels of its PNG, and as AVIF the same top label', async () => {
    const photo = sharp(fixture.image);
    const detect = async (bytes: Buffer): Promise<{ Name: string; Confidence: number }[]> => {
      const answer = await call(running, 'DetectCustomLabels', { ProjectVersionArn: fixture.arn, Image: { Bytes: bytes.toString('base64') }, MinConfidence: 0 });
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      return answer.body.CustomLabels;
    };
    const png = await detect(await photo.clone().png().toBuffer());
    const tiff = await detect(await photo.clone().tiff({ compression: 'lzw' }).toBuffer());
    assert.deepEqual(tiff, png);
    // GIF keeps 256 colours and AVIF is lossy: the answer is the same label, the confidences close.
    for (const other of [await detect(await photo.clone().gif().toBuffer()), await detect(await photo.clone().avif({ quality: 90 }).toBuffer())]) {
      assert.equal(other[0]!.Name, png[0]!.Name);
      assert.ok(Math.abs(other[0]!.Confidence - png[0]!.Confidence) < 15, `${other[0]!.Confidence} vs ${png[0]!.Confidence}`);
    }
  });

  test('an iPhone HEIC photo is InvalidImageFormatException that names HEIC and how to convert it', async () => {
    const heic = fs.readFileSync(new URL('../fixtures/green-64.heic', import.meta.url));
    const answer = await call(running, 'DetectCustomLabels', { ProjectVersionArn: fixture.arn, Image: { Bytes: heic.toString('base64') } });
    assert.deepEqual([answer.status, answer.body.__type], [400, 'InvalidImageFormatException']);
    assert.match(answer.body.Message, /^Image Image\.Bytes is HEIC, which this build of sharp cannot decode; convert it to JPEG first \(`heif-convert photo\.heic photo\.jpg`/);
  });

  test('an image over 4 MB is ImageTooLargeException, in JSON and in a multipart upload', async () => {
    const big = Buffer.alloc(4 * 1024 * 1024 + 10, 0xff);
    const answer = await call(running, 'DetectCustomLabels', { ProjectVersionArn: fixture.arn, Image: { Bytes: big.toString('base64') } });
    assert.equal(answer.status, 400);
    assert.equal(answer.body.__type, 'ImageTooLargeException');
    assert.match(answer.body.Message, /^Image Image\.Bytes is too large: about \d+ bytes; a detect request takes at most 4194304 bytes \(4 MB\)$/);
    const form = new FormData();
    form.set('image', new Blob([new Uint8Array(big)]), 'big.jpg');
    const response = await fetch(`${running.url}/v1/detect?version=shop/v1`, { method: 'POST', body: form, headers: { authorization: running.bearer } });
    assert.equal(response.status, 400);
    assert.deepEqual(await response.json(), { __type: 'ImageTooLargeException', Message: 'Image big.jpg is too large: 4194305 bytes; a detect request takes at most 4194304 bytes (4 MB)' });
  });

  test('bytes of no image format are InvalidImageFormatException', async () => {
    const answer = await call(running, 'DetectCustomLabels', { ProjectVersionArn: fixture.arn, Image: { Bytes: Buffer.from('BM not a picture').toString('base64') } });
    assert.deepEqual([answer.status, answer.body], [
      400,
      { __type: 'InvalidImageFormatException', Message: 'Image Image.Bytes is of an unknown format; supported formats are JPEG, PNG, WebP, AVIF, TIFF and GIF' },
    ]);
  });

  test('a JPEG header on broken data is InvalidImageFormatException naming the input', async () => {
    const answer = await call(running, 'DetectCustomLabels', { ProjectVersionArn: fixture.arn, Image: { Bytes: Buffer.from([0xff, 0xd8, 0xff, 0, 1, 2, 3]).toString('base64') } });
    assert.equal(answer.status, 400);
    assert.equal(answer.body.__type, 'InvalidImageFormatException');
    assert.match(answer.body.Message, /^Cannot read image Image\.Bytes: /);
  });

  test('an invalid field is InvalidParameterException naming it', async () => {
    const answer = await call(running, 'DetectCustomLabels', { ProjectVersionArn: fixture.arn, Image: image(), MinConfidence: 150 });
    assert.deepEqual([answer.status, answer.body], [
      400,
      { __type: 'InvalidParameterException', Message: 'Invalid request to DetectCustomLabels: MinConfidence: Too big: expected number to be <=100' },
    ]);
  });

  test('Image.S3Object on a server without an S3 store is InvalidParameterException saying how to configure one', async () => {
    const answer = await call(running, 'DetectCustomLabels', { ProjectVersionArn: fixture.arn, Image: { S3Object: { Bucket: 'photos', Name: 'shoe.jpg' } } });
    assert.deepEqual([answer.status, answer.body], [
      400,
      {
        __type: 'InvalidParameterException',
        Message: 'S3 sources are not available here: Image.S3Object s3://photos/shoe.jpg needs an S3 store; set SKULENS_S3_ENDPOINT (and AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY) for the server, or send Image.Bytes',
      },
    ]);
  });

  test('an unknown version is ResourceNotFoundException', async () => {
    const answer = await call(running, 'DetectCustomLabels', { ProjectVersionArn: 'shop/v9', Image: image() });
    assert.equal(answer.status, 404);
    assert.deepEqual(answer.body, { __type: 'ResourceNotFoundException', Message: 'Model version "shop/v9" does not exist. List versions with `skulens versions list <project>`' });
  });

  test('a second started version on the same backbone shares its embedder', async () => {
    await call(running, 'StartProjectVersion', { ProjectVersionArn: v2 });
    await statusOf(running, v2, 'RUNNING');
    assert.deepEqual(await health(), { status: 'ok', backbones: [{ backbone: 'tiny', versions: 2 }] });
  });

  test('DeleteProjectVersion of a started version is ResourceInUseException', async () => {
    const answer = await call(running, 'DeleteProjectVersion', { ProjectVersionArn: v2 });
    assert.equal(answer.status, 409);
    assert.deepEqual(answer.body, { __type: 'ResourceInUseException', Message: 'Model version "shop/v2" is RUNNING: stop it (or wait for the training to end) before deleting it' });
  });

  test('StopProjectVersion answers STOPPING, detect fails at once with ResourceNotReadyException, and the version ends STOPPED', async () => {
    const stop = await call(running, 'StopProjectVersion', { ProjectVersionArn: fixture.arn });
    assert.deepEqual([stop.status, stop.body], [200, { Status: 'STOPPING' }]);
    const answer = await call(running, 'DetectCustomLabels', { ProjectVersionArn: fixture.arn, Image: image() });
    assert.equal(answer.status, 400);
    assert.equal(answer.body.__type, 'ResourceNotReadyException');
    // STOPPING or already STOPPED: the release runs in the background.
    assert.match(answer.body.Message, /^Model version "shop\/v1" is STOPP(ING|ED), not RUNNING$/);
    await statusOf(running, fixture.arn, 'STOPPED');
    assert.deepEqual(await health(), { status: 'ok', backbones: [{ backbone: 'tiny', versions: 1 }] });
  });

  test('stopping the last version on a backbone releases the backbone', async () => {
    await call(running, 'StopProjectVersion', { ProjectVersionArn: v2 });
    await statusOf(running, v2, 'STOPPED');
    assert.deepEqual(await health(), { status: 'ok', backbones: [] });
  });

  test('DeleteProjectVersion of a stopped version removes its row and its artefacts', async () => {
    const dir = path.resolve(fixture.home.root, fixture.registry.versions.get('shop', 'v2').dir!);
    assert.ok(fs.existsSync(dir));
    const answer = await call(running, 'DeleteProjectVersion', { ProjectVersionArn: v2 });
    assert.deepEqual([answer.status, answer.body], [200, { Status: 'DELETING' }]);
    assert.ok(!fs.existsSync(dir));
    const listed = await call(running, 'DescribeProjectVersions', { ProjectArn: 'shop' });
    assert.deepEqual(listed.body.ProjectVersionDescriptions.map((d: { VersionName: string }) => d.VersionName), ['v1']);
  });

  test('an unknown operation is InvalidParameterException listing the known ones', async () => {
    const answer = await call(running, 'DetectFaces', {});
    assert.equal(answer.status, 400);
    assert.equal(answer.body.__type, 'InvalidParameterException');
    assert.match(answer.body.Message, /^Unknown operation "DetectFaces"\. Should be one of: CreateProject, /);
  });
});
