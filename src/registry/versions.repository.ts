// The model versions of projects: create (named v<N> from a per-project counter that never goes back,
// so a deleted version's number is never given to another model, or with the name a client reserved),
// status changes, completion, deletion, and the one place a version name or ARN is resolved to a stored version.
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { SkulensError } from '../errors.js';
import { processAlive } from '../home/index.js';
import { isVersionName, parseVersionRef, versionNumber } from './arns.js';
import { now, toVersion, type VersionRow } from './rows.js';
import type { Version, VersionStatus } from './types.js';

const SELECT = 'SELECT v.*, p.name AS project FROM versions v JOIN projects p ON p.id = v.project_id';

/**
 * The environment variable that hands a training child its name reservation. The job that creates the row
 * runs in the child (src/jobs, through the one create() below), so the name travels with the process that
 * will use it: a token the server made in {@link VersionRepository.reserveName}, never the name itself.
 */
export const RESERVATION_ENV = 'SKULENS_VERSION_RESERVATION';

export class VersionRepository {
  constructor(private readonly db: Database.Database) {}

  /**
   * Creates a version in TRAINING_IN_PROGRESS: with the name this process holds a reservation for (see
   * {@link reserveName}; the reservation is used up), else v<N+1> where N is the highest number the project
   * ever used.
   */
  create(projectId: number, init: { backbone: string; params: Record<string, unknown>; seed: number }, env: NodeJS.ProcessEnv = process.env): Version {
    const create = this.db.transaction(() => {
      const token = env[RESERVATION_ENV];
      const reserved = token ? (this.db.prepare('SELECT name FROM version_reservations WHERE token = ? AND project_id = ?').get(token, projectId) as { name: string } | undefined) : undefined;
      let name: string;
      if (reserved) {
        this.db.prepare('DELETE FROM version_reservations WHERE token = ?').run(token);
        name = reserved.name;
      } else {
        this.db.prepare('UPDATE projects SET last_version = last_version + 1 WHERE id = ?').run(projectId);
        name = `v${(this.db.prepare('SELECT last_version FROM projects WHERE id = ?').get(projectId) as { last_version: number }).last_version}`;
      }
      const info = this.db
        .prepare(`INSERT INTO versions (project_id, name, status, backbone, params, seed, pid, created_at)
                  VALUES (?, ?, 'TRAINING_IN_PROGRESS', ?, ?, ?, ?, ?)`)
        .run(projectId, name, init.backbone, JSON.stringify(init.params), init.seed, process.pid, now());
      return Number(info.lastInsertRowid);
    });
    return this.byId(create());
  }

  /**
   * Holds `name` for the next version of project `projectId` that a process given the returned token (in
   * RESERVATION_ENV) creates. A name is unique in its project among versions and reservations; `v<N>` is
   * free only above every number the project used (and takes the counter there, so numbers are never reused).
   *
   * @throws SkulensError ERR_VERSION_NAME_INVALID, ERR_VERSION_NAME_EXISTS
   */
  reserveName(projectId: number, name: string): string {
    if (!isVersionName(name)) throw new SkulensError('ERR_VERSION_NAME_INVALID', { name, detail: 'use 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit' });
    const reserve = this.db.transaction(() => {
      const { name: project, last_version: last } = this.db.prepare('SELECT name, last_version FROM projects WHERE id = ?').get(projectId) as { name: string; last_version: number };
      const taken = this.db.prepare('SELECT 1 FROM versions WHERE project_id = ? AND name = ? UNION ALL SELECT 1 FROM version_reservations WHERE project_id = ? AND name = ?').get(projectId, name, projectId, name);
      if (taken) throw new SkulensError('ERR_VERSION_NAME_EXISTS', { project, name });
      const number = versionNumber(name);
      if (number !== undefined && number <= last) throw new SkulensError('ERR_VERSION_NAME_INVALID', { name, detail: `v${number} was already used in project "${project}" and numbers are never reused; choose v${last + 1} or above, or a name of your own` });
      if (number !== undefined) this.db.prepare('UPDATE projects SET last_version = ? WHERE id = ?').run(number, projectId);
      const token = randomUUID();
      this.db.prepare('INSERT INTO version_reservations (token, project_id, name, created_at) VALUES (?, ?, ?, ?)').run(token, projectId, name, now());
      return token;
    });
    return reserve();
  }

  /** Frees a reservation its process never used (the child failed before creating the version). */
  releaseReservation(token: string): void {
    this.db.prepare('DELETE FROM version_reservations WHERE token = ?').run(token);
  }

  /** Frees every reservation: at server start, those left by a server that went down will never be used. */
  releaseAllReservations(): void {
    this.db.prepare('DELETE FROM version_reservations').run();
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
