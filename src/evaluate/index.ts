// Public face of evaluation: threshold fitting, test-set metrics, the shared decision rule and the
// Rekognition-shaped evaluation summary. Pure functions, no I/O.
export type { ScoredImage } from './scored.js';
export {
  bestF1Thresholds,
  targetPrecisionThresholds,
  labelOperatingPoints,
  DEFAULT_THRESHOLD,
  type OperatingPoints,
} from './thresholds.js';
export { evaluatePredictions, type EvaluationReport, type LabelMetrics, type Misclassified } from './metrics.js';
export { decideLabels, type DecidedLabel, type DecideOptions } from './decide.js';
export {
  toRekognitionSummary,
  RekognitionEvaluationSummarySchema,
  type RekognitionEvaluationSummary,
  type SummaryMeta,
} from './summary.js';
export { formatReport, type FormatOptions } from './format.js';
