// Turns the ways a home runs out of room into coded errors: a full disk (ENOSPC, EDQUOT, SQLite's
// SQLITE_FULL) and a read-only home (EROFS, SQLITE_READONLY*), each naming the operation that failed.
// Some failures do not say which it was (a recursive mkdir on a read-only mount reports ENOENT, SQLite
// reports SQLITE_CANTOPEN or an I/O error): for those the home itself is asked whether it can be
// written and has room left.
import fs from 'node:fs';
import path from 'node:path';
import { SkulensError } from '../errors.js';
import type { HomeLayout } from './layout.js';

const DISK_FULL = new Set(['ENOSPC', 'EDQUOT', 'SQLITE_FULL']);
const READ_ONLY = new Set(['EROFS']);
/** Codes that a read-only or full home also produces, among other causes. */
const AMBIGUOUS = new Set(['ENOENT', 'EACCES', 'EPERM', 'SQLITE_CANTOPEN']);

/** The nearest folder of `dir` (itself or above) that exists. */
function existing(dir: string): string {
  let at = path.resolve(dir);
  while (!fs.existsSync(at) && path.dirname(at) !== at) at = path.dirname(at);
  return at;
}

/** What the home's disk says: read-only, full, or neither. */
export function homeCondition(root: string): 'read-only' | 'full' | undefined {
  const dir = existing(root);
  try {
    fs.accessSync(dir, fs.constants.W_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EROFS' || code === 'EACCES' || code === 'EPERM') return 'read-only';
  }
  try {
    const stats = fs.statfsSync(dir);
    if (stats.bavail === 0) return 'full';
  } catch {
    // statfs is not everywhere; then nothing more can be said.
  }
  return undefined;
}

/** The coded error for a resource failure, or undefined when `error` is something else. */
export function resourceErrorOf(error: unknown, operation: string, home?: Pick<HomeLayout, 'root'>): SkulensError | undefined {
  if (error instanceof SkulensError) return undefined;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return undefined;
  const full = (): SkulensError => new SkulensError('ERR_DISK_FULL', { operation }, { cause: error });
  const readOnly = (): SkulensError => new SkulensError('ERR_HOME_READ_ONLY', { operation, path: home?.root ?? 'the home folder' }, { cause: error });
  if (DISK_FULL.has(code)) return full();
  if (READ_ONLY.has(code) || code.startsWith('SQLITE_READONLY')) return readOnly();
  if (home && (AMBIGUOUS.has(code) || code.startsWith('SQLITE_IOERR'))) {
    const condition = homeCondition(home.root);
    if (condition === 'read-only') return readOnly();
    if (condition === 'full') return full();
  }
  return undefined;
}

/** Runs `work`; a full disk or read-only home becomes its coded error naming `operation`. */
export async function guardResources<T>(operation: string, home: Pick<HomeLayout, 'root'> | undefined, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw resourceErrorOf(error, operation, home) ?? error;
  }
}

/** The synchronous form of {@link guardResources}. */
export function guardResourcesSync<T>(operation: string, home: Pick<HomeLayout, 'root'> | undefined, work: () => T): T {
  try {
    return work();
  } catch (error) {
    throw resourceErrorOf(error, operation, home) ?? error;
  }
}
