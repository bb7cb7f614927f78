import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluatePredictions, formatReport } from '../../src/evaluate/index.js';
import { HAND_WORKED, LABELS, THRESHOLDS, img } from './helpers.js';

const report = evaluatePredictions(LABELS, HAND_WORKED, THRESHOLDS);

test('the formatted report shows the headline numbers', () => {
  assert.match(formatReport(report), /Test images: 7 {3}accuracy: 0\.571 {3}macro-F1: 0\.611 .* unknown: 14\.3%/);
});

test('the formatted report puts coverage and answered precision beside accuracy, and says when thresholds were chosen on the test split', () => {
  assert.match(formatReport(report), /At the thresholds: coverage 85\.7% of the test images get a label; answered precision 0\.667/);
  assert.doesNotMatch(formatReport(report), /chosen on the test split/);
  assert.match(formatReport({ ...report, thresholdsChosenOn: 'test' }), /Thresholds chosen on the test split: these figures flatter/);
});

test('a report stored before coverage existed still formats, without that line', () => {
  const { coverage: _c, answeredPrecision: _a, untested: _u, ...old } = report;
  const text = formatReport(old as typeof report);
  assert.match(text, /Test images: 7/);
  assert.doesNotMatch(text, /coverage/);
});

test('the formatted report has one per-label row with threshold, precision, recall, F1 and support', () => {
  const lines = formatReport(report).split('\n');
  assert.ok(lines.some((l) => /^hat\s+0\.500\s+1\.000\s+0\.333\s+0\.500\s+3$/.test(l)), lines.join('\n'));
});

test('the formatted confusion matrix abbreviates column labels and dots out zeros', () => {
  const lines = formatReport(report).split('\n');
  assert.ok(lines.some((l) => /^truth \\ predicted\s+shi~\s+shoe\s+hat$/.test(l)), lines.join('\n'));
  assert.ok(lines.some((l) => /^shoe\s+\.\s+1\s+\.$/.test(l)), lines.join('\n'));
});

test('the formatted report lists the most confident misclassified images, unknown answers included', () => {
  const text = formatReport(report, { maxMisclassified: 2 });
  assert.match(text, /Misclassified: 3 \(the 2 most confident\)/);
  assert.match(text, /^hat\s+shirt\s+6\.jpg\s+62\.5$/m);
  assert.doesNotMatch(text, /5\.jpg/);
  assert.match(formatReport(report), /^hat\s+\(unknown\)\s+5\.jpg\s+43\.8$/m);
});

test('the formatted report leaves out the confusion matrix beyond maxMatrixLabels', () => {
  const labels = ['a', 'b', 'c'];
  const small = evaluatePredictions(labels, [img('x', 0, [0.5, 0.25, 0.25])], [0.5, 0.5, 0.5]);
  assert.match(formatReport(small, { maxMatrixLabels: 2 }), /3 labels is more than 2; see the evaluation summary/);
});
