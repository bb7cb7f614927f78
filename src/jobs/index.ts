// Public face of jobs: the long-running work that strings domains together. Every job that makes a
// model version runs on one skeleton (version-job.ts) and checks its split in one place (split.ts).
export { runVersionJob, assertLabelTypeSupported, type JobProgress, type VersionJob, type VersionOutput } from './version-job.js';
export { trainableSplit, labelSetSplit, type TrainableSplit, type LabelSetImage } from './split.js';
export {
  trainVersion,
  TrainParamsSchema,
  type TrainParams,
  type TrainParamsInput,
  type TrainOptions,
  type TrainProgress,
  type TrainPhase,
  type TrainResult,
} from './train-version.js';
export { fitHeadPipeline, tuningPlan, describeConfig, C_GRID, MLP_CANDIDATE, type PipelineParams, type PipelineResult } from './head-pipeline.js';
export { embedTrainingImages, type TrainingImage } from './head-pipeline.js';
export {
  fineTuneVersion,
  FineTuneParamsSchema,
  type FineTuneParams,
  type FineTuneParamsInput,
  type FineTuneOptions,
  type FineTuneProgress,
  type FineTunePhase,
  type FineTuneResult,
  DEFAULT_EPOCHS,
  defaultFineTuneEpochs,
  FINE_TUNE_PHOTOS,
  WARM_EPOCHS,
} from './fine-tune.js';
export { describePlan } from './fine-tune-parts.js';
export { warmStart, defaultFinalSize, inputAt, type FineTuneStart } from './fine-tune-from.js';
export { fastVersion, checkFastPath, FAST_PATH_ADDS, FastParamsSchema, type FastParams, type FastParamsInput, type FastPathCheck, type FastOptions, type FastProgress, type FastPhase, type FastResult } from './fast-version.js';
export { addLabelVersion, extendWithShots, AddLabelParamsSchema, type AddLabelParams, type AddLabelResult } from './add-label.js';
export { scoreTestImages, evaluateAt, thresholdVersion, type TestPrediction, type ScoredTestSet, type ThresholdVersionOptions } from './threshold-version.js';
export { TRAINING_MODES, MODE_NAMES, DEFAULT_MODE, COMMON_OPTIONS, type TrainingMode, type ModeName, type ModeOption, type ModeRunOptions, type ModeResult } from './modes.js';
