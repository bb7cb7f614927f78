// Batch jobs inside a long-running process (the HTTP server): start a batch in the background, read its
// progress, list batches, stop them all on close. Job state lives in memory; the output file is the
// durable record, so a batch started again on the same output after a restart resumes where it was.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';
import { SkulensError, reasonOf } from '../errors.js';
import type { HomeLayout } from '../home/index.js';
import { Predictor, checkSource } from '../predict/index.js';
import { versionArn, type Registry } from '../registry/index.js';
import type { S3Store } from '../storage/index.js';
import { resolveFormat } from './output.js';
import { runBatch, type BatchProgress } from './run-batch.js';

/** Body of `POST /v1/batches` (and of {@link BatchService.start}). */
export const StartBatchSchema = z
  .object({
    ProjectVersionArn: z.string().min(1),
    /** A folder or image file on the server's disk. */
    Source: z.string().min(1),
    /** Result file on the server's disk (.jsonl or .csv); appended to and resumed when it exists. */
    Output: z.string().min(1),
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
  Source: string;
  Output: string;
  Format: 'jsonl' | 'csv';
  Status: BatchState;
  StatusMessage?: string;
  Total: number | null;
  Processed: number;
  Skipped: number;
  Failed: number;
  CreationTimestamp: string;
  CompletionTimestamp?: string;
}

interface Job {
  status: BatchStatus;
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
    private readonly options: { workers?: number; concurrency?: number; s3?: () => S3Store } = {},
  ) {}

  /**
   * Validates the request, loads the version and starts the batch in the background.
   *
   * @throws SkulensError ERR_ARGUMENT_INVALID (request), ERR_VERSION_NOT_FOUND / ERR_VERSION_NOT_READY,
   * ERR_PATH_NOT_FOUND (source), ERR_BATCH_OUTPUT_BUSY (another running batch writes that output).
   */
  async start(request: StartBatchRequest): Promise<BatchStatus> {
    const parsed = StartBatchSchema.safeParse(request);
    if (!parsed.success) throw new SkulensError('ERR_ARGUMENT_INVALID', { field: 'batch request', detail: z.prettifyError(parsed.error) });
    const body = parsed.data;
    const source = checkSource(body.Source);
    const output = path.resolve(body.Output);
    for (const job of this.jobs.values()) {
      if (job.status.Status === 'IN_PROGRESS' && job.status.Output === output) throw new SkulensError('ERR_BATCH_OUTPUT_BUSY', { path: output, batch: job.status.BatchId });
    }
    const version = this.registry.versions.resolve(body.ProjectVersionArn);
    const predictor = await Predictor.load(this.registry, this.home, version, { workers: this.options.workers });
    const status: BatchStatus = {
      BatchId: randomUUID(),
      ProjectVersionArn: versionArn(predictor.version),
      Source: source,
      Output: output,
      Format: resolveFormat(output, body.Format),
      Status: 'IN_PROGRESS',
      Total: null,
      Processed: 0,
      Skipped: 0,
      Failed: 0,
      CreationTimestamp: new Date().toISOString(),
    };
    const controller = new AbortController();
    const update = (progress: Readonly<BatchProgress>): void => {
      status.Total = progress.total;
      status.Processed = progress.processed;
      status.Skipped = progress.skipped;
      status.Failed = progress.failed;
    };
    const finish = (state: BatchState, message?: string): void => {
      status.Status = state;
      if (message) status.StatusMessage = message;
      status.CompletionTimestamp = new Date().toISOString();
    };
    const finished = runBatch(predictor, {
      source,
      output,
      format: status.Format,
      detect: { minConfidence: body.MinConfidence, maxResults: body.MaxResults },
      concurrency: this.options.concurrency,
      s3: this.options.s3,
      onProgress: update,
      signal: controller.signal,
    })
      .then(
        (progress) => {
          update(progress);
          finish('SUCCEEDED');
        },
        (error: unknown) => (controller.signal.aborted ? finish('STOPPED', 'stopped when the server closed; start it again to resume') : finish('FAILED', reasonOf(error))),
      )
      .finally(() => predictor.close());
    this.jobs.set(status.BatchId, { status, controller, finished });
    return { ...status };
  }

  /** @throws SkulensError ERR_BATCH_NOT_FOUND */
  get(id: string): BatchStatus {
    const job = this.jobs.get(id);
    if (!job) throw new SkulensError('ERR_BATCH_NOT_FOUND', { batch: id });
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
    for (const job of this.jobs.values()) job.controller.abort(new Error('batch service closed'));
    await Promise.all([...this.jobs.values()].map((job) => job.finished));
  }
}
