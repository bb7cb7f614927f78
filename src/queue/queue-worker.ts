// A queue worker: takes jobs from the skulens queue and hands each to the processor of its kind.
// A job whose worker dies (SIGKILL, lost machine) loses its lock and goes back to the queue after
// `lockMs`, where another worker takes it; a job that throws is retried with backoff.
import { Worker, type Job } from 'bullmq';
import { SkulensError } from '../errors.js';
import { QUEUE_NAME, QueueStore, connectionOf, queueError, withinMs } from './job-queue.js';
import { parseRedisUrl, type RedisTarget } from './redis-url.js';

/** What a processor learns about its job besides the data. */
export interface JobInfo {
  id: string;
  /** 1 on the first try; more after a failure or after a dead worker's lock ran out. */
  attempt: number;
  store: QueueStore;
}

/** Turns one job's data into its result (JSON-serialisable). Throwing fails the attempt (it is retried). */
export type JobProcessor = (data: unknown, info: JobInfo) => Promise<unknown>;

export interface QueueWorkerOptions {
  /** Jobs in flight at once in this process (default 1). */
  concurrency?: number;
  /** How long a job stays locked without a heartbeat before another worker may take it (default 30 s). */
  lockMs?: number;
  onEvent?: (event: QueueWorkerEvent) => void;
}

export type QueueWorkerEvent =
  | { type: 'started'; id: string; name: string; attempt: number }
  | { type: 'completed'; id: string; name: string }
  | { type: 'failed'; id: string; name: string; attempt: number; reason: string };

export interface QueueWorker {
  readonly target: RedisTarget;
  /** Stops taking jobs, lets the ones in flight finish, and disconnects. */
  close(): Promise<void>;
}

/**
 * Starts a worker for the given kinds of job.
 *
 * @example
 * const worker = await startQueueWorker('redis://127.0.0.1:6379', { 'batch-chunk': processChunk });
 * process.once('SIGTERM', () => worker.close());
 * @throws SkulensError ERR_QUEUE_UNAVAILABLE
 */
export async function startQueueWorker(url: string | RedisTarget, processors: Readonly<Record<string, JobProcessor>>, options: QueueWorkerOptions = {}): Promise<QueueWorker> {
  const target = typeof url === 'string' ? parseRedisUrl(url) : url;
  const lockMs = options.lockMs ?? 30_000;
  const emit = options.onEvent ?? (() => undefined);
  let worker: Worker;
  const run = async (job: Job): Promise<unknown> => {
    const processor = processors[job.name];
    if (!processor) throw new SkulensError('ERR_ARGUMENT_INVALID', { field: 'job', detail: `this worker has no processor for "${job.name}" jobs` });
    emit({ type: 'started', id: job.id!, name: job.name, attempt: job.attemptsStarted });
    return processor(job.data, { id: job.id!, attempt: job.attemptsStarted, store: new QueueStore(() => worker.getBackend().client) });
  };
  try {
    worker = new Worker(QUEUE_NAME, run, {
      connection: connectionOf(target),
      concurrency: options.concurrency ?? 1,
      lockDuration: lockMs,
      // Check for jobs of dead workers as often as their locks can run out; allow several such losses.
      stalledInterval: Math.max(500, Math.min(30_000, lockMs)),
      maxStalledCount: 5,
    });
  } catch (error) {
    throw queueError(target, error);
  }
  worker.on('error', () => undefined);
  worker.on('completed', (job) => emit({ type: 'completed', id: job.id!, name: job.name }));
  worker.on('failed', (job, error) => {
    if (job) emit({ type: 'failed', id: job.id!, name: job.name, attempt: job.attemptsStarted, reason: error.message });
  });
  try {
    await withinMs(worker.waitUntilReady(), 5000, target, 'connecting');
  } catch (error) {
    await worker.close(true).catch(() => undefined);
    throw queueError(target, error);
  }
  return { target, close: () => worker.close() };
}
