// DescribeProjectVersionReport on a fast version, through a real server on 127.0.0.1: the epoch history
// the engine wrote (fast.json) in the API's shape, and the fast path's fixed recipe as its tuning report,
// as the console's training page draws them.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fastVersion } from '../../src/jobs/index.js';
import { stagedProject } from '../finetune/fast-fixtures.js';
import { call, startServer } from '../serve/helpers.js';

test('a fast version reports one history entry per epoch and its recipe', { timeout: 240_000 }, async () => {
  const { home, registry } = await stagedProject();
  const trained = await fastVersion(registry, home, 'p', { backbone: 'staged-cnn', cut: 4, epochs: 2, workers: 1, threads: 1 });
  const running = await startServer({ home, registry });
  try {
    const answer = await call(running, 'DescribeProjectVersionReport', { ProjectVersionArn: 'p/v1' });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    const stored = JSON.parse(fs.readFileSync(path.join(home.root, trained.version.dir!, 'fast.json'), 'utf8')) as { history: Record<string, number | boolean>[] };
    assert.equal(answer.body.TrainingMode, 'fast');
    assert.deepEqual(
      answer.body.EpochHistory,
      stored.history.map((r) => ({ Epoch: r.epoch, TrainLoss: r.trainLoss, ValLoss: r.valLoss, ValAccuracy: r.valAccuracy, Seconds: r.seconds, Best: r.best })),
    );
    // Two members (the default) of two epochs each, counted over both.
    assert.deepEqual(answer.body.EpochHistory.map((e: { Epoch: number }) => e.Epoch), [1, 2, 3, 4]);
    assert.equal(answer.body.TuningReport.chosen.members, 2);
    assert.equal(answer.body.TuningReport.mode, 'fast');
    assert.equal(answer.body.TuningReport.chosen.cut, 't9');
    assert.equal('TrainingPlan' in answer.body, false, 'the fast path has no fitted plan');
  } finally {
    await running.server.close();
    registry.close();
  }
});
