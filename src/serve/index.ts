// Public face of serving: loaded model versions and file predictions.
export { Predictor, type DetectOptions, type Prediction } from './predictor.js';
export { predictFiles, walkImages, type PredictionLine } from './predict-files.js';
