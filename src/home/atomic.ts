// Atomic file and folder writes: write to a temp name beside the target, fsync, then rename, so a
// process killed mid-write leaves either the old content or the new, never half of one.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';

function tempNameFor(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/** Writes `data` to `target` atomically (temp file + fsync + rename). Creates parent folders. */
export async function writeFileAtomic(target: string, data: string | Uint8Array): Promise<void> {
  await fsp.mkdir(path.dirname(target), { recursive: true });
  const temp = tempNameFor(target);
  const handle = await fsp.open(temp, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await fsp.rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  await fsp.rename(temp, target);
}

/** Synchronous twin of writeFileAtomic, for small files written from synchronous code. */
export function writeFileAtomicSync(target: string, data: string | Uint8Array): void {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const temp = tempNameFor(target);
  const fd = fs.openSync(temp, 'w');
  try {
    fs.writeFileSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(temp, target);
}

/**
 * Builds a folder under a temp name, then renames it into place. If `build` throws, or the process
 * dies, the target is untouched and the temp folder is left for `sweepTemp` to remove.
 */
export async function publishDirAtomic(target: string, build: (tempDir: string) => Promise<void>): Promise<void> {
  await fsp.mkdir(path.dirname(target), { recursive: true });
  const temp = tempNameFor(target);
  await fsp.mkdir(temp);
  try {
    await build(temp);
    await fsp.rename(temp, target);
  } catch (error) {
    await fsp.rm(temp, { recursive: true, force: true });
    throw error;
  }
}

/** True while process `pid` exists (ours included); used to tell live writers from dead ones. */
export function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes temp files and folders that a killed process left beside `dir`'s entries. */
export async function sweepTemp(dir: string): Promise<number> {
  let removed = 0;
  let names: string[];
  try {
    names = await fsp.readdir(dir);
  } catch {
    return 0;
  }
  for (const name of names) {
    // Only temps of dead writers: a live process (a server, another command) may be mid-write.
    const pid = /\.(\d+)\.[0-9a-f]{8}\.tmp$/.exec(name)?.[1];
    if (name.startsWith('.') && pid !== undefined && !processAlive(Number(pid))) {
      await fsp.rm(path.join(dir, name), { recursive: true, force: true });
      removed += 1;
    }
  }
  return removed;
}
