// Reads a file that an earlier check approved, so that swapping the file or a folder above it for a
// symlink in between reads nothing from elsewhere. The check records the file's real path and identity
// (device and inode); the read opens that real path without following a final symlink, then checks the
// opened file itself: a regular file, the same device and inode, and (where /proc shows it) the same real
// path, so no folder on the way was replaced by a link. Any difference is ERR_PATH_CHANGED, nothing read.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { SkulensError } from '../errors.js';

/** Who a file or folder is, whatever path leads to it. */
export interface FileIdentity {
  dev: number;
  ino: number;
}

const OPEN_FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0) | (fs.constants.O_NONBLOCK ?? 0);

/** The identity of what `file` is now (following links), or undefined when it is missing. */
export async function identityOf(file: string): Promise<FileIdentity | undefined> {
  const stat = await fsp.stat(file).catch(() => undefined);
  return stat && { dev: stat.dev, ino: stat.ino };
}

const same = (a: FileIdentity, b: FileIdentity): boolean => a.dev === b.dev && a.ino === b.ino;

/** Where an open file really is, where the OS says so (Linux /proc), else undefined. */
async function openedPath(fd: number): Promise<string | undefined> {
  return fsp.readlink(`/proc/self/fd/${fd}`).catch(() => undefined);
}

/**
 * Reads `file` (a real path, as a check resolved it) if it is still the regular file the check saw.
 *
 * @param identity what the check saw; without it only the real path and the file type are checked.
 * @param shown how the file is named in the error (never a server path the caller should not see).
 * @throws SkulensError ERR_PATH_CHANGED, ERR_PATH_NOT_FOUND, ERR_IMAGE_TOO_LARGE (over `maxBytes`).
 */
export async function readChecked(file: string, options: { identity?: FileIdentity; maxBytes: number; shown?: string }): Promise<Buffer> {
  const shown = options.shown ?? file;
  let handle: fsp.FileHandle;
  try {
    handle = await fsp.open(file, OPEN_FLAGS);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new SkulensError('ERR_PATH_NOT_FOUND', { path: shown }, { cause: error });
    if (code === 'ELOOP' || code === 'EMLINK') throw new SkulensError('ERR_PATH_CHANGED', { path: shown }, { cause: error });
    throw error;
  }
  try {
    const stat = await handle.stat();
    const real = await openedPath(handle.fd);
    if (!stat.isFile() || (options.identity && !same(stat, options.identity)) || (real !== undefined && real !== file)) {
      throw new SkulensError('ERR_PATH_CHANGED', { path: shown });
    }
    if (stat.size > options.maxBytes) throw new SkulensError('ERR_IMAGE_TOO_LARGE', { file: shown, detail: `${stat.size} bytes; at most ${options.maxBytes}` });
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

/**
 * Checks that the folder or file `target` (a real path a check approved) is still what the check saw:
 * its real path unchanged and, when given, the same identity.
 *
 * @throws SkulensError ERR_PATH_CHANGED.
 */
export async function checkUnchanged(target: string, identity: FileIdentity | undefined, shown = target): Promise<void> {
  const real = await fsp.realpath(target).catch(() => undefined);
  const now = await identityOf(target);
  if (real !== target || !now || (identity && !same(now, identity))) throw new SkulensError('ERR_PATH_CHANGED', { path: shown });
}
