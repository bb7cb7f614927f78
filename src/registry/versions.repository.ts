// The model versions of projects: create (named v<N> from a per-project counter that never goes back,
// so a deleted version's name is never given to another model), status changes, completion, deletion,
// and the one place a version name or ARN is resolved to a stored version.
import type Database from 'better-sqlite3';
import { SkulensError } from '../errors.js';
import { processAlive } from '../home/index.js';
import { parseVersionRef } from './arns.js';
import { now, toVersion, type VersionRow } from './rows.js';
import type { Version, VersionStatus } from './types.js';

const SELECT = 'SELECT v.*, p.name AS project FROM versions v JOIN projects p ON p.id = v.project_id';

export class VersionRepository {
  constructor(private readonly db: Database.Database) {}

  /** Creates a version in TRAINING_IN_PROGRESS, named v<N+1> where N is the highest number the project ever used. */
  create(projectId: number, init: { backbone: string; params: Record<string, unknown>; seed: number }): Version {
    const create = this.db.transaction(() => {
      this.db.prepare('UPDATE projects SET last_version = last_version + 1 WHERE id = ?').run(projectId);
      const { last_version: number } = this.db.prepare('SELECT last_version FROM projects WHERE id = ?').get(projectId) as { last_version: number };
      const info = this.db
        .prepare(`INSERT INTO versions (project_id, name, status, backbone, params, seed, pid, created_at)
                  VALUES (?, ?, 'TRAINING_IN_PROGRESS', ?, ?, ?, ?, ?)`)
        .run(projectId, `v${number}`, init.backbone, JSON.stringify(init.params), init.seed, process.pid, now());
      return Number(info.lastInsertRowid);
    });
    return this.byId(create());
  }

  byId(id: number): Version {
    const row = this.db.prepare(`${SELECT} WHERE v.id = ?`).get(id) as VersionRow | undefined;
    if (!row) throw new SkulensError('ERR_VERSION_NOT_FOUND', { version: `#${id}` });
    return toVersion(row);
  }

  /** @throws SkulensError ERR_VERSION_NOT_FOUND */
  get(project: string, name: string): Version {
    const row = this.db.prepare(`${SELECT} WHERE p.name = ? AND v.name = ?`).get(project, name) as VersionRow | undefined;
    if (!row) throw new SkulensError('ERR_VERSION_NOT_FOUND', { version: `${project}/${name}` });
    return toVersion(row);
  }

  /**
   * The version a client named: `<project>/v<N>` or a ProjectVersionArn. An ARN whose creation time is not
   * the stored version's (a deleted version's, or one of a deleted project's) is refused, never matched
   * to a namesake. CLI, HTTP and batch all resolve through here.
   *
   * @throws SkulensError ERR_VERSION_ID_INVALID, ERR_VERSION_NOT_FOUND
   */
  resolve(text: string): Version {
    const ref = parseVersionRef(text);
    const version = this.get(ref.project, ref.name);
    if (ref.createdMs !== undefined && ref.createdMs !== Date.parse(version.createdAt)) {
      throw new SkulensError('ERR_VERSION_NOT_FOUND', { version: text });
    }
    return version;
  }

  /**
   * A version named within a project: `v3` (or a version name) means project `project`'s; `<project>/v3` and
   * ARNs name their own project, as {@link resolve}.
   *
   * @throws SkulensError ERR_VERSION_ID_INVALID, ERR_VERSION_NOT_FOUND
   */
  resolveIn(project: string, text: string): Version {
    return this.resolve(text.includes('/') || text.startsWith('arn:') ? text : `${project}/${text}`);
  }

  list(projectId: number): Version[] {
    return (this.db.prepare(`${SELECT} WHERE v.project_id = ? ORDER BY v.id`).all(projectId) as VersionRow[]).map(toVersion);
  }

  /** Marks a training complete with its artefact folder and metrics, in one statement. */
  complete(id: number, result: { dir: string; metrics: Record<string, unknown> }): Version {
    this.db
      .prepare(`UPDATE versions SET status = 'TRAINING_COMPLETED', status_message = NULL, dir = ?, metrics = ?, pid = NULL, completed_at = ? WHERE id = ?`)
      .run(result.dir, JSON.stringify(result.metrics), now(), id);
    return this.byId(id);
  }

  setStatus(id: number, status: VersionStatus, message: string | null = null): void {
    this.db
      .prepare(`UPDATE versions SET status = ?, status_message = ?, pid = CASE WHEN ? = 'TRAINING_IN_PROGRESS' THEN pid ELSE NULL END WHERE id = ?`)
      .run(status, message, status, id);
  }

  /**
   * Records whether `id` should run (a start or a stop was asked). Servers on the home start and stop their
   * versions to match (ModelHost.reconcile), at once for their own API calls and on their next poll for the CLI.
   */
  setKeepRunning(id: number, keep: boolean): void {
    this.db.prepare('UPDATE versions SET keep_running = ? WHERE id = ?').run(keep ? 1 : 0, id);
  }

  /** Every version of every project, oldest first: what a server compares with what it holds. */
  all(): Version[] {
    return (this.db.prepare(`${SELECT} ORDER BY v.id`).all() as VersionRow[]).map(toVersion);
  }

  /** Deletes the row; its number stays used (the project's counter does not go back). */
  delete(id: number): void {
    this.db.prepare('DELETE FROM versions WHERE id = ?').run(id);
  }

  /** A training whose process died (killed, crashed) can never finish: mark it failed. */
  failAbandoned(): void {
    const rows = this.db.prepare(`SELECT id, pid FROM versions WHERE status = 'TRAINING_IN_PROGRESS'`).all() as { id: number; pid: number | null }[];
    for (const row of rows) {
      if (row.pid !== null && !processAlive(row.pid)) this.setStatus(row.id, 'TRAINING_FAILED', 'The training process stopped before it finished');
    }
  }

}
