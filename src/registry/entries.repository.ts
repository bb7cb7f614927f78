// The dataset aggregate of a project: its entries (one image under one label, in one split) and the
// issues its imports recorded (skipped files, bad lines, duplicates). Listings come in (label, sha256)
// order straight from an index (the schema's paging step), so a page of 250,000 entries sorts nothing.
// Relabel, remove, keep and reviewed additions go through here and each leaves a row in entry_changes
// (who, when, from where, and the entry as it was), so a review can be audited and undone by hand.
import type Database from 'better-sqlite3';
import { SkulensError } from '../errors.js';
import { now, toEntry, type EntryRow } from './rows.js';
import type { Entry, EntryChange, EntryChangeAction, ChangeOrigin, ImportIssue, NewEntry, Split } from './types.js';

export class EntryRepository {
  constructor(private readonly db: Database.Database) {}

  /** The entry of one image under one label, if the project has it. */
  find(projectId: number, sha256: string, label: string): Entry | undefined {
    const row = this.db.prepare('SELECT * FROM entries WHERE project_id = ? AND sha256 = ? AND label = ?').get(projectId, sha256, label) as EntryRow | undefined;
    return row && toEntry(row);
  }

  /** One entry by id, or ERR_ENTRY_NOT_FOUND. */
  get(projectId: number, id: number): Entry {
    const row = this.db.prepare('SELECT * FROM entries WHERE project_id = ? AND id = ?').get(projectId, id) as EntryRow | undefined;
    if (!row) throw new SkulensError('ERR_ENTRY_NOT_FOUND', { entry: String(id) });
    return toEntry(row);
  }

  /** The entries of one image (every label it has) in a project. */
  ofImage(projectId: number, sha256: string): Entry[] {
    return (this.db.prepare('SELECT * FROM entries WHERE project_id = ? AND sha256 = ? ORDER BY label').all(projectId, sha256) as EntryRow[]).map(toEntry);
  }

  /**
   * Whether the blob at `blob` (relative to the home's root) is still needed: an entry of any project
   * keeps it, or a removed entry had it while a version that may have trained on it (one created before
   * the removal) still exists.
   */
  blobInUse(blob: string): boolean {
    if (this.db.prepare('SELECT 1 FROM entries WHERE blob = ? LIMIT 1').get(blob) !== undefined) return true;
    return (
      this.db
        .prepare(`SELECT 1 FROM entry_changes c JOIN versions v ON v.project_id = c.project_id AND v.created_at <= c.at
                  WHERE c.blob = ? AND c.action = 'remove' LIMIT 1`)
        .get(blob) !== undefined
    );
  }

  /**
   * Gives entry `id` the label `label`, recording the change. When the image already has an entry under
   * `label`, the old entry is removed instead (one image, one entry a label). Returns the entry now held.
   */
  relabel(projectId: number, id: number, label: string, by: { actor: string; origin: ChangeOrigin }): Entry {
    return this.db.transaction(() => {
      const entry = this.get(projectId, id);
      if (entry.label === label) return entry;
      this.record(entry, 'relabel', label, by);
      const existing = this.find(projectId, entry.sha256, label);
      if (existing) {
        this.db.prepare('DELETE FROM entries WHERE id = ?').run(id);
        return existing;
      }
      this.db.prepare('UPDATE entries SET label = ? WHERE id = ?').run(label, id);
      return this.get(projectId, id);
    })();
  }

  /** Removes entry `id` from the dataset, recording it whole. Its blob stays while a version may use it (see blobInUse). */
  remove(projectId: number, id: number, by: { actor: string; origin: ChangeOrigin }): Entry {
    return this.db.transaction(() => {
      const entry = this.get(projectId, id);
      this.record(entry, 'remove', null, by);
      this.db.prepare('DELETE FROM entries WHERE id = ?').run(id);
      return entry;
    })();
  }

  /** Records that a person looked at entry `id` and kept its label (the finder stops listing it). */
  keep(projectId: number, id: number, by: { actor: string; origin: ChangeOrigin }): Entry {
    const entry = this.get(projectId, id);
    this.record(entry, 'keep', entry.label, by);
    return entry;
  }

  /** Adds one reviewed entry (a confirmed capture), recording where it came from. Returns it, or the entry already there. */
  addReviewed(projectId: number, entry: NewEntry, by: { actor: string; origin: ChangeOrigin }): Entry {
    return this.db.transaction(() => {
      this.add(projectId, [entry]);
      const added = this.find(projectId, entry.sha256, entry.label)!;
      this.record(added, 'add', entry.label, by);
      return added;
    })();
  }

  /** The recorded changes of a project (or of one image), oldest first. */
  changes(projectId: number, filter: { sha256?: string; action?: EntryChangeAction } = {}): EntryChange[] {
    const clauses = ['project_id = @projectId'];
    if (filter.sha256) clauses.push('sha256 = @sha256');
    if (filter.action) clauses.push('action = @action');
    const rows = this.db.prepare(`SELECT * FROM entry_changes WHERE ${clauses.join(' AND ')} ORDER BY id`).all({ projectId, ...filter }) as ChangeRow[];
    return rows.map((r) => ({
      id: r.id,
      entryId: r.entry_id,
      sha256: r.sha256,
      blob: r.blob,
      action: r.action,
      oldLabel: r.old_label,
      newLabel: r.new_label,
      entry: r.entry === null ? null : (JSON.parse(r.entry) as Entry),
      actor: r.actor,
      origin: r.origin,
      at: r.at,
    }));
  }

  private record(entry: Entry, action: EntryChangeAction, newLabel: string | null, by: { actor: string; origin: ChangeOrigin }): void {
    this.db
      .prepare(`INSERT INTO entry_changes (project_id, entry_id, sha256, blob, action, old_label, new_label, entry, actor, origin, at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
      .run(entry.projectId, entry.id, entry.sha256, entry.blob, action, action === 'add' ? null : entry.label, newLabel, JSON.stringify(entry), by.actor, by.origin, now());
  }

  has(projectId: number, sha256: string, label: string): boolean {
    return this.db.prepare('SELECT 1 FROM entries WHERE project_id = ? AND sha256 = ? AND label = ?').get(projectId, sha256, label) !== undefined;
  }

  /** Inserts entries in one transaction; an entry already present (same image, same label) is skipped. Returns how many were new. */
  add(projectId: number, entries: readonly NewEntry[]): number {
    // An automatically split entry waits for its draw (drawPendingSplit, at the end of its import).
    const insert = this.db.prepare(`INSERT OR IGNORE INTO entries
      (project_id, sha256, blob, source, label, split, split_origin, format, width, height, bytes, dhash, metadata, imported_at, split_pending)
      VALUES (@projectId, @sha256, @blob, @source, @label, @split, @splitOrigin, @format, @width, @height, @bytes, @dhash, @metadata, @importedAt, @splitOrigin = 'auto')`);
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

  /** Ids of the automatically split entries not drawn yet (imported since the last draw). */
  pendingSplit(projectId: number): Set<number> {
    const rows = this.db.prepare('SELECT id FROM entries WHERE project_id = ? AND split_pending = 1').all(projectId) as { id: number }[];
    return new Set(rows.map((r) => r.id));
  }

  /** Sets the split of entries by id (which settles a pending draw), in one transaction. */
  setSplits(updates: readonly { id: number; split: Split }[]): void {
    const update = this.db.prepare('UPDATE entries SET split = ?, split_pending = 0 WHERE id = ?');
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

  /**
   * The import issues of a project per kind: how many, and the first `limit` of each in import order.
   * SQLite counts and picks them, so a report on 60,000 issues moves 200 a kind into JavaScript, not all.
   */
  importIssueSample(projectId: number, limit: number): { kind: string; count: number; issues: (ImportIssue & { origin: string })[] }[] {
    const counts = this.db.prepare('SELECT kind, COUNT(*) AS count FROM import_issues WHERE project_id = ? GROUP BY kind').all(projectId) as { kind: string; count: number }[];
    const first = this.db.prepare('SELECT origin, file, line, kind, code, reason, related FROM import_issues WHERE project_id = ? AND kind = ? ORDER BY id LIMIT ?');
    return counts.map(({ kind, count }) => ({ kind, count, issues: first.all(projectId, kind, limit) as (ImportIssue & { origin: string })[] }));
  }
}

interface ChangeRow {
  id: number;
  entry_id: number | null;
  sha256: string;
  blob: string;
  action: EntryChangeAction;
  old_label: string | null;
  new_label: string | null;
  entry: string | null;
  actor: string;
  origin: ChangeOrigin;
  at: string;
}

function where(filter: { split?: Split; label?: string }): string {
  const clauses = ['project_id = @projectId'];
  if (filter.split) clauses.push('split = @split');
  if (filter.label) clauses.push('label = @label');
  return clauses.join(' AND ');
}
