// Owns the SQLite file of a skulens home: one database handle and a repository per aggregate over it
// (projects, dataset entries with import issues, model versions, API keys, taxonomies). The only module that opens
// better-sqlite3.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { LabelType } from '../labels/index.js';
import { EntryRepository } from './entries.repository.js';
import { KeyRepository } from './keys.repository.js';
import { ProjectRepository } from './projects.repository.js';
import { DatasetImportRepository } from './imports.repository.js';
import { MIGRATIONS, MIGRATION_NOTICES } from './schema.js';
import { TaxonomyRepository } from './taxonomies.repository.js';
import { ReviewRepository } from './review.repository.js';
import type { Entry, Project, Split, Version } from './types.js';
import { VersionRepository } from './versions.repository.js';

/**
 * Metadata store of one home. Open with `Registry.open(file)`, reach the tables through its repositories,
 * close when done.
 *
 * @example
 * const registry = Registry.open(home.database);
 * const version = registry.versions.resolve('shoes/v3');
 */
export class Registry {
  readonly projects: ProjectRepository;
  readonly entries: EntryRepository;
  readonly versions: VersionRepository;
  readonly keys: KeyRepository;
  readonly imports: DatasetImportRepository;
  readonly taxonomies: TaxonomyRepository;
  readonly review: ReviewRepository;

  private constructor(
    private readonly db: Database.Database,
    /** What the migrations applied by this open want the operator to know (e.g. keys that became admin). */
    readonly notices: readonly string[] = [],
  ) {
    this.projects = new ProjectRepository(db);
    this.entries = new EntryRepository(db);
    this.versions = new VersionRepository(db);
    this.keys = new KeyRepository(db);
    this.imports = new DatasetImportRepository(db);
    this.taxonomies = new TaxonomyRepository(db);
    this.review = new ReviewRepository(db);
  }

  static open(file: string): Registry {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    const registry = new Registry(db, Object.freeze(migrate(db)));
    registry.versions.failAbandoned();
    registry.imports.failAbandoned();
    return registry;
  }

  close(): void {
    this.db.close();
  }

  // Shorthands for the calls scripts (benchmarks, fixtures) make most.
  createProject(name: string, labelType?: LabelType): Project {
    return this.projects.create(name, labelType);
  }

  findProject(name: string): Project | undefined {
    return this.projects.find(name);
  }

  getProject(name: string): Project {
    return this.projects.get(name);
  }

  listEntries(projectId: number, filter: { split?: Split; label?: string } = {}): Entry[] {
    return this.entries.list(projectId, filter);
  }

  listVersions(projectId: number): Version[] {
    return this.versions.list(projectId);
  }
}

/** Applies the missing steps; returns the notices of those that have one to give. */
function migrate(db: Database.Database): string[] {
  const current = db.pragma('user_version', { simple: true }) as number;
  const notices: string[] = [];
  for (let step = current; step < MIGRATIONS.length; step += 1) {
    db.transaction(() => {
      db.exec(MIGRATIONS[step] as string);
      db.pragma(`user_version = ${step + 1}`);
      // A fresh home has nothing to migrate, so only an existing one (current > 0) gets notices.
      const notice = current > 0 ? MIGRATION_NOTICES[step]?.(db) : null;
      if (notice) notices.push(notice);
    })();
  }
  return notices;
}
