// Removes what killed writers left behind in a home: temp files and folders beside blobs and
// version folders (atomic writes put their temps next to the target, so that rename stays atomic).
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
