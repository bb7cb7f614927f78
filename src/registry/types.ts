// Row types of the registry, as the rest of skulens sees them.
export type Split = 'train' | 'test';
export type SplitOrigin = 'given' | 'auto';

/** Rekognition's project version statuses. */
export const VERSION_STATUSES = Object.freeze([
  'TRAINING_IN_PROGRESS',
  'TRAINING_COMPLETED',
  'TRAINING_FAILED',
  'STARTING',
  'RUNNING',
  'STOPPING',
  'STOPPED',
  'DELETING',
] as const);
export type VersionStatus = (typeof VERSION_STATUSES)[number];

export interface Project {
  id: number;
  name: string;
  createdAt: string;
}

export interface Entry {
  id: number;
  projectId: number;
  sha256: string;
  /** Path of the stored copy, relative to the home's root. */
  blob: string;
  /** Where the image came from (a path or s3:// URI), for reports. */
  source: string;
  label: string;
  split: Split;
  splitOrigin: SplitOrigin;
  format: string;
  width: number;
  height: number;
  bytes: number;
  /** 64-bit difference hash (hex), for near-duplicate checks. */
  dhash: string;
  metadata: Record<string, string> | null;
  importedAt: string;
}

export type NewEntry = Omit<Entry, 'id' | 'projectId' | 'importedAt'>;

/** Something an import left out or noticed about one file or line (src/dataset owns the kinds). */
export interface ImportIssue {
  /** The file, s3:// URI or manifest/CSV the issue is about. */
  file: string;
  /** Line of a CSV or manifest, when the issue is about one. */
  line: number | null;
  kind: string;
  /** The error code, when the file was refused. */
  code: string | null;
  reason: string;
  /** Another file involved (the original of an exact duplicate). */
  related: string | null;
}

export interface Version {
  id: number;
  projectId: number;
  project: string;
  name: string;
  status: VersionStatus;
  statusMessage: string | null;
  backbone: string;
  params: Record<string, unknown>;
  seed: number;
  /** Artefact folder relative to the home's root; null until training completes. */
  dir: string | null;
  metrics: Record<string, unknown> | null;
  /**
   * The desired state: true from a start (StartProjectVersion, `skulens versions start`) until a stop, so a
   * server that comes up starts it again. The status says what a server holds now.
   */
  keepRunning: boolean;
  createdAt: string;
  completedAt: string | null;
}

/** What a review did to a dataset entry. */
export type EntryChangeAction = 'relabel' | 'remove' | 'keep' | 'add';
/** Where a change came from: the CLI, the API (and the console through it), or a confirmed uncertain prediction. */
export type ChangeOrigin = 'cli' | 'api' | 'uncertain';

/** One recorded change of a dataset entry (src/registry's entry_changes). */
export interface EntryChange {
  id: number;
  entryId: number | null;
  sha256: string;
  blob: string;
  action: EntryChangeAction;
  oldLabel: string | null;
  newLabel: string | null;
  /** The entry as it was before the change (as added, for 'add'). */
  entry: Entry | null;
  /** Who: `cli:<user>` or the API key id. */
  actor: string;
  origin: ChangeOrigin;
  at: string;
}
