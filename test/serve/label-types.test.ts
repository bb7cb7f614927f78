// Label types and hierarchies over HTTP, through a real server: CreateProject's LabelType extension,
// DescribeProjects showing it, and DetectCustomLabels answering Parents with the taxonomy a version was trained with.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { trainVersion } from '../../src/jobs/index.js';
import { versionArn } from '../../src/registry/index.js';
import { call, startServer, statusOf, trainedFixture, type Fixture, type Running } from './helpers.js';

let fixture: Fixture;
let running: Running;

before(async () => {
  fixture = await trainedFixture('serve-labels');
  running = await startServer(fixture);
});
after(async () => {
  await running.server.close();
  fixture.registry.close();
});

const image = (): { Bytes: string } => ({ Bytes: fixture.image.toString('base64') });

test('CreateProject takes a LabelType; DescribeProjects shows it for multi and groups projects only', async () => {
  const created = await call(running, 'CreateProject', { ProjectName: 'attributes', LabelType: 'groups' });
  assert.equal(created.status, 200);
  assert.equal(fixture.registry.projects.labelType(fixture.registry.projects.get('attributes').id), 'groups');
  const described = await call(running, 'DescribeProjects', { ProjectNames: ['attributes', 'shop'] });
  const byName = Object.fromEntries((described.body.ProjectDescriptions as { ProjectName: string; LabelType?: string }[]).map((p) => [p.ProjectName, p]));
  assert.equal(byName.attributes!.LabelType, 'groups');
  assert.equal('LabelType' in byName.shop!, false);
  const bad = await call(running, 'CreateProject', { ProjectName: 'odd', LabelType: 'tree' });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.__type, 'InvalidParameterException');
});

test('DetectCustomLabels answers Parents, nearest first, from a version trained with a taxonomy; one trained without stays flat', async () => {
  await call(running, 'StartProjectVersion', { ProjectVersionArn: fixture.arn, MinInferenceUnits: 1 });
  await statusOf(running, fixture.arn, 'RUNNING');
  const flat = await call(running, 'DetectCustomLabels', { ProjectVersionArn: fixture.arn, Image: image(), MinConfidence: 0 });
  assert.equal(flat.status, 200);
  for (const label of flat.body.CustomLabels) assert.deepEqual(Object.keys(label), ['Name', 'Confidence']);

  // Every label under "catalogue", the first two also under "pair".
  const [a, b, ...rest] = fixture.labels;
  const parents = Object.fromEntries([[a!, ['pair', 'catalogue']], [b!, ['pair', 'catalogue']], ...rest.map((l) => [l, ['single', 'catalogue']])]);
  fixture.registry.taxonomies.set(fixture.registry.projects.get('shop').id, { levels: ['label', 'kind', 'root'], parents });
  // v1 was evaluated without the taxonomy: its answers do not change.
  assert.deepEqual((await call(running, 'DetectCustomLabels', { ProjectVersionArn: fixture.arn, Image: image(), MinConfidence: 0 })).body, flat.body);
  // The same training with the taxonomy in place: a version that answers (and was evaluated) with it.
  const { version } = await trainVersion(fixture.registry, fixture.home, 'shop', { backbone: 'tiny', workers: 1 });
  const arn = versionArn(version);
  await call(running, 'StartProjectVersion', { ProjectVersionArn: arn, MinInferenceUnits: 1 });
  await statusOf(running, arn, 'RUNNING');
  const filed = await call(running, 'DetectCustomLabels', { ProjectVersionArn: arn, Image: image(), MinConfidence: 0 });
  assert.equal(filed.status, 200);
  assert.deepEqual(
    filed.body.CustomLabels.map((l: { Name: string }) => l.Name),
    flat.body.CustomLabels.map((l: { Name: string }) => l.Name),
  );
  for (const label of filed.body.CustomLabels as { Name: string; Confidence: number; Parents: { Name: string }[] }[]) {
    assert.deepEqual(Object.keys(label), ['Name', 'Confidence', 'Parents']);
    assert.deepEqual(label.Parents, parents[label.Name]!.map((Name: string) => ({ Name })));
  }
  // MinConfidence 100 is past every label, and past every parent but the root (its sum is 1).
  const root = await call(running, 'DetectCustomLabels', { ProjectVersionArn: arn, Image: image(), MinConfidence: 99.9 });
  assert.deepEqual(root.body.CustomLabels.map((l: { Name: string; Parents: unknown[] }) => [l.Name, l.Parents]), [['catalogue', []]]);
});
