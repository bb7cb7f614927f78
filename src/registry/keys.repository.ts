// The api_keys table of the HTTP server (src/auth owns what the columns mean).
import type Database from 'better-sqlite3';
import { now } from './rows.js';

export interface StoredApiKey {
  id: string;
  secretSha256: string;
  secretSealed: string;
  description: string | null;
  createdAt: string;
}

type KeyRow = { id: string; secret_sha256: string; secret_sealed: string; description: string | null; created_at: string };

export class KeyRepository {
  constructor(private readonly db: Database.Database) {}

  add(key: Omit<StoredApiKey, 'createdAt'>): void {
    this.db
      .prepare('INSERT INTO api_keys (id, secret_sha256, secret_sealed, description, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(key.id, key.secretSha256, key.secretSealed, key.description, now());
  }

  find(id: string): StoredApiKey | undefined {
    const row = this.db.prepare('SELECT * FROM api_keys WHERE id = ?').get(id) as KeyRow | undefined;
    return row && { id: row.id, secretSha256: row.secret_sha256, secretSealed: row.secret_sealed, description: row.description, createdAt: row.created_at };
  }

  list(): { id: string; description: string | null; createdAt: string }[] {
    const rows = this.db.prepare('SELECT id, description, created_at FROM api_keys ORDER BY created_at, id').all() as Pick<KeyRow, 'id' | 'description' | 'created_at'>[];
    return rows.map((row) => ({ id: row.id, description: row.description, createdAt: row.created_at }));
  }

  /** Deletes a key; false when there was none with that id. */
  delete(id: string): boolean {
    return this.db.prepare('DELETE FROM api_keys WHERE id = ?').run(id).changes > 0;
  }
}
