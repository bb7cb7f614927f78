// Public face of batch jobs: run a version over a folder into JSON Lines or CSV, resumably, from the CLI
// (runBatch) or in the background inside the server (BatchService); with a Redis queue, the same batch
// spread over `skulens worker` processes (runBatchOnQueue), and the workers' processors for batch and
// embedding chunks (embedOnWorkers, in src/queue, adds the latter).
export { runBatch, type BatchDetector, type BatchProgress, type QueueProgress, type RunBatchOptions } from './run-batch.js';
export { BatchService, StartBatchSchema, type BatchStatus, type BatchState, type StartBatchRequest } from './service.js';
export { CSV_HEADER, resolveFormat, readDoneImages, type BatchFormat } from './output.js';
export { runBatchOnQueue, type QueueBatchOptions } from './run-on-queue.js';
export { workerProcessors, type ClosableDetector, type WorkerDeps, type ChunkResult } from './chunk-worker.js';
export { DEFAULT_CHUNK_SIZE, BATCH_CHUNK_JOB } from './chunks.js';
export { capturingDetector } from './capture.js';
