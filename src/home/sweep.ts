// Removes what killed writers left behind in a home: temp files and folders beside blobs and
// version folders (atomic writes put their temps next to the target, so that rename stays atomic), and
// image blobs that no entry keeps (an import killed, or out of disk, between writing a blob and its row).
import fs from 'node:fs/promises';
import path from 'node:path';
import { sweepTemp } from './atomic.js';
import type { HomeLayout } from './layout.js';

async function subdirs(dir: string): Promise<string[]> {
  try {
    return (await fs.readdir(dir, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => path.join(dir, d.name));
  } catch {
    return [];
  }
}

/** Sweeps temp leftovers under blobs/, projects/<p>/versions/, the cache and tmp/. Returns how many were removed. */
export async function sweepHome(home: HomeLayout): Promise<number> {
  const dirs = [home.tmp, home.projects, ...(await subdirs(home.blobs))];
  for (const project of await subdirs(home.projects)) dirs.push(path.join(project, 'versions'));
  for (const backbone of await subdirs(home.embeddingCache)) dirs.push(...(await subdirs(backbone)));
  let removed = 0;
  for (const dir of dirs) removed += await sweepTemp(dir);
  return removed;
}

/** Blobs younger than this are left alone: an import in another process may be about to commit their rows. */
export const ORPHAN_BLOB_GRACE_MS = 10 * 60_000;

/**
 * Removes blobs under blobs/ that `inUse` (given the path relative to the home's root) says no entry
 * keeps, once older than the grace period. Returns how many were removed.
 */
export async function sweepOrphanBlobs(home: HomeLayout, inUse: (relative: string) => boolean, graceMs = ORPHAN_BLOB_GRACE_MS): Promise<number> {
  let removed = 0;
  const cutoff = Date.now() - graceMs;
  for (const shard of await subdirs(home.blobs)) {
    for (const name of await fs.readdir(shard).catch(() => [] as string[])) {
      if (name.startsWith('.')) continue;
      const file = path.join(shard, name);
      const relative = path.relative(home.root, file).split(path.sep).join('/');
      const stat = await fs.stat(file).catch(() => undefined);
      if (!stat?.isFile() || stat.mtimeMs > cutoff || inUse(relative)) continue;
      await fs.rm(file, { force: true });
      removed += 1;
    }
  }
  return removed;
}
