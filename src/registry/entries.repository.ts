// The dataset aggregate of a project: its entries (one image under one label, in one split) and the
// issues its imports recorded (skipped files, bad lines, duplicates). Listings come in (label, sha256)
// order straight from an index (the schema's paging step), so a page of 250,000 entries sorts nothing.
import type Database from 'better-sqlite3';
import { now, toEntry, type EntryRow } from './rows.js';
import type { Entry, ImportIssue, NewEntry, Split } from './types.js';

export class EntryRepository {
  constructor(private readonly db: Database.Database) {}

  /** The entry of one image under one label, if the project has it. */
  find(projectId: number, sha256: string, label: string): Entry | undefined {
    const row = this.db.prepare('SELECT * FROM entries WHERE project_id = ? AND sha256 = ? AND label = ?').get(projectId, sha256, label) as EntryRow | undefined;
    return row && toEntry(row);
  }

  /** Whether any entry of any project keeps the blob at `blob` (relative to the home's root). */
  blobInUse(blob: string): boolean {
    return this.db.prepare('SELECT 1 FROM entries WHERE blob = ? LIMIT 1').get(blob) !== undefined;
  }

  has(projectId: number, sha256: string, label: string): boolean {
    return this.db.prepare('SELECT 1 FROM entries WHERE project_id = ? AND sha256 = ? AND label = ?').get(projectId, sha256, label) !== undefined;
  }

  /** Inserts entries in one transaction; an entry already present (same image, same label) is skipped. Returns how many were new. */
  add(projectId: number, entries: readonly NewEntry[]): number {
    const insert = this.db.prepare(`INSERT OR IGNORE INTO entries
      (project_id, sha256, blob, source, label, split, split_origin, format, width, height, bytes, dhash, metadata, imported_at)
      VALUES (@projectId, @sha256, @blob, @source, @label, @split, @splitOrigin, @format, @width, @height, @bytes, @dhash, @metadata, @importedAt)`);
    const run = this.db.transaction((rows: readonly NewEntry[]) => {
      let added = 0;
      const importedAt = now();
      for (const entry of rows) {
        added += insert.run({ ...entry, projectId, metadata: entry.metadata === null ? null : JSON.stringify(entry.metadata), importedAt }).changes;
      }
      return added;
    });
    return run(entries);
  }

  list(projectId: number, filter: { split?: Split; label?: string } = {}): Entry[] {
    const rows = this.db
      .prepare(`SELECT * FROM entries WHERE ${where(filter)} ORDER BY label, sha256`)
      .all({ projectId, split: filter.split, label: filter.label }) as EntryRow[];
    return rows.map(toEntry);
  }

  /**
   * The page after entry `after` (keyset paging: as fast for the last page as for the first), in the
   * order of {@link page}. Give the last entry of a page to get the next; none for the first.
   */
  pageAfter(projectId: number, filter: { split?: Split; label?: string; after?: { label: string; sha256: string }; limit: number }): Entry[] {
    const after = filter.after ? ' AND (label, sha256) > (@afterLabel, @afterSha)' : '';
    const rows = this.db
      .prepare(`SELECT * FROM entries WHERE ${where(filter)}${after} ORDER BY label, sha256 LIMIT @limit`)
      .all({ projectId, split: filter.split, label: filter.label, afterLabel: filter.after?.label, afterSha: filter.after?.sha256, limit: filter.limit }) as EntryRow[];
    return rows.map(toEntry);
  }

  /** One page of a project's entries in a stable order (label, sha256), for paginated listings. */
  page(projectId: number, filter: { split?: Split; label?: string; offset: number; limit: number }): Entry[] {
    const rows = this.db
      .prepare(`SELECT * FROM entries WHERE ${where(filter)} ORDER BY label, sha256 LIMIT @limit OFFSET @offset`)
      .all({ projectId, split: filter.split, label: filter.label, limit: filter.limit, offset: filter.offset }) as EntryRow[];
    return rows.map(toEntry);
  }

  /** Entry counts per split and label, without loading the entries. */
  counts(projectId: number): { split: Split; label: string; count: number }[] {
    return this.db
      .prepare('SELECT split, label, COUNT(*) AS count FROM entries WHERE project_id = ? GROUP BY split, label ORDER BY split, label')
      .all(projectId) as { split: Split; label: string; count: number }[];
  }

  /** Sets the split of entries by id, in one transaction. */
  setSplits(updates: readonly { id: number; split: Split }[]): void {
    const update = this.db.prepare('UPDATE entries SET split = ? WHERE id = ?');
    this.db.transaction(() => {
      for (const { id, split } of updates) update.run(split, id);
    })();
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
    return this.db.prepare('SELECT origin, file, line, kind, code, reason, related FROM import_issues WHERE project_id = ? ORDER BY id').all(projectId) as (ImportIssue & {
      origin: string;
    })[];
  }
}

function where(filter: { split?: Split; label?: string }): string {
  const clauses = ['project_id = @projectId'];
  if (filter.split) clauses.push('split = @split');
  if (filter.label) clauses.push('label = @label');
  return clauses.join(' AND ');
}
