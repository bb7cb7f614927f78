// Public face of evaluation: threshold fitting, test-set metrics, the shared decision rule and the
// Rekognition-shaped evaluation summary, for single-label, multi-label and group projects and label
// hierarchies. Pure functions, no I/O.
export type { ScoredImage } from './scored.js';
export {
  bestF1Thresholds,
  bestF1Index,
  targetPrecisionThresholds,
  labelOperatingPoints,
  DEFAULT_THRESHOLD,
  type OperatingPoints,
} from './thresholds.js';
export { evaluatePredictions, type EvaluationReport, type LabelMetrics, type Misclassified } from './metrics.js';
export { decideLabels, decideWithTaxonomy, type DecidedLabel, type DecideOptions } from './decide.js';
export {
  toRekognitionSummary,
  RekognitionEvaluationSummarySchema,
  type RekognitionEvaluationSummary,
  type SummaryMeta,
} from './summary.js';
export { formatReport, headline, type FormatOptions } from './format.js';
export {
  evaluateHierarchy,
  hierarchyLevels,
  nodeConfidences,
  parentThresholds,
  hierarchyAnswer,
  type HierarchyLevel,
  type HierarchyReport,
  type LevelAccuracy,
  type FallbackPoint,
} from './hierarchy.js';
export { evaluateMultiLabel, multiLabelThresholds, type MultiScoredImage, type MultiLabelMetrics, type MultiLabelReport } from './multi-label.js';
export { evaluateGroups, groupSegments, type GroupSegment, type GroupScoredImage, type GroupEvaluation, type GroupsReport } from './groups.js';
