// The evaluation summary JSON in Rekognition Custom Labels' shape: its zod schema (for reading a
// stored summary back) and the conversion from an EvaluationReport.
import { z } from 'zod';
import { SkulensError } from '../errors.js';
import type { EvaluationReport } from './metrics.js';

const fraction = z.number().min(0).max(1);
const count = z.number().int().nonnegative();

/** Schema of the evaluation summary, with Rekognition's field names. */
export const RekognitionEvaluationSummarySchema = z.object({
  Version: z.literal(1),
  EvaluationDetails: z.object({
    ProjectVersionArn: z.string().min(1),
    /** ISO 8601, e.g. 2024-05-01T12:00:00.000Z. */
    EvaluationEndTimestamp: z.iso.datetime(),
    Labels: z.array(z.string().min(1)).min(1),
    NumberOfTrainingImages: count,
    NumberOfTestingImages: count,
  }),
  AggregatedEvaluationResults: z.object({
    /** Macro averages over the labels. */
    Metrics: z.object({ Precision: fraction, Recall: fraction, F1Score: fraction }),
    /** One entry per non-zero cell; Value is the share of GroundTruthLabel's test images predicted as PredictedLabel. */
    ConfusionMatrix: z.array(z.object({ GroundTruthLabel: z.string(), PredictedLabel: z.string(), Value: fraction })),
  }),
  LabelEvaluationResults: z.array(
    z.object({
      Label: z.string().min(1),
      NumberOfTestingImages: count,
      Metrics: z.object({ Threshold: fraction, Precision: fraction, Recall: fraction, F1Score: fraction }),
    }),
  ),
  /** skulens: argmax accuracy beside what the thresholds answer (absent from summaries written before it existed). */
  AnswerEvaluationResults: z
    .object({
      Accuracy: fraction,
      Coverage: fraction,
      AnsweredPrecision: fraction,
      UnknownRate: fraction,
      UntestedLabels: z.array(z.string()),
      UntrainedLabels: z.object({ Labels: z.array(z.string()), NumberOfTestingImages: count, CountedAsErrors: z.boolean() }).optional(),
      ThresholdsChosenOn: z.enum(['held-out training photos', 'test']),
    })
    .optional(),
});

/** The evaluation summary stored with a model version and returned by DescribeProjectVersions. */
export type RekognitionEvaluationSummary = z.infer<typeof RekognitionEvaluationSummarySchema>;

/** What the summary needs beyond the report. */
export interface SummaryMeta {
  projectVersionArn: string;
  evaluationEndTimestamp: Date;
  numberOfTrainingImages: number;
}

/**
 * Converts a report to Rekognition's evaluation summary: aggregated metrics are the macro averages, and
 * the confusion matrix is row-normalised, listing only non-zero cells, row by row.
 *
 * @example
 * const summary = toRekognitionSummary(report, {
 *   projectVersionArn: 'arn:aws:rekognition:local:000000000000:project/shoes/version/v1/1714560000000',
 *   evaluationEndTimestamp: new Date(), numberOfTrainingImages: 1192,
 * });
 * RekognitionEvaluationSummarySchema.parse(JSON.parse(JSON.stringify(summary))); // round-trips
 */
export function toRekognitionSummary(report: EvaluationReport, meta: SummaryMeta): RekognitionEvaluationSummary {
  if (meta.projectVersionArn.length === 0) {
    throw new SkulensError('ERR_ARGUMENT_INVALID', { field: 'projectVersionArn', detail: 'must not be empty' });
  }
  if (Number.isNaN(meta.evaluationEndTimestamp.getTime())) {
    throw new SkulensError('ERR_ARGUMENT_INVALID', { field: 'evaluationEndTimestamp', detail: 'is an invalid date' });
  }
  if (!Number.isInteger(meta.numberOfTrainingImages) || meta.numberOfTrainingImages < 0) {
    throw new SkulensError('ERR_ARGUMENT_INVALID', {
      field: 'numberOfTrainingImages',
      detail: `expected a non-negative integer, got ${meta.numberOfTrainingImages}`,
    });
  }
  const { labels } = report;
  const confusion: RekognitionEvaluationSummary['AggregatedEvaluationResults']['ConfusionMatrix'] = [];
  report.confusionMatrix.forEach((row, truth) => {
    const total = row.reduce((sum, n) => sum + n, 0);
    row.forEach((n, predicted) => {
      if (n > 0) confusion.push({ GroundTruthLabel: labels[truth]!, PredictedLabel: labels[predicted]!, Value: n / total });
    });
  });
  const summary: RekognitionEvaluationSummary = {
    Version: 1,
    EvaluationDetails: {
      ProjectVersionArn: meta.projectVersionArn,
      EvaluationEndTimestamp: meta.evaluationEndTimestamp.toISOString(),
      Labels: [...labels],
      NumberOfTrainingImages: meta.numberOfTrainingImages,
      NumberOfTestingImages: report.numTest,
    },
    AggregatedEvaluationResults: {
      Metrics: { Precision: report.macroPrecision, Recall: report.macroRecall, F1Score: report.macroF1 },
      ConfusionMatrix: confusion,
    },
    LabelEvaluationResults: report.perLabel.map((m) => ({
      Label: m.label,
      NumberOfTestingImages: m.support,
      Metrics: { Threshold: m.threshold, Precision: m.precision, Recall: m.recall, F1Score: m.f1 },
    })),
  };
  return { ...summary, ...labelTypeResults(report) };
}

/**
 * skulens extensions of the summary. Every version has `AnswerEvaluationResults`: argmax accuracy, and what
 * DetectCustomLabels answers at the version's thresholds (coverage, answered precision), the labels without
 * test images, the test photos' labels never trained, and where the thresholds were chosen. The others are
 * present only for the label types and hierarchies that have them: `MultiLabelEvaluationResults`,
 * `GroupEvaluationResults` (one entry per group, with its confusion matrix) and `LevelEvaluationResults`
 * with `FallbackEvaluation` (accuracy per taxonomy level, answers stopping at parents).
 */
function labelTypeResults(report: EvaluationReport): Record<string, unknown> {
  const out: Record<string, unknown> = {
    AnswerEvaluationResults: {
      Accuracy: report.accuracy,
      Coverage: report.coverage,
      AnsweredPrecision: report.answeredPrecision,
      UnknownRate: report.unknownRate,
      UntestedLabels: report.untested,
      ...(report.untrained ? { UntrainedLabels: { Labels: report.untrained.labels, NumberOfTestingImages: report.untrained.testImages, CountedAsErrors: report.untrained.counted } } : {}),
      ThresholdsChosenOn: report.thresholdsChosenOn === 'test' ? 'test' : 'held-out training photos',
    },
  };
  if (report.multiLabel) {
    const { micro, macro, exactMatch, hammingLoss } = report.multiLabel;
    out.MultiLabelEvaluationResults = {
      Micro: { Precision: micro.precision, Recall: micro.recall, F1Score: micro.f1 },
      Macro: { Precision: macro.precision, Recall: macro.recall, F1Score: macro.f1 },
      ExactMatch: exactMatch,
      HammingLoss: hammingLoss,
    };
  }
  if (report.groups) {
    out.GroupEvaluationResults = report.groups.map((g) => ({
      Group: g.group,
      Values: g.values,
      NumberOfTestingImages: g.numTest,
      Accuracy: g.accuracy,
      Coverage: g.coverage,
      AnsweredPrecision: g.answeredPrecision,
      AccuracyWhereValued: g.accuracyPresent,
      F1Score: g.macroF1,
      ConfusionMatrix: g.confusionMatrix.flatMap((row, t) => {
        const total = row.reduce((sum, n) => sum + n, 0);
        return row.flatMap((n, p) => (n > 0 ? [{ GroundTruthLabel: g.values[t]!, PredictedLabel: g.values[p]!, Value: n / total }] : []));
      }),
    }));
  }
  if (report.hierarchy) {
    out.LevelEvaluationResults = report.hierarchy.levels.map((l) => ({ Level: l.level, Depth: l.depth, Nodes: l.nodes, NumberOfTestingImages: l.images, Accuracy: l.accuracy }));
    out.FallbackEvaluation = report.hierarchy.fallback;
  }
  return out;
}
