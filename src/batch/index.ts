// Public face of batch jobs: run a version over a folder into JSON Lines or CSV, resumably, from the CLI
// (runBatch) or in the background inside the server (BatchService).
export { runBatch, type BatchDetector, type BatchProgress, type RunBatchOptions } from './run-batch.js';
export { BatchService, StartBatchSchema, type BatchStatus, type BatchState, type StartBatchRequest } from './service.js';
export { CSV_HEADER, resolveFormat, readDoneImages, type BatchFormat } from './output.js';
