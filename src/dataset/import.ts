// Imports a folder-per-label dataset into a project: decodes every file, copies good ones into the
// home's content-addressed blob store, records entries, and reports each skipped file in one line.
import fs from 'node:fs/promises';
import path from 'node:path';
import { SkulensError, reasonOf } from '../errors.js';
import { blobPath, writeFileAtomic, type HomeLayout } from '../home/index.js';
import type { NewEntry, Registry, Split } from '../registry/index.js';
import { listFolderDataset } from './folder-source.js';
import { inspectImage } from './inspect.js';
import { DEFAULT_SPLIT_SEED, stratifiedSplit } from './split.js';

export interface SkippedFile {
  file: string;
  code: string;
  reason: string;
}

export interface ImportReport {
  project: string;
  source: string;
  seen: number;
  imported: number;
  /** Files already in the project under the same label (same content). */
  duplicates: number;
  skipped: SkippedFile[];
  notices: string[];
  labels: Record<string, { train: number; test: number }>;
}

export interface ImportOptions {
  onProgress?: (done: number, total: number) => void;
  /** Called once per skipped file, as it happens. */
  onSkip?: (skipped: SkippedFile) => void;
  splitSeed?: number;
  concurrency?: number;
  /** Put every imported image in this split, whatever the folder layout says; default: from the layout, else auto. */
  split?: Split | 'auto';
}

const BATCH = 64;

/** Imports `source` (a folder per label) into `project`. Safe to re-run: what is there is skipped. */
export async function importFolder(registry: Registry, home: HomeLayout, projectName: string, source: string, options: ImportOptions = {}): Promise<ImportReport> {
  const project = registry.getProject(projectName);
  const listing = await listFolderDataset(source);
  const report: ImportReport = {
    project: projectName,
    source: path.resolve(source),
    seen: listing.files.length,
    imported: 0,
    duplicates: 0,
    skipped: [],
    notices: listing.notices,
    labels: {},
  };
  let pending: NewEntry[] = [];
  const flush = (): void => {
    if (pending.length === 0) return;
    const added = registry.addEntries(project.id, pending);
    report.imported += added;
    // The same image twice under one label in one batch: the database keeps one.
    report.duplicates += pending.length - added;
    pending = [];
  };
  let done = 0;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < listing.files.length) {
      const item = listing.files[next++]!;
      try {
        const entry = await prepareEntry(registry, home, project.id, item.file, item.label, options.split === 'auto' ? null : (options.split ?? item.split));
        if (entry === 'duplicate') report.duplicates += 1;
        else pending.push(entry);
        if (pending.length >= BATCH) flush();
      } catch (error) {
        const skipped = {
          file: item.file,
          code: error instanceof SkulensError ? error.code : 'ERR_IMAGE_UNREADABLE',
          reason: reasonOf(error),
        };
        report.skipped.push(skipped);
        options.onSkip?.(skipped);
      }
      done += 1;
      options.onProgress?.(done, listing.files.length);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 4 }, worker));
  flush();
  distributeAutoSplit(registry, project.id, options.splitSeed ?? DEFAULT_SPLIT_SEED);
  for (const entry of registry.listEntries(project.id)) {
    const counts = (report.labels[entry.label] ??= { train: 0, test: 0 });
    counts[entry.split] += 1;
  }
  return report;
}

async function prepareEntry(
  registry: Registry,
  home: HomeLayout,
  projectId: number,
  file: string,
  label: string,
  split: Split | null,
): Promise<NewEntry | 'duplicate'> {
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(file);
  } catch (error) {
    throw new SkulensError('ERR_IMAGE_UNREADABLE', { file, detail: reasonOf(error) }, { cause: error });
  }
  const facts = await inspectImage(bytes, file);
  if (registry.hasEntry(projectId, facts.sha256, label)) return 'duplicate';
  const blob = blobPath(home, facts.sha256, facts.format === 'jpeg' ? 'jpg' : facts.format);
  // The blob is written before its entry, so a killed import never leaves an entry without its image.
  if (!(await exists(blob))) await writeFileAtomic(blob, bytes);
  return {
    sha256: facts.sha256,
    blob: path.relative(home.root, blob),
    source: file,
    label,
    split: split ?? 'train',
    splitOrigin: split ? 'given' : 'auto',
    format: facts.format,
    width: facts.width,
    height: facts.height,
    bytes: facts.bytes,
    dhash: facts.dhash,
    metadata: null,
  };
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}

/** Re-draws the seeded stratified 80/20 split over every entry whose split was not given by the source. */
export function distributeAutoSplit(registry: Registry, projectId: number, seed = DEFAULT_SPLIT_SEED): void {
  const auto = registry.listEntries(projectId).filter((entry) => entry.splitOrigin === 'auto');
  const splits = stratifiedSplit(auto, seed);
  const updates = auto
    .map((entry) => ({ id: entry.id, split: splits.get(entry.id) ?? 'train', current: entry.split }))
    .filter((update) => update.split !== update.current);
  registry.setSplits(updates);
}
