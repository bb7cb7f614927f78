// Owns the SQLite file of a skulens home: projects, dataset entries and model versions.
// The only module that talks to better-sqlite3.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SkulensError } from '../errors.js';
import { processAlive } from '../home/index.js';
import { MIGRATIONS } from './schema.js';
import type { Entry, ImportIssue, NewEntry, Project, Split, Version, VersionStatus } from './types.js';

const PROJECT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

interface EntryRow {
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

interface VersionRow {
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
  created_at: string;
  completed_at: string | null;
}

const now = (): string => new Date().toISOString();

function toEntry(row: EntryRow): Entry {
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

function toVersion(row: VersionRow): Version {
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
    createdAt: row.created_at,
    completedAt: row.completed_at,
  };
}

/** Metadata store of one home. Open with `Registry.open(file)`; close when done. */
export class Registry {
  private constructor(private readonly db: Database.Database) {}

  static open(file: string): Registry {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    const registry = new Registry(db);
    registry.migrate();
    registry.failAbandonedTrainings();
    return registry;
  }

  close(): void {
    this.db.close();
  }

  private migrate(): void {
    const current = this.db.pragma('user_version', { simple: true }) as number;
    for (let step = current; step < MIGRATIONS.length; step += 1) {
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[step] as string);
        this.db.pragma(`user_version = ${step + 1}`);
      })();
    }
  }

  /** A training whose process died (killed, crashed) can never finish: mark it failed. */
  private failAbandonedTrainings(): void {
    const rows = this.db
      .prepare(`SELECT id, pid FROM versions WHERE status = 'TRAINING_IN_PROGRESS'`)
      .all() as { id: number; pid: number | null }[];
    for (const row of rows) {
      if (row.pid !== null && !processAlive(row.pid)) {
        this.setVersionStatus(row.id, 'TRAINING_FAILED', 'The training process stopped before it finished');
      }
    }
  }

  // ---- projects ----

  createProject(name: string): Project {
    if (!PROJECT_NAME.test(name)) throw new SkulensError('ERR_PROJECT_NAME_INVALID', { project: name });
    // One timestamp for the row and the returned project: ARNs are built from it.
    const createdAt = now();
    try {
      const info = this.db.prepare('INSERT INTO projects (name, created_at) VALUES (?, ?)').run(name, createdAt);
      return { id: Number(info.lastInsertRowid), name, createdAt };
    } catch (error) {
      if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') {
        throw new SkulensError('ERR_PROJECT_EXISTS', { project: name }, { cause: error });
      }
      throw error;
    }
  }

  findProject(name: string): Project | undefined {
    const row = this.db.prepare('SELECT id, name, created_at FROM projects WHERE name = ?').get(name) as
      | { id: number; name: string; created_at: string }
      | undefined;
    return row && { id: row.id, name: row.name, createdAt: row.created_at };
  }

  getProject(name: string): Project {
    const project = this.findProject(name);
    if (!project) throw new SkulensError('ERR_PROJECT_NOT_FOUND', { project: name });
    return project;
  }

  listProjects(): Project[] {
    const rows = this.db.prepare('SELECT id, name, created_at FROM projects ORDER BY name').all() as {
      id: number;
      name: string;
      created_at: string;
    }[];
    return rows.map((row) => ({ id: row.id, name: row.name, createdAt: row.created_at }));
  }

  deleteProject(name: string): void {
    this.db.prepare('DELETE FROM projects WHERE id = ?').run(this.getProject(name).id);
  }

  // ---- entries ----

  /** The entry of one image under one label, if the project has it. */
  findEntry(projectId: number, sha256: string, label: string): Entry | undefined {
    const row = this.db.prepare('SELECT * FROM entries WHERE project_id = ? AND sha256 = ? AND label = ?').get(projectId, sha256, label) as EntryRow | undefined;
    return row && toEntry(row);
  }

  /** Replaces what the last import of `origin` into a project recorded (skipped files, duplicates), in one transaction. */
  replaceImportIssues(projectId: number, origin: string, issues: readonly ImportIssue[]): void {
    const insert = this.db.prepare(`INSERT INTO import_issues (project_id, origin, file, line, kind, code, reason, related, recorded_at)
      VALUES (@projectId, @origin, @file, @line, @kind, @code, @reason, @related, @recordedAt)`);
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM import_issues WHERE project_id = ? AND origin = ?').run(projectId, origin);
      const recordedAt = now();
      for (const issue of issues) insert.run({ projectId, origin, recordedAt, ...issue });
    })();
  }

  /** Every import issue recorded for a project, oldest source first. */
  listImportIssues(projectId: number): (ImportIssue & { origin: string })[] {
    const rows = this.db.prepare('SELECT origin, file, line, kind, code, reason, related FROM import_issues WHERE project_id = ? ORDER BY id').all(projectId) as (ImportIssue & {
      origin: string;
    })[];
    return rows;
  }

  hasEntry(projectId: number, sha256: string, label: string): boolean {
    return (
      this.db.prepare('SELECT 1 FROM entries WHERE project_id = ? AND sha256 = ? AND label = ?').get(projectId, sha256, label) !==
      undefined
    );
  }

  /** Inserts entries in one transaction; an entry already present (same image, same label) is skipped. Returns how many were new. */
  addEntries(projectId: number, entries: readonly NewEntry[]): number {
    const insert = this.db.prepare(`INSERT OR IGNORE INTO entries
      (project_id, sha256, blob, source, label, split, split_origin, format, width, height, bytes, dhash, metadata, imported_at)
      VALUES (@projectId, @sha256, @blob, @source, @label, @split, @splitOrigin, @format, @width, @height, @bytes, @dhash, @metadata, @importedAt)`);
    const run = this.db.transaction((rows: readonly NewEntry[]) => {
      let added = 0;
      const importedAt = now();
      for (const entry of rows) {
        const info = insert.run({
          ...entry,
          projectId,
          metadata: entry.metadata === null ? null : JSON.stringify(entry.metadata),
          importedAt,
        });
        added += info.changes;
      }
      return added;
    });
    return run(entries);
  }

  listEntries(projectId: number, filter: { split?: Split; label?: string } = {}): Entry[] {
    const clauses = ['project_id = @projectId'];
    if (filter.split) clauses.push('split = @split');
    if (filter.label) clauses.push('label = @label');
    const rows = this.db
      .prepare(`SELECT * FROM entries WHERE ${clauses.join(' AND ')} ORDER BY label, sha256`)
      .all({ projectId, split: filter.split, label: filter.label }) as EntryRow[];
    return rows.map(toEntry);
  }

  /** Sets the split of entries by id, in one transaction. */
  setSplits(updates: readonly { id: number; split: Split }[]): void {
    const update = this.db.prepare('UPDATE entries SET split = ? WHERE id = ?');
    this.db.transaction(() => {
      for (const { id, split } of updates) update.run(split, id);
    })();
  }

  // ---- versions ----

  /** Creates a version in TRAINING_IN_PROGRESS, named v<N> after the project's highest. */
  createVersion(projectId: number, init: { backbone: string; params: Record<string, unknown>; seed: number }): Version {
    const create = this.db.transaction(() => {
      const rows = this.db.prepare('SELECT name FROM versions WHERE project_id = ?').all(projectId) as { name: string }[];
      const highest = rows.reduce((max, row) => Math.max(max, Number(row.name.slice(1)) || 0), 0);
      const name = `v${highest + 1}`;
      const info = this.db
        .prepare(`INSERT INTO versions (project_id, name, status, backbone, params, seed, pid, created_at)
                  VALUES (?, ?, 'TRAINING_IN_PROGRESS', ?, ?, ?, ?, ?)`)
        .run(projectId, name, init.backbone, JSON.stringify(init.params), init.seed, process.pid, now());
      return Number(info.lastInsertRowid);
    });
    return this.getVersionById(create());
  }

  getVersionById(id: number): Version {
    const row = this.db
      .prepare('SELECT v.*, p.name AS project FROM versions v JOIN projects p ON p.id = v.project_id WHERE v.id = ?')
      .get(id) as VersionRow | undefined;
    if (!row) throw new SkulensError('ERR_VERSION_NOT_FOUND', { version: `#${id}` });
    return toVersion(row);
  }

  getVersion(project: string, name: string): Version {
    const row = this.db
      .prepare('SELECT v.*, p.name AS project FROM versions v JOIN projects p ON p.id = v.project_id WHERE p.name = ? AND v.name = ?')
      .get(project, name) as VersionRow | undefined;
    if (!row) throw new SkulensError('ERR_VERSION_NOT_FOUND', { version: `${project}/${name}` });
    return toVersion(row);
  }

  listVersions(projectId: number): Version[] {
    const rows = this.db
      .prepare('SELECT v.*, p.name AS project FROM versions v JOIN projects p ON p.id = v.project_id WHERE v.project_id = ? ORDER BY v.id')
      .all(projectId) as VersionRow[];
    return rows.map(toVersion);
  }

  /** Marks a training complete with its artefact folder and metrics, in one statement. */
  completeVersion(id: number, result: { dir: string; metrics: Record<string, unknown> }): Version {
    this.db
      .prepare(`UPDATE versions SET status = 'TRAINING_COMPLETED', status_message = NULL, dir = ?, metrics = ?, pid = NULL, completed_at = ? WHERE id = ?`)
      .run(result.dir, JSON.stringify(result.metrics), now(), id);
    return this.getVersionById(id);
  }

  setVersionStatus(id: number, status: VersionStatus, message: string | null = null): void {
    this.db
      .prepare(`UPDATE versions SET status = ?, status_message = ?, pid = CASE WHEN ? = 'TRAINING_IN_PROGRESS' THEN pid ELSE NULL END WHERE id = ?`)
      .run(status, message, status, id);
  }

  deleteVersion(id: number): void {
    this.db.prepare('DELETE FROM versions WHERE id = ?').run(id);
  }

  /** One page of a project's entries in a stable order (label, sha256), for paginated listings. */
  listEntriesPage(projectId: number, filter: { split?: Split; label?: string; offset: number; limit: number }): Entry[] {
    const clauses = ['project_id = @projectId'];
    if (filter.split) clauses.push('split = @split');
    if (filter.label) clauses.push('label = @label');
    const rows = this.db
      .prepare(`SELECT * FROM entries WHERE ${clauses.join(' AND ')} ORDER BY label, sha256 LIMIT @limit OFFSET @offset`)
      .all({ projectId, split: filter.split, label: filter.label, limit: filter.limit, offset: filter.offset }) as EntryRow[];
    return rows.map(toEntry);
  }

  /** Entry counts per split and label, without loading the entries. */
  entryCounts(projectId: number): { split: Split; label: string; count: number }[] {
    return this.db
      .prepare('SELECT split, label, COUNT(*) AS count FROM entries WHERE project_id = ? GROUP BY split, label ORDER BY split, label')
      .all(projectId) as { split: Split; label: string; count: number }[];
  }

  // ---- API keys (src/auth owns what the columns mean) ----

  addApiKey(key: { id: string; secretSha256: string; secretSealed: string; description: string | null }): void {
    this.db
      .prepare('INSERT INTO api_keys (id, secret_sha256, secret_sealed, description, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(key.id, key.secretSha256, key.secretSealed, key.description, now());
  }

  findApiKey(id: string): { id: string; secretSha256: string; secretSealed: string; description: string | null; createdAt: string } | undefined {
    const row = this.db.prepare('SELECT * FROM api_keys WHERE id = ?').get(id) as
      | { id: string; secret_sha256: string; secret_sealed: string; description: string | null; created_at: string }
      | undefined;
    return row && { id: row.id, secretSha256: row.secret_sha256, secretSealed: row.secret_sealed, description: row.description, createdAt: row.created_at };
  }

  listApiKeys(): { id: string; description: string | null; createdAt: string }[] {
    const rows = this.db.prepare('SELECT id, description, created_at FROM api_keys ORDER BY created_at, id').all() as {
      id: string;
      description: string | null;
      created_at: string;
    }[];
    return rows.map((row) => ({ id: row.id, description: row.description, createdAt: row.created_at }));
  }

  /** Deletes a key; false when there was none with that id. */
  deleteApiKey(id: string): boolean {
    return this.db.prepare('DELETE FROM api_keys WHERE id = ?').run(id).changes > 0;
  }
}
