// Where the job queue lives: a `redis://[user:password@]host[:port][/db]` URL checked once at the
// edge and turned into BullMQ connection options. A password never appears in what is shown.
import { z } from 'zod';
import { SkulensError } from '../errors.js';

/** BullMQ connection options for one Redis server. */
export interface RedisTarget {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  /** The URL without its password, for messages and status fields. */
  shown: string;
}

const RedisUrlSchema = z.string().min(1);

/**
 * Parses a `redis://` URL (`rediss://` is refused: put a TLS tunnel in front for now).
 *
 * @example
 * parseRedisUrl('redis://127.0.0.1:6379/2'); // { host: '127.0.0.1', port: 6379, db: 2, shown: 'redis://127.0.0.1:6379/2' }
 * @throws SkulensError ERR_ARGUMENT_INVALID naming --redis.
 */
export function parseRedisUrl(text: unknown): RedisTarget {
  const invalid = (detail: string): SkulensError => new SkulensError('ERR_ARGUMENT_INVALID', { field: '--redis', detail });
  const parsed = RedisUrlSchema.safeParse(text);
  if (!parsed.success) throw invalid('give a URL such as redis://127.0.0.1:6379');
  let url: URL;
  try {
    url = new URL(parsed.data);
  } catch {
    throw invalid(`"${parsed.data}" is not a URL; give one such as redis://127.0.0.1:6379`);
  }
  if (url.protocol !== 'redis:') throw invalid(`"${url.protocol}" is not supported; use redis://host:port[/db]`);
  if (!url.hostname) throw invalid('the URL names no host; use redis://host:port[/db]');
  const port = url.port === '' ? 6379 : Number(url.port);
  const dbText = url.pathname.replace(/^\//, '');
  const db = dbText === '' ? 0 : Number(dbText);
  if (!Number.isInteger(db) || db < 0 || db > 15) throw invalid(`database "${dbText}" must be 0-15`);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const target: RedisTarget = { host, port, db, shown: `redis://${url.host}${db ? `/${db}` : ''}` };
  if (url.username) target.username = decodeURIComponent(url.username);
  if (url.password) target.password = decodeURIComponent(url.password);
  return target;
}
