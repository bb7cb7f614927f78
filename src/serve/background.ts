// Background work of a server: trainings (CreateProjectVersion returns once the version row exists)
// and dataset imports (CreateDataset returns at once; DescribeDataset shows the status).
import { SkulensError, reasonOf } from '../errors.js';
import type { HomeLayout } from '../home/index.js';
import { importDataset, type ImportReport } from '../dataset/index.js';
import { trainVersion, type TrainParams, type TrainProgress } from '../jobs/index.js';
import type { Registry, Split, Version } from '../registry/index.js';

export type DatasetStatus = 'CREATE_IN_PROGRESS' | 'CREATE_COMPLETE' | 'CREATE_FAILED' | 'UPDATE_IN_PROGRESS' | 'UPDATE_COMPLETE' | 'UPDATE_FAILED';

/** What the server knows about one dataset's last import (memory only: a restart forgets it). */
export interface DatasetImportState {
  status: DatasetStatus;
  message: string | null;
  createdAt: Date;
  updatedAt: Date;
  /** Files the last import could not use. */
  errorEntries: number;
}

/** Imports a source (a folder per label, a CSV or a Ground Truth manifest; local or s3://) into a project. */
export type ImportFn = (registry: Registry, home: HomeLayout, project: string, source: string, split: Split | undefined) => Promise<ImportReport>;

const defaultImport: ImportFn = (registry, home, project, source, split) => importDataset(registry, home, project, source, { split });

interface Logger {
  error(object: object, message: string): void;
  info(object: object, message: string): void;
}

/** Runs imports and trainings off the request path and remembers how they went. */
export class BackgroundWork {
  private readonly imports = new Map<string, DatasetImportState>();
  private readonly progress = new Map<number, TrainProgress>();
  private readonly running = new Set<Promise<unknown>>();
  private readonly controller = new AbortController();

  constructor(
    private readonly registry: Registry,
    private readonly home: HomeLayout,
    private readonly log: Logger,
    private readonly importFn: ImportFn = defaultImport,
  ) {}

  /** Starts importing `source` into the `split` side of `project` (undefined: as the layout says, else 80/20). */
  startImport(project: string, type: 'train' | 'test', source: string, split: Split | undefined): DatasetImportState {
    const key = `${project}/${type}`;
    const previous = this.imports.get(key);
    if (previous?.status.endsWith('IN_PROGRESS')) {
      throw new SkulensError('ERR_PROJECT_IN_USE', { project, detail: `an import into its ${type} dataset is still running` });
    }
    const now = new Date();
    const state: DatasetImportState = {
      status: previous ? 'UPDATE_IN_PROGRESS' : 'CREATE_IN_PROGRESS',
      message: null,
      createdAt: previous?.createdAt ?? now,
      updatedAt: now,
      errorEntries: 0,
    };
    this.imports.set(key, state);
    const verb = previous ? 'UPDATE' : 'CREATE';
    this.track(
      this.importFn(this.registry, this.home, project, source, split).then(
        (report) => {
          Object.assign(state, { status: `${verb}_COMPLETE`, updatedAt: new Date(), errorEntries: report.skipped.length });
          state.message = `Imported ${report.imported} new image(s), ${report.duplicates} already there, ${report.skipped.length} skipped`;
          this.log.info({ project, source, imported: report.imported, skipped: report.skipped.length }, 'dataset import finished');
        },
        (error: unknown) => {
          Object.assign(state, { status: `${verb}_FAILED`, updatedAt: new Date(), message: reasonOf(error) });
          this.log.error({ project, source, err: error }, 'dataset import failed');
        },
      ),
    );
    return state;
  }

  importState(project: string, type: 'train' | 'test'): DatasetImportState | undefined {
    return this.imports.get(`${project}/${type}`);
  }

  /** Forgets a deleted project's import states. */
  forgetProject(project: string): void {
    for (const key of this.imports.keys()) if (key.startsWith(`${project}/`)) this.imports.delete(key);
  }

  /** Starts training and resolves with the new version row (TRAINING_IN_PROGRESS) as soon as it exists. */
  startTraining(project: string, params: Partial<TrainParams>): Promise<Version> {
    return new Promise((resolve, reject) => {
      let version: Version | undefined;
      const job = trainVersion(this.registry, this.home, project, params, {
        signal: this.controller.signal,
        onStart: (created) => {
          version = created;
          resolve(created);
        },
        onProgress: (progress) => version && this.progress.set(version.id, progress),
      }).then(
        (result) => this.log.info({ version: result.version.name, project, seconds: result.trainSeconds }, 'training finished'),
        (error: unknown) => {
          if (!version) return reject(error);
          this.log.error({ project, version: version.name, err: error }, 'training failed');
        },
      );
      this.track(job.finally(() => version && this.progress.delete(version.id)));
    });
  }

  /** The latest progress of a training in this process, for StatusMessage. */
  trainingProgress(versionId: number): TrainProgress | undefined {
    return this.progress.get(versionId);
  }

  /** Cancels trainings (their versions are removed, as a cancelled training keeps nothing) and waits for all work. */
  async close(): Promise<void> {
    this.controller.abort();
    await Promise.allSettled([...this.running]);
  }

  private track(work: Promise<unknown>): void {
    this.running.add(work);
    void work.finally(() => this.running.delete(work));
  }
}
