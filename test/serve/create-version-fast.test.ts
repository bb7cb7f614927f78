// CreateProjectVersion's FastOptions (a skulens extension, with Mode fast): the fast path's options reach the
// job child's training on the ONNX Runtime engine (no Python), and options given for another mode are refused naming the field.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { stagedProject } from '../finetune/fast-fixtures.js';
import { call, startServer, until, type Running } from './helpers.js';

describe('CreateProjectVersion with Mode fast', () => {
  let running: Running;
  let fixture: Awaited<ReturnType<typeof stagedProject>>;
  before(async () => {
    fixture = await stagedProject();
    running = await startServer(fixture, { SKULENS_PYTHON: '/nonexistent/python3' });
  });
  after(async () => {
    await running.server.close();
    fixture.registry.close();
  });

  test('FastOptions set the cut, epochs and members of the fast version it trains', { timeout: 300_000 }, async () => {
    const created = await call(running, 'CreateProjectVersion', { ProjectArn: 'p', Backbone: 'staged-cnn', Mode: 'fast', FastOptions: { Cut: 4, Epochs: 1, Members: 1 } });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    const arn = created.body.ProjectVersionArn as string;
    await until(async () => {
      const answer = await call(running, 'DescribeProjectVersions', { ProjectArn: 'p' });
      const found = (answer.body.ProjectVersionDescriptions as { ProjectVersionArn: string; Status: string }[]).find((d) => d.ProjectVersionArn === arn);
      assert.notEqual(found?.Status, 'TRAINING_FAILED', JSON.stringify(found));
      return found?.Status === 'TRAINING_COMPLETED' ? found : undefined;
    }, `${arn} to complete`, 240_000);
    const version = fixture.registry.versions.resolve(arn);
    assert.equal(version.params.mode, 'fast');
    assert.deepEqual({ cut: version.metrics?.cut, epochsRun: version.metrics?.epochsRun, members: version.metrics?.members }, { cut: 't9', epochsRun: 1, members: 1 });
  });

  test('FastOptions with another mode, or an unknown fast option, is InvalidParameterException naming it', async () => {
    const other = await call(running, 'CreateProjectVersion', { ProjectArn: 'p', Mode: 'fine-tune', FastOptions: { Epochs: 2 } });
    assert.equal(other.status, 400);
    assert.deepEqual(other.body, { __type: 'InvalidParameterException', Message: 'Invalid value for FastOptions: it applies to Mode fast, not fine-tune' });
    const unknown = await call(running, 'CreateProjectVersion', { ProjectArn: 'p', Mode: 'fast', FastOptions: { Member: 2 } });
    assert.equal(unknown.status, 400);
    assert.match(unknown.body.Message as string, /FastOptions.*Member/);
  });
});
