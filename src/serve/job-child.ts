// Entry of a job child process: runs one training or dataset import for the server, off its event loop,
// on its own registry handle (SQLite WAL lets both write), and reports through the IPC channel. It stops
// (cancelling the job) on "cancel" or when the server disconnects.
import { SkulensError, isSkulensError, reasonOf } from '../errors.js';
import { importDataset } from '../dataset/index.js';
import { resourceErrorOf } from '../home/index.js';
import { fastVersion, fineTuneVersion, trainVersion } from '../jobs/index.js';
import { Registry, type Version } from '../registry/index.js';
import { S3Store } from '../storage/index.js';
import type { ChildMessage, JobRequest, ParentMessage, TrainingRequest, WireError } from './job-protocol.js';

const controller = new AbortController();
const send = (message: ChildMessage): Promise<void> =>
  new Promise((resolve) => (process.send && process.connected ? process.send(message, undefined, {}, () => resolve()) : resolve()));

function toWire(error: unknown, job: JobRequest): WireError {
  error = resourceErrorOf(error, job.kind === 'train' ? `training ${job.project}` : `importing into ${job.project}`, job.home) ?? error;
  if (isSkulensError(error)) return { code: error.code, details: JSON.parse(JSON.stringify(error.details)) as Record<string, unknown>, message: error.message };
  return { message: reasonOf(error) };
}

async function run(job: JobRequest): Promise<void> {
  const registry = Registry.open(job.home.database);
  let store: S3Store | undefined;
  try {
    if (job.kind === 'train') {
      const result = await train(registry, job);
      await send({ type: 'trained', version: result.version, seconds: result.trainSeconds });
    } else {
      const storage = job.s3 ? (): S3Store => (store ??= S3Store.fromEnv(job.home, process.env)) : undefined;
      const report = await importDataset(registry, job.home, job.project, job.source, { split: job.split, storage, signal: controller.signal });
      await send({ type: 'imported', outcome: { imported: report.imported, duplicates: report.duplicates, skipped: report.skipped.length } });
    }
  } catch (error) {
    await send({ type: 'failed', error: toWire(error, job) });
  } finally {
    store?.destroy();
    registry.close();
  }
}

/** Runs one training in its mode, reporting the row as soon as it exists and each progress step. */
function train(registry: Registry, job: Extract<JobRequest, { kind: 'train' }>): Promise<{ version: Version; trainSeconds: number }> {
  const options = {
    signal: controller.signal,
    onStart: (version: Version) => void send({ type: 'started', version }),
    onProgress: (progress: { phase: string; done: number; total: number; detail?: string }) => void send({ type: 'progress', progress }),
  };
  const request: TrainingRequest = job;
  switch (request.mode) {
    case 'fine-tune':
      return fineTuneVersion(registry, job.home, job.project, request.params, options);
    case 'fast':
      return fastVersion(registry, job.home, job.project, request.params, options);
    default:
      return trainVersion(registry, job.home, job.project, request.params, options);
  }
}

process.on('message', (message: ParentMessage) => {
  if (message.type === 'cancel') controller.abort(new SkulensError('ERR_WALK_CANCELLED', { path: 'the job' }));
  else void run(message.job).finally(() => process.exit(0));
});
process.on('disconnect', () => {
  controller.abort(new Error('the server went away'));
  // The cancelled job removes what it started and exits; this is the limit on waiting for that.
  setTimeout(() => process.exit(0), 5_000);
});
