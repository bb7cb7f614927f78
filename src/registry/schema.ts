// The SQLite schema of a skulens home, applied in numbered steps tracked by PRAGMA user_version.
import type Database from 'better-sqlite3';

export const MIGRATIONS: readonly string[] = Object.freeze([
  `
  CREATE TABLE projects (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
  );
  CREATE TABLE entries (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    sha256 TEXT NOT NULL,
    blob TEXT NOT NULL,
    source TEXT NOT NULL,
    label TEXT NOT NULL,
    split TEXT NOT NULL CHECK (split IN ('train', 'test')),
    split_origin TEXT NOT NULL CHECK (split_origin IN ('given', 'auto')),
    format TEXT NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    bytes INTEGER NOT NULL,
    dhash TEXT NOT NULL,
    metadata TEXT,
    imported_at TEXT NOT NULL,
    UNIQUE (project_id, sha256, label)
  );
  CREATE INDEX entries_by_project ON entries (project_id, split, label);
  CREATE TABLE versions (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    status_message TEXT,
    backbone TEXT NOT NULL,
    params TEXT NOT NULL,
    seed INTEGER NOT NULL,
    dir TEXT,
    metrics TEXT,
    pid INTEGER,
    created_at TEXT NOT NULL,
    completed_at TEXT,
    UNIQUE (project_id, name)
  );
  `,
  // API keys of the HTTP server (src/auth): a SHA-256 of the secret for Bearer checks, and the secret
  // sealed (AES-256-GCM) with the home's master key file, because SigV4 verification needs the secret itself.
  `
  CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,
    secret_sha256 TEXT NOT NULL,
    secret_sealed TEXT NOT NULL,
    description TEXT,
    created_at TEXT NOT NULL
  );
  `,
  // What dataset imports left out or noticed (unreadable files, bad manifest lines, exact duplicates),
  // per project and import source, so that `datasets check` can report them after the import.
  `
  CREATE TABLE import_issues (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    origin TEXT NOT NULL,
    file TEXT NOT NULL,
    line INTEGER,
    kind TEXT NOT NULL,
    code TEXT,
    reason TEXT NOT NULL,
    related TEXT,
    recorded_at TEXT NOT NULL
  );
  CREATE INDEX import_issues_by_project ON import_issues (project_id, origin);
  `,
  // Version numbers are never reused within a project: each project counts the numbers it has handed
  // out. Existing homes start from the highest name still stored.
  `
  ALTER TABLE projects ADD COLUMN last_version INTEGER NOT NULL DEFAULT 0;
  UPDATE projects SET last_version = COALESCE((SELECT MAX(CAST(substr(name, 2) AS INTEGER)) FROM versions WHERE project_id = projects.id), 0);
  `,
  // Keys have roles (detect < train < admin). Keys made before roles existed could do everything, so
  // they keep that as admin; new keys default to detect (src/auth).
  `
  ALTER TABLE api_keys ADD COLUMN role TEXT NOT NULL DEFAULT 'admin' CHECK (role IN ('admin', 'train', 'detect'));
  `,
  // The last import into each side of a project's dataset, so that DescribeDataset survives a restart
  // and an import cut short by a kill reads as failed rather than missing.
  `
  CREATE TABLE dataset_imports (
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    split TEXT NOT NULL CHECK (split IN ('train', 'test')),
    status TEXT NOT NULL,
    message TEXT,
    error_entries INTEGER NOT NULL DEFAULT 0,
    pid INTEGER,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (project_id, split)
  );
  `,
  // Label types and hierarchies (issue 15): a project is single-label (the default, today's projects),
  // multi-label, or attribute groups ("brand:arla"); a taxonomy files its labels under parents.
  `
  ALTER TABLE projects ADD COLUMN label_type TEXT NOT NULL DEFAULT 'single' CHECK (label_type IN ('single', 'multi', 'groups'));
  CREATE TABLE label_taxonomies (
    project_id INTEGER PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE,
    levels TEXT NOT NULL,
    parents TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  `,
  // Paging and bookkeeping at 250,000 entries: listings are ordered by (label, sha256) with or without a
  // split, so both orders come from an index instead of a sort per page; the orphan-blob sweep looks
  // entries up by blob. The old (project_id, split, label) index is a prefix of the new one.
  `
  DROP INDEX IF EXISTS entries_by_project;
  CREATE INDEX entries_by_split_label ON entries (project_id, split, label, sha256);
  CREATE INDEX entries_by_label ON entries (project_id, label, sha256);
  CREATE INDEX entries_by_blob ON entries (blob);
  `,
  // The review loop (issue 17): every relabel, removal, keep and confirmed capture of a dataset entry is
  // recorded (who, when, from where, and the whole entry before the change, so nothing is lost); each
  // project's capture setting for uncertain predictions; the captured predictions awaiting review.
  `
  CREATE TABLE entry_changes (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    entry_id INTEGER,
    sha256 TEXT NOT NULL,
    blob TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('relabel', 'remove', 'keep', 'add')),
    old_label TEXT,
    new_label TEXT,
    entry TEXT,
    actor TEXT NOT NULL,
    origin TEXT NOT NULL,
    at TEXT NOT NULL
  );
  CREATE INDEX entry_changes_by_project ON entry_changes (project_id, sha256);
  CREATE INDEX entry_changes_by_blob ON entry_changes (blob);
  CREATE TABLE review_settings (
    project_id INTEGER PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE,
    settings TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE TABLE uncertain_predictions (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    version TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    file TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    source TEXT NOT NULL,
    top_label TEXT,
    confidence REAL NOT NULL,
    margin REAL NOT NULL,
    uncertainty REAL NOT NULL,
    answer TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'confirmed', 'corrected', 'dismissed')),
    label TEXT,
    resolved_by TEXT,
    resolved_at TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (project_id, sha256)
  );
  CREATE INDEX uncertain_by_queue ON uncertain_predictions (project_id, status, uncertainty);
  CREATE INDEX uncertain_by_file ON uncertain_predictions (file);
  `,
  // Stable automatic splits (issue 27): an automatically split entry is drawn once, at the end of the import
  // that brought it (split_pending until then, so a killed import's entries are drawn by the next one), and
  // keeps its side; only \`datasets distribute\` re-draws. Each project keeps the seed its split was drawn with.
  `
  ALTER TABLE entries ADD COLUMN split_pending INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE projects ADD COLUMN split_seed INTEGER;
  `,
  // A serving system keeps its desired state: whether each version should run, apart from its status, so
  // that versions running when a server went down (killed, rebooted, redeployed) start again when one comes
  // up. Versions a dead server left started are wanted running.
  `
  ALTER TABLE versions ADD COLUMN keep_running INTEGER NOT NULL DEFAULT 0 CHECK (keep_running IN (0, 1));
  UPDATE versions SET keep_running = 1 WHERE status IN ('STARTING', 'RUNNING');
  `,
  // Version names a client chose (CreateProjectVersion's VersionName), held for the training child that will
  // create the version: the server reserves the name (so a clash is refused at once) and hands the child a token.
  `
  CREATE TABLE version_reservations (
    token TEXT PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (project_id, name)
  );
  `,
]);

/** A line for the operator after a migration step (by index) changed something they should know. */
export const MIGRATION_NOTICES: Readonly<Record<number, (db: Database.Database) => string | null>> = Object.freeze({
  4: (db) => {
    const { count } = db.prepare('SELECT COUNT(*) AS count FROM api_keys').get() as { count: number };
    return count === 0
      ? null
      : `Keys now have roles: the ${count} existing API key(s) became role admin (they could do everything before). Check them with \`skulens keys list\` and replace those that need less with \`skulens keys create --role detect|train\`.`;
  },
});
