// Public face of head training: train a classification head on embeddings, run it, store it, plus the
// seeded randomness other domains reuse.
export type { Head, LogisticHead, MlpHead, HeadTrainingOptions } from './types.js';
export { trainHead, ABSENT_CLASS_BIAS } from './train-head.js';
export { headProbabilities, headLogits, groupedProbabilities, softmax } from './probabilities.js';
export { fitTemperature, temperatureScaled, calibrateSoftmax, ANSWER_PROBABILITY, TEMPERATURE_RANGE, type Calibration } from './temperature.js';
export { trainMultiLabelHead, sigmoid, sigmoidProbabilities, type MultiLabelOptions } from './multi-label.js';
export { stackGroupHeads } from './group-head.js';
export { balancedClassWeights } from './class-weights.js';
export { encodeHead, decodeHead } from './codec.js';
export { mulberry32, shuffleInPlace, normalSample, type RandomSource } from './random.js';
export { fitStandardizer, foldStandardizer, standardize, type Standardizer } from './standardize.js';
export { groupedStratifiedFolds, selectC, type CvScore } from './cross-validate.js';
export { BALANCE_MODES, AUTO_BALANCE_RATIO, chooseBalance, imbalanceRatio, planBalance, type BalanceMode, type BalancePlan, type BalanceStrategy } from './balance.js';
export { assertTrainOnly, crossValidateConfig, fitConfig, tuneHead, type HeadConfig, type TriedConfig, type TuneOptions, type TuningReport, type TuningSet, type TuningStage } from './tune.js';
export { appendPrototypes, calibratePrototypes, classMean, type PrototypeCalibration } from './few-shot.js';
export { groupedStratifiedSubsample, MINIBATCH_WORK, SUBSAMPLE_IMAGES } from './subsample.js';
export { batchProbabilities } from './onnx-kernels.js';
export { LOGISTIC_EPOCHS } from './train-head.js';
export { scalePlan, type Solver } from './scale.js';
