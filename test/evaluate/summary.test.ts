import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RekognitionEvaluationSummarySchema, evaluatePredictions, toRekognitionSummary } from '../../src/evaluate/index.js';
import { isSkulensError } from '../../src/errors.js';
import { HAND_WORKED, LABELS, THRESHOLDS, assertClose } from './helpers.js';

const ARN = 'arn:aws:rekognition:local:000000000000:project/shoes/version/v1/1714564800000';
const META = { projectVersionArn: ARN, evaluationEndTimestamp: new Date(Date.UTC(2024, 4, 1, 12, 0, 0)), numberOfTrainingImages: 42 };
const report = evaluatePredictions(LABELS, HAND_WORKED, THRESHOLDS);

test('the summary has Rekognition field names and the hand-computed values', () => {
  // Numbers from metrics.test.ts; the confusion matrix rows [2,1,0], [0,1,0], [1,1,1] normalised, zeros left out.
  const parsed = RekognitionEvaluationSummarySchema.parse(JSON.parse(JSON.stringify(toRekognitionSummary(report, META))));
  assertClose(parsed, {
    Version: 1,
    EvaluationDetails: {
      ProjectVersionArn: ARN,
      EvaluationEndTimestamp: '2024-05-01T12:00:00.000Z',
      Labels: ['shirt', 'shoe', 'hat'],
      NumberOfTrainingImages: 42,
      NumberOfTestingImages: 7,
    },
    AggregatedEvaluationResults: {
      Metrics: { Precision: 13 / 18, Recall: 2 / 3, F1Score: 11 / 18 },
      ConfusionMatrix: [
        { GroundTruthLabel: 'shirt', PredictedLabel: 'shirt', Value: 2 / 3 },
        { GroundTruthLabel: 'shirt', PredictedLabel: 'shoe', Value: 1 / 3 },
        { GroundTruthLabel: 'shoe', PredictedLabel: 'shoe', Value: 1 },
        { GroundTruthLabel: 'hat', PredictedLabel: 'shirt', Value: 1 / 3 },
        { GroundTruthLabel: 'hat', PredictedLabel: 'shoe', Value: 1 / 3 },
        { GroundTruthLabel: 'hat', PredictedLabel: 'hat', Value: 1 / 3 },
      ],
    },
    LabelEvaluationResults: [
      { Label: 'shirt', NumberOfTestingImages: 3, Metrics: { Threshold: 0.5, Precision: 2 / 3, Recall: 2 / 3, F1Score: 2 / 3 } },
      { Label: 'shoe', NumberOfTestingImages: 1, Metrics: { Threshold: 0.5, Precision: 1 / 2, Recall: 1, F1Score: 2 / 3 } },
      { Label: 'hat', NumberOfTestingImages: 3, Metrics: { Threshold: 0.5, Precision: 1, Recall: 1 / 3, F1Score: 1 / 2 } },
    ],
    // Images 1-4, 6 and 7 get a label at the thresholds (image 5 none); 4 of those 6 labels are right.
    AnswerEvaluationResults: { Accuracy: 4 / 7, Coverage: 6 / 7, AnsweredPrecision: 4 / 6, UnknownRate: 1 / 7, UntestedLabels: [], ThresholdsChosenOn: 'held-out training photos' },
  });
});

test('the summary schema rejects a stored summary with a misspelled field', () => {
  const stored = JSON.parse(JSON.stringify(toRekognitionSummary(report, META)));
  stored.EvaluationDetails.NumberOfTestImages = stored.EvaluationDetails.NumberOfTestingImages;
  delete stored.EvaluationDetails.NumberOfTestingImages;
  assert.equal(RekognitionEvaluationSummarySchema.safeParse(stored).success, false);
});

test('the summary schema rejects a timestamp that is not ISO 8601', () => {
  const stored = JSON.parse(JSON.stringify(toRekognitionSummary(report, META)));
  stored.EvaluationDetails.EvaluationEndTimestamp = 'May 1st';
  assert.equal(RekognitionEvaluationSummarySchema.safeParse(stored).success, false);
});

test('an invalid evaluation date is rejected', () => {
  assert.throws(
    () => toRekognitionSummary(report, { ...META, evaluationEndTimestamp: new Date('nope') }),
    (e) => isSkulensError(e, 'ERR_ARGUMENT_INVALID') && e.details.field === 'evaluationEndTimestamp',
  );
});
