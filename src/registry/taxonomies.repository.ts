// The taxonomy of each project (one row, replaced whole): which parents each label is filed under.
// A version records the one it was trained with (model.json) and answers with that one.
import type Database from 'better-sqlite3';
import { TaxonomySchema, type Taxonomy } from '../labels/index.js';
import { now } from './rows.js';

export class TaxonomyRepository {
  constructor(private readonly db: Database.Database) {}

  /** The project's taxonomy, or null when it has none. */
  get(projectId: number): Taxonomy | null {
    const row = this.db.prepare('SELECT levels, parents FROM label_taxonomies WHERE project_id = ?').get(projectId) as { levels: string; parents: string } | undefined;
    return row ? TaxonomySchema.parse({ levels: JSON.parse(row.levels), parents: JSON.parse(row.parents) }) : null;
  }

  /** Replaces the project's taxonomy. */
  set(projectId: number, taxonomy: Taxonomy): void {
    this.db
      .prepare(`INSERT INTO label_taxonomies (project_id, levels, parents, updated_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (project_id) DO UPDATE SET levels = excluded.levels, parents = excluded.parents, updated_at = excluded.updated_at`)
      .run(projectId, JSON.stringify(taxonomy.levels), JSON.stringify(taxonomy.parents), now());
  }

  /** Removes the project's taxonomy (versions trained after answer flat labels; earlier ones keep theirs). */
  clear(projectId: number): void {
    this.db.prepare('DELETE FROM label_taxonomies WHERE project_id = ?').run(projectId);
  }
}
