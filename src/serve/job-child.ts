// Entry of a job child process: runs one training or dataset import for the server, off its event loop,
// on its own registry handle (SQLite WAL lets both write), and reports through the IPC channel. It stops
// on "cancel" (a training keeps nothing). When the server closes ("shutdown") or dies (the IPC channel
// closes), a training is marked TRAINING_FAILED with that reason, as an import is marked CREATE_FAILED,
// so a version never vanishes without a trace.
import { SkulensError, isSkulensError, reasonOf } from '../errors.js';
import { importDataset } from '../dataset/index.js';
import { resourceErrorOf } from '../home/index.js';
import { TRAINING_MODES } from '../jobs/index.js';
import { Registry, type Version } from '../registry/index.js';
import { S3Store } from '../storage/index.js';
import type { ChildMessage, JobRequest, ParentMessage, WireError } from './job-protocol.js';

const controller = new AbortController();
/** The registry and training row of this child, once they exist. */
const active: { registry?: Registry; version?: Version } = {};
const send = (message: ChildMessage): Promise<void> =>
  new Promise((resolve) => (process.send && process.connected ? process.send(message, undefined, {}, () => resolve()) : resolve()));

function toWire(error: unknown, job: JobRequest): WireError {
  error = resourceErrorOf(error, job.kind === 'train' ? `training ${job.project}` : `importing into ${job.project}`, job.home) ?? error;
  if (isSkulensError(error)) return { code: error.code, details: JSON.parse(JSON.stringify(error.details)) as Record<string, unknown>, message: error.message };
  return { message: reasonOf(error) };
}

async function run(job: JobRequest): Promise<void> {
  let registry: Registry | undefined;
  let store: S3Store | undefined;
  try {
    registry = Registry.open(job.home.database);
    active.registry = registry;
    if (job.kind === 'train') {
      const result = await train(registry, job);
      await send({ type: 'trained', version: result.version, seconds: result.trainSeconds });
    } else {
      const storage = job.s3 ? (): S3Store => (store ??= S3Store.fromEnv(job.home, process.env)) : undefined;
      const report = await importDataset(registry, job.home, job.project, job.source, { split: job.split, storage, signal: controller.signal, checked: job.checked });
      await send({ type: 'imported', outcome: { imported: report.imported, duplicates: report.duplicates, skipped: report.skipped.length } });
    }
  } catch (error) {
    await send({ type: 'failed', error: toWire(error, job) });
  } finally {
    store?.destroy();
    registry?.close();
  }
}

/** Runs one training in its mode, reporting the row as soon as it exists and each progress step. */
function train(registry: Registry, job: Extract<JobRequest, { kind: 'train' }>): Promise<{ version: Version; trainSeconds: number }> {
  const options = {
    signal: controller.signal,
    onStart: (version: Version) => {
      active.version = version;
      void send({ type: 'started', version });
    },
    onProgress: (progress: { phase: string; done: number; total: number; detail?: string }) => void send({ type: 'progress', progress }),
  };
  // The mode's own run: the fast mode's fallback to frozen (an untrainable backbone) is decided there.
  return TRAINING_MODES[job.mode].run(registry, job.home, job.project, job.params, options);
}

/** The server stopped (closed or died): a training row says so and the child exits; an import is cancelled. */
function serverStopped(how: string): void {
  const { registry, version } = active;
  if (registry && version) {
    try {
      const row = registry.versions.list(version.projectId).find((v) => v.id === version.id);
      if (row?.status === 'TRAINING_IN_PROGRESS') registry.versions.setStatus(version.id, 'TRAINING_FAILED', `The server ${how} during the training; train again`);
    } finally {
      process.exit(0);
    }
  }
  controller.abort(new SkulensError('ERR_WALK_CANCELLED', { path: 'the job' }));
  // The cancelled job stops and exits; this is the limit on waiting for that.
  setTimeout(() => process.exit(0), 5_000).unref();
}

process.on('message', (message: ParentMessage) => {
  if (message.type === 'cancel') controller.abort(new SkulensError('ERR_WALK_CANCELLED', { path: 'the job' }));
  else if (message.type === 'shutdown') serverStopped('was stopped');
  else void run(message.job).finally(() => process.exit(0));
});
process.on('disconnect', () => serverStopped('process ended'));
