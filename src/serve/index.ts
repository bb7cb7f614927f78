// Public face of serving: loaded model versions, file predictions, the model host (started versions
// sharing backbones) and the HTTP server.
export { Predictor, type DetectOptions, type Prediction } from './predictor.js';
export { predictFiles, walkImages, type PredictionLine } from './predict-files.js';
export { ModelHost, type ModelHostOptions } from './model-host.js';
export { BackgroundWork, type DatasetImportState, type ImportFn } from './background.js';
export { createServer, OPERATIONS, type ServerOptions, type SkulensServer } from './http/server.js';
