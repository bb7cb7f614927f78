// CreateProjectVersion with Mode fast on a groups project (through a real server and its job child): the
// fast path trains it (a softmax per group) where it used to refuse the label type.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { labelledProject } from '../finetune/fast-groups-fixtures.js';
import { stagedProject } from '../finetune/fast-fixtures.js';
import { call, startServer, until, type Running } from '../serve/helpers.js';

const LABELS = { red: ['colour:red', 'warmth:warm'], green: ['colour:green', 'warmth:cool'], blue: ['colour:blue', 'warmth:cool'] };

let running: Running;
let fixture: Awaited<ReturnType<typeof stagedProject>>;
before(async () => {
  fixture = await stagedProject();
  await labelledProject(fixture.registry, fixture.home, fixture.root, 'g', 'groups', LABELS);
  running = await startServer(fixture, { SKULENS_PYTHON: '/nonexistent/python3' });
});
after(async () => {
  await running.server.close();
  fixture.registry.close();
});

test('CreateProjectVersion with Mode fast trains a groups project on the fast path', { timeout: 300_000 }, async () => {
  const created = await call(running, 'CreateProjectVersion', { ProjectArn: 'g', Backbone: 'staged-cnn', Mode: 'fast', FastOptions: { Cut: 4, Epochs: 1, Members: 1 } });
  assert.equal(created.status, 200, JSON.stringify(created.body));
  const arn = created.body.ProjectVersionArn as string;
  await until(async () => {
    const answer = await call(running, 'DescribeProjectVersions', { ProjectArn: 'g' });
    const found = (answer.body.ProjectVersionDescriptions as { ProjectVersionArn: string; Status: string; StatusMessage?: string }[]).find((d) => d.ProjectVersionArn === arn);
    assert.notEqual(found?.Status, 'TRAINING_FAILED', JSON.stringify(found));
    return found?.Status === 'TRAINING_COMPLETED' ? found : undefined;
  }, `${arn} to complete`, 240_000);
  const version = fixture.registry.versions.resolve(arn);
  assert.deepEqual({ mode: version.params.mode, labelType: version.params.labelType }, { mode: 'fast', labelType: 'groups' });
});
