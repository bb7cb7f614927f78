// The review aggregate of a project: its capture setting for uncertain predictions (stored as JSON; the
// review domain owns its schema) and the captured predictions awaiting a person, queued by uncertainty.
import type Database from 'better-sqlite3';
import { SkulensError } from '../errors.js';
import { now } from './rows.js';

export type UncertainStatus = 'pending' | 'confirmed' | 'corrected' | 'dismissed';

/** One captured prediction: the image (by content hash, stored under the home's review folder) and the answer it got. */
export interface UncertainPrediction {
  id: number;
  projectId: number;
  /** The version that answered (short name, e.g. v3). */
  version: string;
  sha256: string;
  /** The stored image, relative to the home's root. */
  file: string;
  bytes: number;
  /** Where the image came from: `DetectCustomLabels`, or the batch's image path. */
  source: string;
  topLabel: string | null;
  /** Top probability, 0-1. */
  confidence: number;
  /** Top minus second probability, 0-1. */
  margin: number;
  /** 1 - margin: the queue's sort key, most uncertain first. */
  uncertainty: number;
  /** The answer served (CustomLabels). */
  answer: unknown;
  status: UncertainStatus;
  /** The label a person gave (confirmed or corrected). */
  label: string | null;
  resolvedBy: string | null;
  resolvedAt: string | null;
  createdAt: string;
}

export type NewUncertainPrediction = Pick<UncertainPrediction, 'version' | 'sha256' | 'file' | 'bytes' | 'source' | 'topLabel' | 'confidence' | 'margin' | 'uncertainty' | 'answer'>;

interface Row {
  id: number;
  project_id: number;
  version: string;
  sha256: string;
  file: string;
  bytes: number;
  source: string;
  top_label: string | null;
  confidence: number;
  margin: number;
  uncertainty: number;
  answer: string;
  status: UncertainStatus;
  label: string | null;
  resolved_by: string | null;
  resolved_at: string | null;
  created_at: string;
}

const toPrediction = (r: Row): UncertainPrediction => ({
  id: r.id,
  projectId: r.project_id,
  version: r.version,
  sha256: r.sha256,
  file: r.file,
  bytes: r.bytes,
  source: r.source,
  topLabel: r.top_label,
  confidence: r.confidence,
  margin: r.margin,
  uncertainty: r.uncertainty,
  answer: JSON.parse(r.answer) as unknown,
  status: r.status,
  label: r.label,
  resolvedBy: r.resolved_by,
  resolvedAt: r.resolved_at,
  createdAt: r.created_at,
});

export class ReviewRepository {
  constructor(private readonly db: Database.Database) {}

  /** The project's stored capture setting (JSON the review domain parses), or null when never set. */
  settings(projectId: number): unknown {
    const row = this.db.prepare('SELECT settings FROM review_settings WHERE project_id = ?').get(projectId) as { settings: string } | undefined;
    return row ? (JSON.parse(row.settings) as unknown) : null;
  }

  setSettings(projectId: number, settings: unknown): void {
    this.db
      .prepare(`INSERT INTO review_settings (project_id, settings, updated_at) VALUES (?, ?, ?)
                ON CONFLICT (project_id) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at`)
      .run(projectId, JSON.stringify(settings), now());
  }

  /** Queues a captured prediction; an image already captured for the project is not queued twice. Returns it, or null when it was there. */
  capture(projectId: number, item: NewUncertainPrediction, at = now()): UncertainPrediction | null {
    const result = this.db
      .prepare(`INSERT OR IGNORE INTO uncertain_predictions (project_id, version, sha256, file, bytes, source, top_label, confidence, margin, uncertainty, answer, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
      .run(projectId, item.version, item.sha256, item.file, item.bytes, item.source, item.topLabel, item.confidence, item.margin, item.uncertainty, JSON.stringify(item.answer), at);
    return result.changes === 0 ? null : this.get(projectId, Number(result.lastInsertRowid));
  }

  /** One captured prediction, or ERR_REVIEW_ITEM_NOT_FOUND. */
  get(projectId: number, id: number): UncertainPrediction {
    const row = this.db.prepare('SELECT * FROM uncertain_predictions WHERE project_id = ? AND id = ?').get(projectId, id) as Row | undefined;
    if (!row) throw new SkulensError('ERR_REVIEW_ITEM_NOT_FOUND', { item: String(id) });
    return toPrediction(row);
  }

  /** The queue: pending predictions (or those of `status`), most uncertain first. */
  list(projectId: number, options: { status?: UncertainStatus; limit?: number; offset?: number } = {}): UncertainPrediction[] {
    const rows = this.db
      .prepare('SELECT * FROM uncertain_predictions WHERE project_id = ? AND status = ? ORDER BY uncertainty DESC, id LIMIT ? OFFSET ?')
      .all(projectId, options.status ?? 'pending', options.limit ?? 100, options.offset ?? 0) as Row[];
    return rows.map(toPrediction);
  }

  /** Pending count and stored bytes of a project's captures (pending ones keep their image). */
  totals(projectId: number): { pending: number; bytes: number } {
    return this.db
      .prepare("SELECT COUNT(*) AS pending, COALESCE(SUM(bytes), 0) AS bytes FROM uncertain_predictions WHERE project_id = ? AND status = 'pending'")
      .get(projectId) as { pending: number; bytes: number };
  }

  /** Marks a prediction answered by a person. */
  resolve(projectId: number, id: number, status: Exclude<UncertainStatus, 'pending'>, label: string | null, by: string): UncertainPrediction {
    this.db.prepare('UPDATE uncertain_predictions SET status = ?, label = ?, resolved_by = ?, resolved_at = ? WHERE project_id = ? AND id = ?').run(status, label, by, now(), projectId, id);
    return this.get(projectId, id);
  }

  /** Pending predictions captured before `before` (ISO time), oldest first: what a retention period drops. */
  pendingBefore(projectId: number, before: string): UncertainPrediction[] {
    return (this.db.prepare("SELECT * FROM uncertain_predictions WHERE project_id = ? AND status = 'pending' AND created_at < ? ORDER BY id").all(projectId, before) as Row[]).map(toPrediction);
  }

  /** Deletes predictions by id. */
  delete(ids: readonly number[]): void {
    const del = this.db.prepare('DELETE FROM uncertain_predictions WHERE id = ?');
    this.db.transaction(() => ids.forEach((id) => del.run(id)))();
  }

  /** Whether a pending capture (any project) still needs the stored image `file`. */
  fileInUse(file: string): boolean {
    return this.db.prepare("SELECT 1 FROM uncertain_predictions WHERE file = ? AND status = 'pending' LIMIT 1").get(file) !== undefined;
  }
}
