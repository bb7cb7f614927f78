// Public face of serving: the model host (started versions sharing backbones), background work and the
// HTTP server. Predictions themselves live in src/predict.
// Started versions hand out src/predict's Predictor; re-exported for callers that load one beside a server.
export { Predictor } from '../predict/index.js';
export { ModelHost, type ModelHostOptions } from './model-host.js';
export { BackgroundWork, type DatasetImportState, type ImportFn } from './background.js';
export { createServer, OPERATIONS, type ServerOptions, type SkulensServer } from './http/server.js';
