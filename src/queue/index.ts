// Public face of the queue: the one module that owns Redis. Chunked jobs with retry and backoff on a
// BullMQ queue, workers that run them on any machine that reaches the Redis, a small store beside the
// queue for chunk results and caches keyed by content, and embedding fanned out over workers.
export { parseRedisUrl, type RedisTarget } from './redis-url.js';
export { JobQueue, QueueStore, DEFAULT_RETRY, KEY_TTL_SECONDS, QUEUE_NAME, type JobState, type RetryPolicy } from './job-queue.js';
export { startQueueWorker, type JobInfo, type JobProcessor, type QueueWorker, type QueueWorkerEvent, type QueueWorkerOptions } from './queue-worker.js';
export { embedOnWorkers, type EmbedOnWorkersOptions, type EmbedOnWorkersResult } from './embed-on-workers.js';
export { EMBED_CHUNK_JOB, EmbedChunkSchema, embedResultsKey, type EmbedChunk } from './embed-chunks.js';
