// CreateProjectVersion's skulens extension: Mode and FineTuneOptions start a fine-tune in the job child
// (off the server's event loop); StatusMessage shows its epochs; StopProjectVersion cancels it as Ctrl-C
// does in the CLI; DescribeProjectVersions says planned vs run when the budget cut the plan.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { smallProject, torchPython } from '../finetune/fixtures.js';
import { call, startServer, until, type Running } from './helpers.js';

const python = torchPython();

describe('CreateProjectVersion with Mode fine-tune', { skip: python ? false : 'no python with torch and onnx' }, () => {
  let running: Running;
  let fixture: Awaited<ReturnType<typeof smallProject>>;
  before(async () => {
    fixture = await smallProject();
    running = await startServer(fixture, { SKULENS_PYTHON: python });
  });
  after(async () => {
    await running.server.close();
    fixture.registry.close();
  });

  const describeVersion = async (arn: string): Promise<Record<string, any> | undefined> => { // eslint-disable-line @typescript-eslint/no-explicit-any
    const answer = await call(running, 'DescribeProjectVersions', { ProjectArn: 'p' });
    return (answer.body.ProjectVersionDescriptions as Record<string, any>[]).find((d) => d.ProjectVersionArn === arn); // eslint-disable-line @typescript-eslint/no-explicit-any
  };

  test('a fine-tune whose budget ends before its exact epochs completes and describes planned vs run', { timeout: 300_000 }, async () => {
    const created = await call(running, 'CreateProjectVersion', { ProjectArn: 'p', Backbone: 'small-cnn', Mode: 'fine-tune', FineTuneOptions: { Epochs: 40, BudgetSeconds: 1 } });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    const arn = created.body.ProjectVersionArn as string;
    // A child process decodes, trains and serves: allow a loaded machine its minutes.
    const description = await until(async () => {
      const found = await describeVersion(arn);
      assert.notEqual(found?.Status, 'TRAINING_FAILED', JSON.stringify(found));
      return found?.Status === 'TRAINING_COMPLETED' ? found : undefined;
    }, `${arn} to complete`, 240_000);
    assert.equal(description.TrainingMode, 'fine-tune');
    const { ExpectedSeconds, ServingSize, ...plan } = description.TrainingPlan;
    assert.deepEqual(plan, { RequestedEpochs: 40, PlannedEpochs: 40, EpochsRun: 1, StoppedBy: 'budget', Device: 'cpu' });
    assert.equal(typeof ExpectedSeconds, 'number');
    assert.equal(ServingSize, 16, 'served at the training size: no last epoch at a larger size by default (finalEpochs 0)');
    assert.equal(description.StatusMessage, 'The time budget stopped the training after 1 of 40 planned epochs');
    assert.equal(description.BackboneId, 'small-cnn');
  });

  test('StatusMessage follows the epochs of a fine-tune, and StopProjectVersion cancels it, removing the version', { timeout: 300_000 }, async () => {
    const created = await call(running, 'CreateProjectVersion', { ProjectArn: 'p', Backbone: 'small-cnn', Mode: 'fine-tune', FineTuneOptions: { Epochs: 200, Device: 'cpu' } });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    const arn = created.body.ProjectVersionArn as string;
    const message = await until(async () => {
      const text = (await describeVersion(arn))?.StatusMessage as string | undefined;
      return text && /^finetune \d+\/\d+ \(epoch \d+\/200 /.test(text) ? text : undefined;
    }, 'an epoch line in StatusMessage', 120_000);
    assert.match(message, /epoch \d+\/200 (loss|.*val acc)/);
    const stopped = await call(running, 'StopProjectVersion', { ProjectVersionArn: arn });
    assert.deepEqual([stopped.status, stopped.body], [200, { Status: 'STOPPING' }]);
    await until(async () => ((await describeVersion(arn)) === undefined ? true : undefined), 'the cancelled version to be removed', 60_000);
  });

  test('FineTuneOptions with another mode is InvalidParameterException', async () => {
    const answer = await call(running, 'CreateProjectVersion', { ProjectArn: 'p', Mode: 'frozen', FineTuneOptions: { Epochs: 2 } });
    assert.equal(answer.status, 400);
    assert.deepEqual(answer.body, { __type: 'InvalidParameterException', Message: 'Invalid value for FineTuneOptions: it applies to Mode fine-tune, not frozen' });
  });

  test('an unknown fine-tune option is InvalidParameterException naming it', async () => {
    const answer = await call(running, 'CreateProjectVersion', { ProjectArn: 'p', Mode: 'fine-tune', FineTuneOptions: { Epoch: 2 } });
    assert.equal(answer.status, 400);
    assert.equal(answer.body.__type, 'InvalidParameterException');
    assert.match(answer.body.Message, /FineTuneOptions.*Epoch/);
  });
});
