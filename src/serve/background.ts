// Background work of a server: trainings (CreateProjectVersion returns once the version row exists) and
// dataset imports (CreateDataset returns at once; DescribeDataset shows the status). Each runs in its own
// child process (job-child.ts), so head fitting and tuning never hold up the requests this process serves;
// import states live in the registry, so they survive a restart.
import { SkulensError, reasonOf } from '../errors.js';
import type { HomeLayout } from '../home/index.js';
import type { FileIdentity } from '../dataset/index.js';
import { RESERVATION_ENV, type DatasetImportStatus, type Registry, type Split, type Version } from '../registry/index.js';
import type { ChildMessage, TrainingProgress, TrainingRequest } from './job-protocol.js';
import { fromWire, startJobChild, type JobChild } from './job-process.js';

export type DatasetStatus = DatasetImportStatus;

/** What the server knows about one dataset side's last import. */
export interface DatasetImportState {
  status: DatasetStatus;
  message: string | null;
  createdAt: Date;
  updatedAt: Date;
  /** Files the last import could not use. */
  errorEntries: number;
}

interface Logger {
  error(object: object, message: string): void;
  info(object: object, message: string): void;
}

export interface BackgroundOptions {
  /** Environment of the children (S3 settings); default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Whether imports may read s3:// sources. */
  s3?: boolean;
}

/** How long close() waits for a cancelled child before killing it. */
const CLOSE_GRACE_MS = 10_000;

/** Runs imports and trainings in child processes and remembers how they went. */
export class BackgroundWork {
  private readonly progress = new Map<number, TrainingProgress>();
  private readonly children = new Set<JobChild>();
  /** The child of each training in progress, by version id, so it can be cancelled. */
  private readonly trainings = new Map<number, JobChild>();

  constructor(
    private readonly registry: Registry,
    private readonly home: HomeLayout,
    private readonly log: Logger,
    private readonly options: BackgroundOptions = {},
  ) {
    // One server per home: names reserved by a server that went down will never be used.
    registry.versions.releaseAllReservations();
  }

  /**
   * Starts importing `source` into the `type` side of `project` (split undefined: as the layout says, else
   * 80/20). `checked`: the identity of a local source the server checked under its import roots; the child
   * refuses it if it changed since.
   */
  startImport(project: string, type: Split, source: string, split: Split | undefined, checked?: FileIdentity): DatasetImportState {
    const row = this.registry.projects.get(project);
    if (this.registry.imports.find(row.id, type)?.status.endsWith('IN_PROGRESS')) {
      throw new SkulensError('ERR_PROJECT_IN_USE', { project, detail: `an import into its ${type} dataset is still running` });
    }
    this.registry.imports.begin(row.id, type, process.pid);
    let outcome: { ok: boolean; message: string; errorEntries?: number } | undefined;
    this.spawn(
      { kind: 'import', home: this.home, project, source, split, s3: this.options.s3 ?? false, ...(checked ? { checked } : {}) },
      (message) => {
        if (message.type === 'imported') {
          const o = message.outcome;
          outcome = { ok: true, message: `Imported ${o.imported} new image(s), ${o.duplicates} already there, ${o.skipped} skipped`, errorEntries: o.skipped };
          this.log.info({ project, source, ...o }, 'dataset import finished');
        } else if (message.type === 'failed') {
          outcome = { ok: false, message: fromWire(message.error, `the import into ${project}`).message };
          this.log.error({ project, source, error: message.error }, 'dataset import failed');
        }
      },
      (code, stderr) => {
        outcome ??= { ok: false, message: `The import process ended without a result (exit code ${code ?? 'none'})` };
        if (code !== 0 && stderr) this.log.error({ project, source, stderr }, 'dataset import process failed');
        this.registry.imports.finish(row.id, type, outcome);
      },
    );
    return this.importState(project, type)!;
  }

  importState(project: string, type: Split): DatasetImportState | undefined {
    const row = this.registry.projects.find(project);
    const state = row && this.registry.imports.find(row.id, type);
    return state && { status: state.status, message: state.message, createdAt: new Date(state.createdAt), updatedAt: new Date(state.updatedAt), errorEntries: state.errorEntries };
  }

  /**
   * Starts training in a child (frozen, fast or fine-tune: the engine runs there, off this event loop)
   * and resolves with the new version row (TRAINING_IN_PROGRESS) as soon as it exists, named `versionName`
   * when one is given (reserved here, so a taken or invalid name is refused before any child starts).
   *
   * @throws SkulensError ERR_PROJECT_NOT_FOUND, ERR_VERSION_NAME_INVALID, ERR_VERSION_NAME_EXISTS
   */
  startTraining(project: string, request: TrainingRequest, options: { versionName?: string } = {}): Promise<Version> {
    const row = this.registry.projects.get(project);
    const reservation = options.versionName === undefined ? undefined : this.registry.versions.reserveName(row.id, options.versionName);
    const env = reservation ? { ...(this.options.env ?? process.env), [RESERVATION_ENV]: reservation } : undefined;
    return new Promise((resolve, reject) => {
      let version: Version | undefined;
      let ended = false;
      const child = this.spawn(
        { kind: 'train', home: this.home, project, ...request },
        (message: ChildMessage) => {
          if (message.type === 'started') {
            version = message.version;
            this.trainings.set(message.version.id, child);
            resolve(message.version);
          } else if (message.type === 'progress') {
            if (version) this.progress.set(version.id, message.progress);
          } else if (message.type === 'trained') {
            ended = true;
            this.log.info({ version: message.version.name, project, seconds: message.seconds }, 'training finished');
          } else if (message.type === 'failed') {
            ended = true;
            const error = fromWire(message.error, `the training of ${project}`);
            if (!version) reject(error);
            else if (error.code === 'ERR_TRAINING_CANCELLED') this.log.info({ project, version: version.name }, 'training cancelled');
            else this.log.error({ project, version: version.name, err: error }, 'training failed');
          }
        },
        (code, stderr) => {
          if (reservation) this.registry.versions.releaseReservation(reservation);
          if (version) {
            this.progress.delete(version.id);
            this.trainings.delete(version.id);
          }
          if (ended) return;
          // The stderr tail goes to the log only: it may name server paths.
          const detail = `exit code ${code ?? 'none'}`;
          if (stderr) this.log.error({ project, stderr }, 'training process failed');
          if (!version) return reject(new SkulensError('ERR_JOB_CHILD_FAILED', { job: `the training of ${project}`, detail }));
          // A child killed mid-training leaves its row in progress; say what happened (a cancel removed it).
          const current = this.registry.versions.list(version.projectId).find((v) => v.id === version!.id);
          if (current?.status === 'TRAINING_IN_PROGRESS') this.registry.versions.setStatus(version.id, 'TRAINING_FAILED', `The training process stopped before it finished (${detail})`);
          this.log.error({ project, version: version.name, detail }, 'training process ended without a result');
        },
        env,
      );
    });
  }

  /** The latest progress of a training of this server, for StatusMessage. */
  trainingProgress(versionId: number): TrainingProgress | undefined {
    return this.progress.get(versionId);
  }

  /**
   * Cancels a training of this server, as Ctrl-C does in the CLI: the job stops at its next step and
   * removes its row (a child still there 30 s later is killed, and its row marked failed). False when no
   * training of this server has that id.
   */
  cancelTraining(versionId: number): boolean {
    const child = this.trainings.get(versionId);
    if (!child) return false;
    child.cancel();
    const timer = setTimeout(() => child.pid !== undefined && killQuietly(child.pid), CLOSE_GRACE_MS * 3);
    void child.exited.then(() => clearTimeout(timer));
    return true;
  }

  /**
   * Stops every child and waits for them: a training in progress is marked TRAINING_FAILED (the server
   * stopped), an import is cancelled and keeps what it committed (CREATE_FAILED or UPDATE_FAILED).
   */
  async close(): Promise<void> {
    const waiting = [...this.children].map(async (child) => {
      child.shutdown();
      const timer = setTimeout(() => child.pid !== undefined && killQuietly(child.pid), CLOSE_GRACE_MS);
      await child.exited;
      clearTimeout(timer);
    });
    await Promise.allSettled(waiting);
  }

  private spawn(job: Parameters<typeof startJobChild>[0], onMessage: (message: ChildMessage) => void, onExit: (code: number | null, stderr: string) => void, env?: NodeJS.ProcessEnv): JobChild {
    const child = startJobChild(job, env ?? this.options.env ?? process.env, onMessage, (code, stderr) => {
      this.children.delete(child);
      try {
        onExit(code, stderr);
      } catch (error) {
        this.log.error({ err: error, reason: reasonOf(error) }, 'recording the end of a job failed');
      }
    });
    this.children.add(child);
    return child;
  }
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}
