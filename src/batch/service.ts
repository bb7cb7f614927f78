// Batch jobs inside a long-running process (the HTTP server): start a batch in the background, read its
// progress and its results, list batches, stop one, stop them all on close. Results are written by the
// server under <home>/batches/<id>/, never at a path a request names; job state lives in memory. With a
// Redis URL the images go to `skulens worker` processes in chunks and the server collects the lines.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { z } from 'zod';
import { SkulensError, reasonOf } from '../errors.js';
import { batchResultsPath, guardResourcesSync, resourceErrorOf, type HomeLayout } from '../home/index.js';
import { Predictor, checkSource } from '../predict/index.js';
import { JobQueue } from '../queue/index.js';
import { versionArn, type Registry } from '../registry/index.js';
import type { S3Store } from '../storage/index.js';
import { runBatch, type BatchProgress, type RunBatchOptions } from './run-batch.js';
import { capturingDetector } from './capture.js';
import { DEFAULT_CHUNK_SIZE } from './chunks.js';
import { runBatchOnQueue } from './run-on-queue.js';

/** Body of `POST /v1/batches` (and of {@link BatchService.start}). */
export const StartBatchSchema = z
  .object({
    ProjectVersionArn: z.string().min(1),
    /** A folder or image file under one of the server's import roots, or an s3:// prefix. */
    Source: z.string().min(1),
    /** Results format (default jsonl); the server writes them under <home>/batches/<id>/. */
    Format: z.enum(['jsonl', 'csv']).optional(),
    MinConfidence: z.number().min(0).max(100).optional(),
    MaxResults: z.number().int().min(0).max(1000).optional(),
  })
  .strict();
export type StartBatchRequest = z.infer<typeof StartBatchSchema>;

export type BatchState = 'IN_PROGRESS' | 'SUCCEEDED' | 'FAILED' | 'STOPPED';

/** What `GET /v1/batches/<id>` answers. Counts are images; `Total` is null while the source is counted. */
export interface BatchStatus {
  BatchId: string;
  ProjectVersionArn: string;
  /** The source as the request named it. */
  Source: string;
  /** Where the results are fetched: GET /v1/batches/<id>/results. */
  ResultsPath: string;
  Format: 'jsonl' | 'csv';
  Status: BatchState;
  StatusMessage?: string;
  Total: number | null;
  Processed: number;
  Skipped: number;
  Failed: number;
  CreationTimestamp: string;
  CompletionTimestamp?: string;
  /** Only for a batch on a Redis queue: where, and how far its chunks are. */
  Queue?: QueueStatus;
}

/** The queue side of a batch's status (see docs/batch.md). */
export interface QueueStatus {
  /** The queue's URL, without a password. */
  Redis: string;
  ChunkSize: number;
  /** Chunks of the images still to do: all (null until counted), added to the queue, collected into the results. */
  Chunks: { Total: number | null; Queued: number; Done: number };
  /** Chunk attempts beyond the first: failures retried with backoff and chunks of dead workers taken over. */
  Retries: number;
  /** Images answered from the result cache (same content, version and options) rather than predicted again. */
  Cached: number;
}

interface Job {
  status: BatchStatus;
  output: string;
  controller: AbortController;
  finished: Promise<void>;
}

/** Runs batches in this process, each with its own predictor (loaded at start, closed at the end). */
export class BatchService {
  private readonly jobs = new Map<string, Job>();

  /**
   * @param options.s3 the owner's S3 store (built from its environment) for s3:// sources; without it
   *   such sources are refused with ERR_S3_NOT_CONFIGURED.
   */
  constructor(
    private readonly registry: Registry,
    private readonly home: HomeLayout,
    private readonly options: { workers?: number; concurrency?: number; s3?: () => S3Store; redis?: string; chunkSize?: number } = {},
  ) {}

  private queue?: Promise<JobQueue>;

  /** The queue of this service, opened on the first batch (a failed open is tried again next time). */
  private openQueue(redis: string): Promise<JobQueue> {
    if (!this.queue) {
      this.queue = JobQueue.open(redis);
      this.queue.catch(() => (this.queue = undefined));
    }
    return this.queue;
  }

  /**
   * Validates the request, loads the version and starts the batch in the background. `resolvedSource` is
   * the source as the caller checked it (the server resolves it under its import roots); default: as given.
   * `local.checked` is its identity then (the batch refuses it if it changed), `local.imageName` how the
   * results name each image.
   *
   * @throws SkulensError ERR_ARGUMENT_INVALID (request), ERR_VERSION_NOT_FOUND / ERR_VERSION_NOT_READY,
   * ERR_PATH_NOT_FOUND (source).
   */
  async start(request: StartBatchRequest, resolvedSource?: string, local: Pick<RunBatchOptions, 'checked' | 'imageName'> = {}): Promise<BatchStatus> {
    const parsed = StartBatchSchema.safeParse(request);
    if (!parsed.success) throw new SkulensError('ERR_ARGUMENT_INVALID', { field: 'batch request', detail: z.prettifyError(parsed.error) });
    const body = parsed.data;
    const source = checkSource(resolvedSource ?? body.Source);
    const version = this.registry.versions.resolve(body.ProjectVersionArn);
    const id = randomUUID();
    const format = body.Format ?? 'jsonl';
    const output = batchResultsPath(this.home, id, format);
    // The results folder before anything is loaded: a read-only or full home is said to the caller at once.
    guardResourcesSync('starting a batch', this.home, () => fs.mkdirSync(path.dirname(output), { recursive: true }));
    const { redis } = this.options;
    const queue = redis ? await this.openQueue(redis) : undefined;
    const predictor = queue ? undefined : await Predictor.load(this.registry, this.home, version, { workers: this.options.workers });
    const chunkSize = this.options.chunkSize ?? DEFAULT_CHUNK_SIZE;
    const status: BatchStatus = {
      BatchId: id,
      ProjectVersionArn: versionArn(version),
      Source: body.Source,
      ResultsPath: `/v1/batches/${id}/results`,
      Format: format,
      Status: 'IN_PROGRESS',
      Total: null,
      Processed: 0,
      Skipped: 0,
      Failed: 0,
      CreationTimestamp: new Date().toISOString(),
      ...(queue ? { Queue: { Redis: queue.target.shown, ChunkSize: chunkSize, Chunks: { Total: null, Queued: 0, Done: 0 }, Retries: 0, Cached: 0 } } : {}),
    };
    const controller = new AbortController();
    const update = (progress: Readonly<BatchProgress>): void => {
      status.Total = progress.total;
      status.Processed = progress.processed;
      status.Skipped = progress.skipped;
      status.Failed = progress.failed;
      if (status.Queue && progress.queue) {
        const { chunks, retries, cached } = progress.queue;
        status.Queue = { ...status.Queue, Chunks: { Total: chunks.total, Queued: chunks.queued, Done: chunks.done }, Retries: retries, Cached: cached };
      }
    };
    const finish = (state: BatchState, message?: string): void => {
      status.Status = state;
      if (message) status.StatusMessage = message;
      status.CompletionTimestamp = new Date().toISOString();
    };
    const common = {
      ...local,
      source,
      output,
      format: status.Format,
      detect: { minConfidence: body.MinConfidence, maxResults: body.MaxResults },
      concurrency: this.options.concurrency,
      s3: this.options.s3,
      onProgress: update,
      signal: controller.signal,
    };
    const finished = (queue ? runBatchOnQueue(queue, { ...common, version: status.ProjectVersionArn, chunkSize, batchId: id }) : runBatch(capturingDetector(this.registry, this.home, predictor!), common))
      .then(
        (progress) => {
          update(progress);
          finish('SUCCEEDED');
        },
        (error: unknown) => (controller.signal.aborted ? finish('STOPPED', reasonOf(controller.signal.reason)) : finish('FAILED', reasonOf(resourceErrorOf(error, 'writing batch results', this.home) ?? error))),
      )
      .finally(() => predictor?.close());
    this.jobs.set(status.BatchId, { status, output, controller, finished });
    return { ...status };
  }

  /**
   * The results file of batch `id` so far (complete lines; the batch may still be running) and its format.
   *
   * @throws SkulensError ERR_BATCH_NOT_FOUND
   */
  results(id: string): { format: 'jsonl' | 'csv'; stream: Readable } {
    const job = this.jobs.get(id);
    if (!job) throw new SkulensError('ERR_BATCH_NOT_FOUND', { batch: id });
    // Before the first line the file does not exist yet: the results so far are empty.
    return { format: job.status.Format, stream: fs.existsSync(job.output) ? fs.createReadStream(job.output) : Readable.from([]) };
  }

  /** @throws SkulensError ERR_BATCH_NOT_FOUND */
  get(id: string): BatchStatus {
    const job = this.jobs.get(id);
    if (!job) throw new SkulensError('ERR_BATCH_NOT_FOUND', { batch: id });
    return { ...job.status };
  }

  /**
   * Stops batch `id`: no new image or chunk starts, workers drop its queued chunks, and the results keep
   * every line written so far. Resolves with its status once it has stopped.
   *
   * @throws SkulensError ERR_BATCH_NOT_FOUND, ERR_BATCH_NOT_RUNNING
   */
  async stop(id: string): Promise<BatchStatus> {
    const job = this.jobs.get(id);
    if (!job) throw new SkulensError('ERR_BATCH_NOT_FOUND', { batch: id });
    if (job.status.Status !== 'IN_PROGRESS') throw new SkulensError('ERR_BATCH_NOT_RUNNING', { batch: id, status: job.status.Status });
    job.controller.abort(new Error('stopped by StopBatch; the results keep every line written so far'));
    await job.finished;
    return { ...job.status };
  }

  /** Every batch of this process, oldest first. */
  list(): BatchStatus[] {
    return [...this.jobs.values()].map((job) => ({ ...job.status }));
  }

  /** Resolves when batch `id` has ended (for tests and graceful shutdown). */
  async wait(id: string): Promise<BatchStatus> {
    const job = this.jobs.get(id);
    if (!job) throw new SkulensError('ERR_BATCH_NOT_FOUND', { batch: id });
    await job.finished;
    return { ...job.status };
  }

  /** Stops running batches (their outputs keep every finished line) and waits for them. */
  async close(): Promise<void> {
    for (const job of this.jobs.values()) job.controller.abort(new Error('stopped when the server closed; start it again to resume'));
    await Promise.all([...this.jobs.values()].map((job) => job.finished));
    const queue = this.queue;
    this.queue = undefined;
    if (queue) await (await queue.catch(() => undefined))?.close();
  }
}
