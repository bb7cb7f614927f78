// S3 through the HTTP API, against a real s3rver on loopback: DetectCustomLabels with Image.S3Object,
// and CreateDataset from an s3:// folder per label.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startS3Server, type S3Server } from '../helpers/s3.js';
import { call, startServer, statusOf, trainedFixture, until, type Fixture, type Running } from './helpers.js';

let s3: S3Server;
let fixture: Fixture;
let running: Running;

before(async () => {
  s3 = await startS3Server();
  fixture = await trainedFixture('serve-s3');
  running = await startServer(fixture, s3.env);
  await s3.createBucket('photos');
  await s3.put('photos', 'query/photo.jpg', fixture.image);
});
after(async () => {
  await running.server.close();
  fixture.registry.close();
  await s3.stop();
});

test('DetectCustomLabels with Image.S3Object answers as with the same Bytes', async () => {
  await call(running, 'StartProjectVersion', { ProjectVersionArn: fixture.arn });
  await statusOf(running, fixture.arn, 'RUNNING');
  const fromS3 = await call(running, 'DetectCustomLabels', { ProjectVersionArn: fixture.arn, Image: { S3Object: { Bucket: 'photos', Name: 'query/photo.jpg' } }, MinConfidence: 0 });
  const fromBytes = await call(running, 'DetectCustomLabels', { ProjectVersionArn: fixture.arn, Image: { Bytes: fixture.image.toString('base64') }, MinConfidence: 0 });
  assert.equal(fromS3.status, 200);
  assert.deepEqual(fromS3.body, fromBytes.body);
});

test('CreateDataset imports an s3:// folder per label into a new project', async () => {
  const label = fixture.labels[0]!;
  const files = fs.readdirSync(path.join(fixture.catalogue, label)).slice(0, 3);
  for (const file of files) await s3.put('photos', `catalogue/${label}/${file}`, fs.readFileSync(path.join(fixture.catalogue, label, file)));
  await call(running, 'CreateProject', { ProjectName: 'from-s3' });
  const created = await call(running, 'CreateDataset', { ProjectArn: 'from-s3', DatasetType: 'TEST', DatasetSource: { Uri: 's3://photos/catalogue/' } });
  assert.equal(created.status, 200);
  const description = await until(async () => {
    const answer = await call(running, 'DescribeDataset', { DatasetArn: created.body.DatasetArn });
    return answer.body.DatasetDescription.Status.startsWith('CREATE_IN') ? undefined : answer.body.DatasetDescription;
  }, 'the S3 import');
  assert.equal(description.Status, 'CREATE_COMPLETE', description.StatusMessage);
  assert.deepEqual(description.DatasetStats, { LabeledEntries: 3, TotalEntries: 3, TotalLabels: 1, ErrorEntries: 0 });
});
