// Public face of prediction: a loaded model version (Predictor), the images of a source (folder, file
// or s3:// prefix) and the one bounded, in-order prediction loop that `skulens predict`, batch runs
// and the server's batches share.
export { Predictor, type DetectOptions, type Prediction } from './predictor.js';
export { checkSource, sourceItems, walkImages, loadChecked, type SourceItem } from './source.js';
export { predictStream, checkConcurrency, CONCURRENCY, type Detector, type PredictionLine, type PredictStreamOptions } from './predict-stream.js';
