// Public face of jobs: the long-running work that strings domains together.
export { trainVersion, TrainParamsSchema, type TrainParams, type TrainOptions, type TrainProgress, type TrainPhase, type TrainResult } from './train-version.js';
