// Turns the ways a home runs out of room into coded errors: a full disk (ENOSPC, EDQUOT, SQLite's
// SQLITE_FULL) and a read-only home (EROFS, SQLITE_READONLY), each naming the operation that failed.
import { SkulensError } from '../errors.js';
import type { HomeLayout } from './layout.js';

const DISK_FULL = new Set(['ENOSPC', 'EDQUOT', 'SQLITE_FULL']);
const READ_ONLY = new Set(['EROFS', 'SQLITE_READONLY', 'SQLITE_READONLY_DBMOVED']);

/** The coded error for a resource failure, or undefined when `error` is something else. */
export function resourceErrorOf(error: unknown, operation: string, home?: HomeLayout): SkulensError | undefined {
  if (error instanceof SkulensError) return undefined;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return undefined;
  if (DISK_FULL.has(code)) return new SkulensError('ERR_DISK_FULL', { operation }, { cause: error });
  if (READ_ONLY.has(code)) return new SkulensError('ERR_HOME_READ_ONLY', { operation, path: home?.root ?? 'the home folder' }, { cause: error });
  return undefined;
}

/** Runs `work`; a full disk or read-only home becomes its coded error naming `operation`. */
export async function guardResources<T>(operation: string, home: HomeLayout | undefined, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw resourceErrorOf(error, operation, home) ?? error;
  }
}
