// Public face of jobs: the long-running work that strings domains together.
export { trainVersion, TrainParamsSchema, type JobProgress, type TrainParams, type TrainOptions, type TrainProgress, type TrainPhase, type TrainResult } from './train-version.js';
export { fitHeadPipeline, tuningPlan, describeConfig, C_GRID, MLP_CANDIDATE, type PipelineParams, type PipelineResult } from './head-pipeline.js';
export {
  fineTuneVersion,
  FineTuneParamsSchema,
  type FineTuneParams,
  type FineTuneOptions,
  type FineTuneProgress,
  type FineTunePhase,
  type FineTuneResult,
} from './fine-tune.js';
export { addLabelVersion, extendWithShots, AddLabelParamsSchema, type AddLabelParams, type AddLabelResult } from './add-label.js';
