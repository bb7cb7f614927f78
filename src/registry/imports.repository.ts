// The dataset_imports table: the last import into each side (train, test) of a project's dataset, with
// its status, so DescribeDataset survives a restart and an import cut short by a kill reads as FAILED.
import type Database from 'better-sqlite3';
import { processAlive } from '../home/index.js';
import { now } from './rows.js';
import type { Split } from './types.js';

export type DatasetImportStatus = 'CREATE_IN_PROGRESS' | 'CREATE_COMPLETE' | 'CREATE_FAILED' | 'UPDATE_IN_PROGRESS' | 'UPDATE_COMPLETE' | 'UPDATE_FAILED';

/** One side's last import. Timestamps are ISO strings. */
export interface DatasetImport {
  projectId: number;
  split: Split;
  status: DatasetImportStatus;
  message: string | null;
  errorEntries: number;
  createdAt: string;
  updatedAt: string;
}

type ImportRow = { project_id: number; split: Split; status: DatasetImportStatus; message: string | null; error_entries: number; pid: number | null; created_at: string; updated_at: string };

const toImport = (row: ImportRow): DatasetImport => ({
  projectId: row.project_id,
  split: row.split,
  status: row.status,
  message: row.message,
  errorEntries: row.error_entries,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export class DatasetImportRepository {
  constructor(private readonly db: Database.Database) {}

  find(projectId: number, split: Split): DatasetImport | undefined {
    const row = this.db.prepare('SELECT * FROM dataset_imports WHERE project_id = ? AND split = ?').get(projectId, split) as ImportRow | undefined;
    return row && toImport(row);
  }

  /** Records an import starting now in process `pid` (CREATE_ the first time, UPDATE_ after). */
  begin(projectId: number, split: Split, pid: number): DatasetImport {
    const previous = this.find(projectId, split);
    const at = now();
    const status: DatasetImportStatus = previous ? 'UPDATE_IN_PROGRESS' : 'CREATE_IN_PROGRESS';
    this.db
      .prepare(
        `INSERT INTO dataset_imports (project_id, split, status, message, error_entries, pid, created_at, updated_at) VALUES (?, ?, ?, NULL, 0, ?, ?, ?)
         ON CONFLICT (project_id, split) DO UPDATE SET status = excluded.status, message = NULL, error_entries = 0, pid = excluded.pid, updated_at = excluded.updated_at`,
      )
      .run(projectId, split, status, pid, at, at);
    return this.find(projectId, split)!;
  }

  /** Ends the running import of a side: COMPLETE or FAILED with a message. */
  finish(projectId: number, split: Split, outcome: { ok: boolean; message: string; errorEntries?: number }): void {
    const row = this.find(projectId, split);
    if (!row) return;
    const verb = row.status.startsWith('UPDATE') ? 'UPDATE' : 'CREATE';
    this.db
      .prepare('UPDATE dataset_imports SET status = ?, message = ?, error_entries = ?, pid = NULL, updated_at = ? WHERE project_id = ? AND split = ?')
      .run(`${verb}_${outcome.ok ? 'COMPLETE' : 'FAILED'}`, outcome.message, outcome.errorEntries ?? 0, now(), projectId, split);
  }

  /** Marks imports whose process is gone (killed server) as FAILED. Run when the registry opens. */
  failAbandoned(): void {
    const rows = this.db.prepare(`SELECT * FROM dataset_imports WHERE status LIKE '%_IN_PROGRESS'`).all() as ImportRow[];
    for (const row of rows) {
      if (row.pid !== null && processAlive(row.pid)) continue;
      this.finish(row.project_id, row.split, { ok: false, message: 'The import stopped before it finished (the server was stopped or killed); import again' });
    }
  }
}
