// The messages between the server and a job child (job-child.ts): one job a child, started by the first
// message, cancelled by "cancel", stopped by "shutdown" (or by the server going away), reported back as
// JSON-safe messages.
import type { HomeLayout } from '../home/index.js';
import type { JobProgress, ModeName } from '../jobs/index.js';
import type { FileIdentity } from '../dataset/index.js';
import type { Split, Version } from '../registry/index.js';

/** A training of one mode (a row of TRAINING_MODES) and its parameters, validated by the mode's job schema in the child. */
export interface TrainingRequest {
  mode: ModeName;
  params: Record<string, unknown>;
}

/** Any training's progress: its phase (prepare, finetune, ...), how far, and a line such as the epoch. */
export type TrainingProgress = JobProgress<string>;

export type JobRequest =
  | ({ kind: 'train'; home: HomeLayout; project: string } & TrainingRequest)
  | { kind: 'import'; home: HomeLayout; project: string; source: string; split: Split | undefined; s3: boolean; checked?: FileIdentity };

/**
 * "cancel" stops the job as Ctrl-C does (a training keeps nothing); "shutdown" is the server closing: a
 * training is marked TRAINING_FAILED with the reason (as when the server dies), an import is cancelled.
 */
export type ParentMessage = { type: 'run'; job: JobRequest } | { type: 'cancel' } | { type: 'shutdown' };

/** A failure as it crosses the process boundary: a SkulensError's code and details, else a message. */
export interface WireError {
  code?: string;
  details?: Record<string, unknown>;
  message: string;
}

export interface ImportOutcome {
  imported: number;
  duplicates: number;
  skipped: number;
}

export type ChildMessage =
  | { type: 'started'; version: Version }
  | { type: 'progress'; progress: TrainingProgress }
  | { type: 'trained'; version: Version; seconds: number }
  | { type: 'imported'; outcome: ImportOutcome }
  | { type: 'failed'; error: WireError };
