// The job queue over Redis (BullMQ): adding chunked jobs with retry and backoff, reading their state,
// and a small key-value store beside them (chunk results, caches, cancel flags). The only module that
// talks to Redis; everything else asks it.
import { Queue, type ConnectionOptions } from 'bullmq';
import { SkulensError, reasonOf } from '../errors.js';
import { parseRedisUrl, type RedisTarget } from './redis-url.js';

/** The one BullMQ queue skulens uses; job names tell the kinds apart. */
export const QUEUE_NAME = 'skulens';
/** Prefix of skulens' own keys beside BullMQ's. */
const KEY_PREFIX = 'skulens:';

/** How a job is retried: `attempts` tries in all, waiting backoffMs, 2x, 4x, ... between them. */
export interface RetryPolicy {
  attempts: number;
  backoffMs: number;
}

export const DEFAULT_RETRY: Readonly<RetryPolicy> = Object.freeze({ attempts: 5, backoffMs: 1000 });

/** Where a job stands, as BullMQ says ('unknown': never added, or removed after it completed). */
export type JobState = 'waiting' | 'active' | 'delayed' | 'completed' | 'failed' | 'prioritized' | 'waiting-children' | 'unknown';

export function connectionOf(target: RedisTarget): ConnectionOptions {
  return {
    host: target.host,
    port: target.port,
    db: target.db,
    ...(target.username ? { username: target.username } : {}),
    ...(target.password ? { password: target.password } : {}),
  };
}

/** Wraps a driver or connection failure in ERR_QUEUE_UNAVAILABLE. */
export function queueError(target: RedisTarget, error: unknown): SkulensError {
  if (error instanceof SkulensError) return error;
  return new SkulensError('ERR_QUEUE_UNAVAILABLE', { redis: target.shown, detail: reasonOf(error) }, { cause: error });
}

/** Resolves `promise`, or rejects with ERR_QUEUE_UNAVAILABLE after `ms`. */
export async function withinMs<T>(promise: Promise<T>, ms: number, target: RedisTarget, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new SkulensError('ERR_QUEUE_UNAVAILABLE', { redis: target.shown, detail: `no answer within ${ms} ms while ${what}; is redis-server running there?` })), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A connection to the queue for producers: add jobs, read their state, keep results. Open it with
 * {@link JobQueue.open}; close it when done.
 *
 * @example
 * const queue = await JobQueue.open('redis://127.0.0.1:6379');
 * await queue.add('batch-chunk', 'b1:0', { images: [...] });
 * await queue.close();
 */
export class JobQueue {
  private constructor(
    readonly target: RedisTarget,
    private readonly queue: Queue,
  ) {}

  /** @throws SkulensError ERR_ARGUMENT_INVALID (URL), ERR_QUEUE_UNAVAILABLE (no driver, no answer). */
  static async open(url: string | RedisTarget, options: { timeoutMs?: number } = {}): Promise<JobQueue> {
    const target = typeof url === 'string' ? parseRedisUrl(url) : url;
    let queue: Queue;
    try {
      queue = new Queue(QUEUE_NAME, { connection: connectionOf(target) });
    } catch (error) {
      throw queueError(target, error);
    }
    // An unreachable server makes the driver retry forever; report it once and stop.
    queue.on('error', () => undefined);
    try {
      await withinMs(queue.waitUntilReady(), options.timeoutMs ?? 5000, target, 'connecting');
    } catch (error) {
      await queue.close().catch(() => undefined);
      throw queueError(target, error);
    }
    return new JobQueue(target, queue);
  }

  /**
   * Adds job `id` of kind `name` unless a job with that id is already there (BullMQ keeps job ids
   * unique, which is what makes re-adding a chunk harmless). Completed jobs are removed; failed ones kept.
   */
  async add(name: string, id: string, data: unknown, retry: RetryPolicy = DEFAULT_RETRY): Promise<void> {
    await this.queue.add(name, data, {
      jobId: id,
      attempts: retry.attempts,
      backoff: { type: 'exponential', delay: retry.backoffMs },
      removeOnComplete: true,
      removeOnFail: { age: 24 * 3600 },
    });
  }

  async state(id: string): Promise<JobState> {
    return (await this.queue.getJobState(id)) as JobState;
  }

  /** Why job `id` failed and how many attempts it had, when it is still kept. */
  async failure(id: string): Promise<{ reason: string; attempts: number } | null> {
    const job = await this.queue.getJob(id);
    return job ? { reason: job.failedReason ?? 'unknown', attempts: job.attemptsMade } : null;
  }

  /** Removes job `id` unless a worker holds it (then it ends on its own). */
  async remove(id: string): Promise<void> {
    await this.queue.remove(id).catch(() => undefined);
  }

  /** Jobs per state, over every kind. */
  async counts(): Promise<Record<string, number>> {
    return this.queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed');
  }

  /** The skulens key-value store beside the queue (hashes and flags under `skulens:`). */
  get store(): QueueStore {
    return new QueueStore(() => this.queue.getBackend().client);
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}

type Client = Awaited<ReturnType<Queue["getBackend"]>["client"]>;

/**
 * Seconds a key lives after its last write. Drivers delete what they read; this bounds what a driver that
 * died leaves behind (chunk results, cancel flags) and how long a version's result cache lasts unused.
 */
export const KEY_TTL_SECONDS = 7 * 24 * 3600;

/** HSET and EXPIRE in one step (BullMQ's client offers no EXPIRE; a script runs both atomically). */
const HSET_EXPIRE = 'skulensHsetExpire';
const HSET_EXPIRE_LUA = "redis.call('HSET', KEYS[1], unpack(ARGV, 2)) return redis.call('EXPIRE', KEYS[1], ARGV[1])";
const defined = new WeakSet<object>();

/** Hashes and flags under `skulens:`: results of chunks, caches keyed by content, cancel flags. */
export class QueueStore {
  constructor(private readonly client: () => Promise<Client>) {}

  async hashSet(key: string, fields: Record<string, string>): Promise<void> {
    const client = await this.client();
    if (!defined.has(client)) {
      client.defineCommand(HSET_EXPIRE, { numberOfKeys: 1, lua: HSET_EXPIRE_LUA });
      defined.add(client);
    }
    await client.runCommand(HSET_EXPIRE, [KEY_PREFIX + key, KEY_TTL_SECONDS, ...Object.entries(fields).flat()]);
  }

  async hashGet(key: string, field: string): Promise<string | null> {
    return (await this.client()).hget(KEY_PREFIX + key, field);
  }

  async hashGetMany(key: string, fields: readonly string[]): Promise<(string | null)[]> {
    if (fields.length === 0) return [];
    return (await this.client()).hmget(KEY_PREFIX + key, ...fields);
  }

  async hashDelete(key: string, ...fields: string[]): Promise<void> {
    if (fields.length > 0) await (await this.client()).hdel(KEY_PREFIX + key, ...fields);
  }

  async get(key: string): Promise<string | null> {
    return (await this.client()).get(KEY_PREFIX + key);
  }

  async set(key: string, value: string): Promise<void> {
    await (await this.client()).set(KEY_PREFIX + key, value, { EX: KEY_TTL_SECONDS });
  }

  async delete(...keys: string[]): Promise<void> {
    if (keys.length > 0) await (await this.client()).del(...keys.map((key) => KEY_PREFIX + key));
  }
}
