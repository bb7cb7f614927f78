// The fast path serves calibrated probabilities: its head is divided by the temperature fitted on the
// held-out photos' logits and every label answers at 0.5; a warm start continues from the head as trained.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fastVersion } from '../../src/jobs/index.js';
import { readModel, readVersionJson } from '../../src/registry/index.js';
import { ANSWER_PROBABILITY, decodeHead, type LogisticHead } from '../../src/train/index.js';
import { stagedProject } from '../finetune/fast-fixtures.js';

test('a fast version serves its head divided by the held-out temperature, answers at 0.5, and a warm start continues from the head as trained', { timeout: 300_000 }, async () => {
  const { home, registry } = await stagedProject();
  try {
    const params = { backbone: 'staged-cnn', cut: 4, epochs: 1, workers: 1, threads: 1 };
    const first = await fastVersion(registry, home, 'p', params);
    const one = await readModel(home, first.version.dir!);
    const T1 = one.manifest.params.temperature as number;
    assert.ok(T1 > 0 && Number.isFinite(T1), `temperature ${T1}`);
    assert.deepEqual(one.manifest.thresholds, one.manifest.labels.map(() => ANSWER_PROBABILITY));
    const tuning = (await readVersionJson(home, first.version.dir!, 'tuning.json')) as { calibration: { temperature: number } };
    assert.equal(tuning.calibration.temperature, T1);
    assert.equal(first.version.metrics?.temperature, T1);

    // A learning rate too small to move a float32 weight: the warm start's head as trained is the first one's.
    const second = await fastVersion(registry, home, 'p', { ...params, from: first.version.name, lr: Number.MIN_VALUE, headLr: Number.MIN_VALUE, weightDecay: 0 });
    const two = await readModel(home, second.version.dir!);
    const T2 = two.manifest.params.temperature as number;
    const asTrained = (head: LogisticHead, T: number): number[] => Array.from(head.weights, (w) => w * T);
    const [a, b] = [asTrained(decodeHead(one.head) as LogisticHead, T1), asTrained(decodeHead(two.head) as LogisticHead, T2)];
    const diff = Math.max(...a.map((w, i) => Math.abs(w - b[i]!)));
    assert.ok(diff < 1e-4, `the warm start's head as trained differs by ${diff}`);
  } finally {
    registry.close();
  }
});
