// The projects table: create, find, list and delete projects (deleting one cascades to its entries,
// import issues, versions, version counter and taxonomy), and each project's label type.
import type Database from 'better-sqlite3';
import { SkulensError } from '../errors.js';
import type { LabelType } from '../labels/index.js';
import { now } from './rows.js';
import type { Project } from './types.js';

const PROJECT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

type ProjectRow = { id: number; name: string; created_at: string };
const toProject = (row: ProjectRow): Project => ({ id: row.id, name: row.name, createdAt: row.created_at });

export class ProjectRepository {
  constructor(private readonly db: Database.Database) {}

  /**
   * Creates a project; `labelType` (default single) is fixed for its life.
   * @throws SkulensError ERR_PROJECT_NAME_INVALID, ERR_PROJECT_EXISTS
   */
  create(name: string, labelType: LabelType = 'single'): Project {
    if (!PROJECT_NAME.test(name)) throw new SkulensError('ERR_PROJECT_NAME_INVALID', { project: name });
    // One timestamp for the row and the returned project: ARNs are built from it.
    const createdAt = now();
    try {
      const info = this.db.prepare('INSERT INTO projects (name, created_at, label_type) VALUES (?, ?, ?)').run(name, createdAt, labelType);
      return { id: Number(info.lastInsertRowid), name, createdAt };
    } catch (error) {
      if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') {
        throw new SkulensError('ERR_PROJECT_EXISTS', { project: name }, { cause: error });
      }
      throw error;
    }
  }

  find(name: string): Project | undefined {
    const row = this.db.prepare('SELECT id, name, created_at FROM projects WHERE name = ?').get(name) as ProjectRow | undefined;
    return row && toProject(row);
  }

  /** @throws SkulensError ERR_PROJECT_NOT_FOUND */
  get(name: string): Project {
    const project = this.find(name);
    if (!project) throw new SkulensError('ERR_PROJECT_NOT_FOUND', { project: name });
    return project;
  }

  list(): Project[] {
    return (this.db.prepare('SELECT id, name, created_at FROM projects ORDER BY name').all() as ProjectRow[]).map(toProject);
  }

  /** The label type the project was created with: single, multi or groups. */
  labelType(projectId: number): LabelType {
    const row = this.db.prepare('SELECT label_type FROM projects WHERE id = ?').get(projectId) as { label_type: LabelType } | undefined;
    return row?.label_type ?? 'single';
  }

  /** The seed the project's automatic split is drawn with (set by `datasets distribute --seed`), or undefined for the default. */
  splitSeed(projectId: number): number | undefined {
    const row = this.db.prepare('SELECT split_seed FROM projects WHERE id = ?').get(projectId) as { split_seed: number | null } | undefined;
    return row?.split_seed ?? undefined;
  }

  setSplitSeed(projectId: number, seed: number): void {
    this.db.prepare('UPDATE projects SET split_seed = ? WHERE id = ?').run(seed, projectId);
  }

  delete(name: string): void {
    this.db.prepare('DELETE FROM projects WHERE id = ?').run(this.get(name).id);
  }
}
