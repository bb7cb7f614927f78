// SQLite row shapes of the registry and their mapping to the types the rest of skulens sees.
import type { Entry, Split, Version, VersionStatus } from './types.js';

export interface EntryRow {
  id: number;
  project_id: number;
  sha256: string;
  blob: string;
  source: string;
  label: string;
  split: Split;
  split_origin: 'given' | 'auto';
  format: string;
  width: number;
  height: number;
  bytes: number;
  dhash: string;
  metadata: string | null;
  imported_at: string;
}

export interface VersionRow {
  id: number;
  project_id: number;
  project: string;
  name: string;
  status: VersionStatus;
  status_message: string | null;
  backbone: string;
  params: string;
  seed: number;
  dir: string | null;
  metrics: string | null;
  pid: number | null;
  keep_running: 0 | 1;
  created_at: string;
  completed_at: string | null;
}

export const now = (): string => new Date().toISOString();

export function toEntry(row: EntryRow): Entry {
  return {
    id: row.id,
    projectId: row.project_id,
    sha256: row.sha256,
    blob: row.blob,
    source: row.source,
    label: row.label,
    split: row.split,
    splitOrigin: row.split_origin,
    format: row.format,
    width: row.width,
    height: row.height,
    bytes: row.bytes,
    dhash: row.dhash,
    metadata: row.metadata === null ? null : (JSON.parse(row.metadata) as Record<string, string>),
    importedAt: row.imported_at,
  };
}

export function toVersion(row: VersionRow): Version {
  return {
    id: row.id,
    projectId: row.project_id,
    project: row.project,
    name: row.name,
    status: row.status,
    statusMessage: row.status_message,
    backbone: row.backbone,
    params: JSON.parse(row.params) as Record<string, unknown>,
    seed: row.seed,
    dir: row.dir,
    metrics: row.metrics === null ? null : (JSON.parse(row.metrics) as Record<string, unknown>),
    keepRunning: row.keep_running === 1,
    createdAt: row.created_at,
    completedAt: row.completed_at,
  };
}
