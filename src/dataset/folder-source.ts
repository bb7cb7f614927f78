// Reads a folder-per-label dataset: <root>/<label>/**/<image>, optionally under train/ and test/
// sub-roots. Lists candidate files only; decoding and checks happen at import. The walk is bounded (files,
// depth), never enters a folder twice (symlink loops) and stops when its signal is aborted. Each file is
// listed with its real path and identity, which is what its reader checks (confined-read.ts).
import fs from 'node:fs/promises';
import path from 'node:path';
import { SkulensError } from '../errors.js';
import { LIMITS } from './limits.js';
import { labelProblem as checkedLabelProblem } from '../labels/index.js';
import { checkUnchanged, type FileIdentity } from './confined-read.js';
import type { Split } from '../registry/index.js';

export interface SourceFile {
  /** Absolute path of the file, as listed under the root. */
  file: string;
  /** Its real path (no symlink on the way) and identity when listed: what a reader opens and checks. */
  real: string;
  identity: FileIdentity;
  label: string;
  /** The split the layout gives (train/ or test/ sub-root), if any. */
  split: Split | null;
}

export interface FolderListing {
  files: SourceFile[];
  /** One line each about things that were left out on purpose (stray files, unknown folders). */
  notices: string[];
}

/** Bounds of a walk. */
export interface WalkOptions {
  /** Stops the walk with ERR_WALK_CANCELLED. */
  signal?: AbortSignal;
  /** Files listed at most (default: the dataset limit, 250,000). */
  maxFiles?: number;
  /** Folder levels below the root at most (default 32). */
  maxDepth?: number;
  /** The root's identity when a caller checked it (the server, under its import roots): it must be unchanged. */
  checked?: FileIdentity;
}

const SPLIT_ROOTS: Readonly<Record<string, Split>> = Object.freeze({ train: 'train', test: 'test' });

/** One walk's state: where it started, what it found, which real folders it has entered. */
interface Walk {
  root: string;
  realRoot: string;
  files: SourceFile[];
  notices: string[];
  maxFiles: number;
  maxDepth: number;
  signal?: AbortSignal;
}

/** Lists a folder-per-label dataset. Symlinks that point outside `root` are refused with a notice. */
export async function listFolderDataset(root: string, options: WalkOptions = {}): Promise<FolderListing> {
  const absoluteRoot = path.resolve(root);
  const realRoot = await realRootOf(absoluteRoot);
  if (options.checked) await checkUnchanged(absoluteRoot, options.checked);
  const top = await readDir(absoluteRoot);
  const walk: Walk = {
    root: absoluteRoot,
    realRoot,
    files: [],
    notices: [],
    maxFiles: options.maxFiles ?? LIMITS.maxImagesPerDataset,
    maxDepth: options.maxDepth ?? 32,
    signal: options.signal,
  };
  const { files, notices } = walk;
  const hasSplitRoots = top.some((d) => d.isDirectory() && d.name.toLowerCase() in SPLIT_ROOTS);

  if (hasSplitRoots) {
    for (const dirent of top) {
      const split = SPLIT_ROOTS[dirent.name.toLowerCase()];
      if (dirent.name.startsWith('.')) continue;
      if (!dirent.isDirectory() || !split) {
        notices.push(`${path.join(absoluteRoot, dirent.name)}: left out, only train/ and test/ are read beside each other`);
        continue;
      }
      await listLabels(walk, path.join(absoluteRoot, dirent.name), split);
    }
    // With only train/ given, the test set is drawn from it like a flat folder.
    const splits = new Set(files.map((f) => f.split));
    if (!splits.has('test')) for (const f of files) f.split = null;
  } else {
    await listLabels(walk, absoluteRoot, null);
  }
  const labels = new Set(files.map((f) => f.label));
  if (labels.size > LIMITS.maxLabels) {
    throw new SkulensError('ERR_DATASET_TOO_MANY_LABELS', { max: LIMITS.maxLabels, path: absoluteRoot, count: labels.size });
  }
  if (files.length === 0) {
    throw new SkulensError('ERR_DATASET_LAYOUT_INVALID', {
      path: absoluteRoot,
      detail: 'no image files found in label folders; expected <root>/<label>/*.jpg or <root>/{train,test}/<label>/*.jpg',
    });
  }
  return { files, notices };
}

async function realRootOf(root: string): Promise<string> {
  try {
    const stat = await fs.stat(root);
    if (!stat.isDirectory()) throw new SkulensError('ERR_DATASET_LAYOUT_INVALID', { path: root, detail: 'it is a file, not a folder' });
    return await fs.realpath(root);
  } catch (error) {
    if (error instanceof SkulensError) throw error;
    throw new SkulensError('ERR_PATH_NOT_FOUND', { path: root }, { cause: error });
  }
}

async function readDir(dir: string): Promise<import('node:fs').Dirent[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true });
  return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

async function listLabels(walk: Walk, dir: string, split: Split | null): Promise<void> {
  const { notices } = walk;
  for (const dirent of await readDir(dir)) {
    if (dirent.name.startsWith('.')) continue;
    const full = path.join(dir, dirent.name);
    const kind = await kindOf(walk, full, dirent);
    if (kind === 'file') {
      notices.push(`${full}: left out, a file must sit in a folder named after its label`);
    } else if (kind === 'dir') {
      const problem = checkedLabelProblem(dirent.name, { folder: true });
      if (problem) {
        notices.push(`${full}: left out, "${dirent.name}" is not a usable label (${problem})`);
        continue;
      }
      const chain = await enter(walk, full, [walk.realRoot]);
      if (chain) await listImages(walk, full, dirent.name, split, chain);
    }
  }
}

/** `chain`: the real paths of `dir` and the folders above it in this walk (a folder met again among them is a loop). */
async function listImages(walk: Walk, dir: string, label: string, split: Split | null, chain: readonly string[]): Promise<void> {
  for (const dirent of await readDir(dir)) {
    if (dirent.name.startsWith('.')) continue;
    if (walk.signal?.aborted) throw new SkulensError('ERR_WALK_CANCELLED', { path: walk.root }, { cause: walk.signal.reason });
    const full = path.join(dir, dirent.name);
    const kind = await kindOf(walk, full, dirent);
    if (kind === 'file') {
      if (walk.files.length >= walk.maxFiles) throw new SkulensError('ERR_WALK_LIMIT', { path: walk.root, detail: `it holds more than ${walk.maxFiles} files` });
      const found = await realFile(dirent.isSymbolicLink() ? full : path.join(chain.at(-1)!, dirent.name));
      if (!found || !inside(walk.realRoot, found.real)) {
        walk.notices.push(`${full}: left out, it changed while the folder was listed`);
        continue;
      }
      walk.files.push({ file: full, ...found, label, split });
    } else if (kind === 'dir') {
      const inner = await enter(walk, full, chain);
      if (inner) await listImages(walk, full, label, split, inner);
    }
  }
}

/** The chain to descend into `dir` with, or null when it leads back to a folder above it (a symlink loop). */
async function enter(walk: Walk, dir: string, chain: readonly string[]): Promise<readonly string[] | null> {
  if (walk.signal?.aborted) throw new SkulensError('ERR_WALK_CANCELLED', { path: walk.root }, { cause: walk.signal.reason });
  if (chain.length > walk.maxDepth) throw new SkulensError('ERR_WALK_LIMIT', { path: walk.root, detail: `${dir} is more than ${walk.maxDepth} folders deep` });
  const real = await fs.realpath(dir).catch(() => dir);
  if (!inside(walk.realRoot, real)) {
    walk.notices.push(`${dir}: refused, it leads outside the dataset root`);
    return null;
  }
  if (chain.includes(real)) {
    walk.notices.push(`${dir}: left out, it leads back to a folder above it (a symlink loop)`);
    return null;
  }
  return [...chain, real];
}

/** Resolves symlinks, refusing any that lead outside the dataset root. */
async function kindOf(walk: Walk, full: string, dirent: import('node:fs').Dirent): Promise<'file' | 'dir' | 'skip'> {
  const { realRoot, notices } = walk;
  if (dirent.isFile()) return 'file';
  if (dirent.isDirectory()) return 'dir';
  if (!dirent.isSymbolicLink()) return 'skip';
  try {
    const target = await fs.realpath(full);
    if (!inside(realRoot, target)) {
      notices.push(`${full}: refused, the link points outside the dataset root (${target})`);
      return 'skip';
    }
    const stat = await fs.stat(target);
    return stat.isDirectory() ? 'dir' : stat.isFile() ? 'file' : 'skip';
  } catch {
    notices.push(`${full}: left out, a broken link`);
    return 'skip';
  }
}

function inside(root: string, target: string): boolean {
  return target === root || target.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
}

/** The real path and identity of a regular file, or undefined when it is gone or not a regular file. */
async function realFile(file: string): Promise<{ real: string; identity: FileIdentity } | undefined> {
  const real = await fs.realpath(file).catch(() => undefined);
  const stat = real === undefined ? undefined : await fs.lstat(real).catch(() => undefined);
  return real !== undefined && stat?.isFile() ? { real, identity: { dev: stat.dev, ino: stat.ino } } : undefined;
}

/** Why a folder name or listed label cannot be a label, or null when it can (the rule of src/labels). */
export function labelProblem(label: string): string | null {
  return checkedLabelProblem(label);
}
