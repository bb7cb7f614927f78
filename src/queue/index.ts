// Public face of the queue: the one module that owns Redis. Chunked jobs with retry and backoff on a
// BullMQ queue, workers that run them on any machine that reaches the Redis, and a small store beside
// the queue for chunk results and caches keyed by content.
export { parseRedisUrl, type RedisTarget } from './redis-url.js';
export { JobQueue, QueueStore, DEFAULT_RETRY, QUEUE_NAME, type JobState, type RetryPolicy } from './job-queue.js';
export { startQueueWorker, type JobInfo, type JobProcessor, type QueueWorker, type QueueWorkerEvent, type QueueWorkerOptions } from './queue-worker.js';
