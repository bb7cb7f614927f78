// Imports a listing of images (from any source) into a project: decodes every image, copies good ones
// into the home's content-addressed blob store, records entries in batches, and records what it left
// out (skipped files, bad lines, exact duplicates) for the health report.
import fs from 'node:fs/promises';
import path from 'node:path';
import { SkulensError, reasonOf } from '../errors.js';
import { blobPath, writeFileAtomic, type HomeLayout } from '../home/index.js';
import type { ImportIssue, NewEntry, Registry, Split } from '../registry/index.js';
import { inspectImage, sha256Hex } from './inspect.js';
import { issueKindOf } from './issues.js';
import { listLocalFolder } from './sources/folders.js';
import type { SkippedFile, SourceItem, SourceListing } from './sources/types.js';
import { DEFAULT_SPLIT_SEED, stratifiedSplit } from './split.js';

export interface ImportReport {
  project: string;
  source: string;
  /** Images (or lines naming images) the source listed, bad lines included. */
  seen: number;
  imported: number;
  /** Images already in the project under the same label (same content). */
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
  /** Images decoded at once; default 4 (8 when reading from S3). */
  concurrency?: number;
  /** Put every imported image in this split, whatever the source says; default: from the source, else auto. */
  split?: Split | 'auto';
}

// Entries are committed this many at a time: a killed import keeps every batch committed before.
const BATCH = 64;

/** Imports `source` (a folder per label) into `project`. Safe to re-run: what is there is skipped. */
export async function importFolder(registry: Registry, home: HomeLayout, projectName: string, source: string, options: ImportOptions = {}): Promise<ImportReport> {
  registry.projects.get(projectName);
  return importListing(registry, home, projectName, await listLocalFolder(source), options);
}

/** Imports a listing made by one of the sources. Safe to re-run: images already there are skipped. */
export async function importListing(registry: Registry, home: HomeLayout, projectName: string, listing: SourceListing, options: ImportOptions = {}): Promise<ImportReport> {
  const project = registry.projects.get(projectName);
  const report: ImportReport = {
    project: projectName,
    source: listing.origin,
    seen: listing.items.length + listing.rejected.length,
    imported: 0,
    duplicates: 0,
    skipped: [],
    notices: listing.notices,
    labels: {},
  };
  const issues: ImportIssue[] = [];
  const skip = (skipped: SkippedFile): void => {
    report.skipped.push(skipped);
    issues.push({ file: skipped.file, line: skipped.line ?? null, kind: issueKindOf(skipped.code), code: skipped.code, reason: skipped.reason, related: null });
    options.onSkip?.(skipped);
  };
  for (const rejected of listing.rejected) skip(rejected);

  let pending: NewEntry[] = [];
  const flush = (): void => {
    if (pending.length === 0) return;
    report.imported += registry.entries.add(project.id, pending);
    pending = [];
  };
  // Which file first brought each (image, label) in this run, to tell copies from re-imports.
  const firstSeen = new Map<string, string>();
  const forced = options.split === 'auto' ? null : options.split;
  let done = 0;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < listing.items.length) {
      const item = listing.items[next++]!;
      try {
        for (const entry of await prepareEntries(registry, home, project.id, item, forced === undefined ? item.split : forced)) {
          const key = `${entry.sha256}\0${entry.label}`;
          const earlier = firstSeen.get(key) ?? registry.entries.find(project.id, entry.sha256, entry.label)?.source;
          if (earlier === undefined) {
            firstSeen.set(key, item.ref);
            pending.push(entry);
            continue;
          }
          report.duplicates += 1;
          if (earlier !== item.ref) {
            issues.push({ file: item.ref, line: item.line, kind: 'exact-duplicate', code: null, reason: `${item.ref} is a byte-identical copy of ${earlier} (label "${entry.label}")`, related: earlier });
          }
        }
        if (pending.length >= BATCH) flush();
      } catch (error) {
        const code = error instanceof SkulensError ? error.code : 'ERR_IMAGE_UNREADABLE';
        const reason = reasonOf(error);
        skip({ file: item.ref, code, reason: item.line !== null && !reason.includes(`line ${item.line}`) ? `${reason} (line ${item.line})` : reason, ...(item.line !== null ? { line: item.line } : {}) });
      }
      done += 1;
      options.onProgress?.(done, listing.items.length);
    }
  };
  const remote = listing.items.some((item) => item.ref.startsWith('s3://'));
  await Promise.all(Array.from({ length: options.concurrency ?? (remote ? 8 : 4) }, worker));
  flush();
  registry.entries.replaceImportIssues(project.id, listing.origin, issues);
  distributeAutoSplit(registry, project.id, options.splitSeed ?? DEFAULT_SPLIT_SEED);
  for (const entry of registry.entries.list(project.id)) {
    const counts = (report.labels[entry.label] ??= { train: 0, test: 0 });
    counts[entry.split] += 1;
  }
  return report;
}

/** Reads, checks and stores one image; returns one entry per label. */
async function prepareEntries(registry: Registry, home: HomeLayout, projectId: number, item: SourceItem, split: Split | null): Promise<NewEntry[]> {
  const bytes = await item.read();
  // A re-import finds most images already there: hashing is cheap, decoding is not, so skip the decode
  // when every label of this image is already an entry (it was checked when it first came in).
  const sha256 = sha256Hex(bytes);
  const known = item.labels.map((l) => registry.entries.find(projectId, sha256, l.label));
  if (known.every((entry) => entry !== undefined)) {
    return known.map((entry) => ({ ...entry!, source: item.ref, split: split ?? entry!.split }));
  }
  const facts = await inspectImage(bytes, item.ref);
  const fresh = item.labels.filter((l) => !registry.entries.has(projectId, facts.sha256, l.label));
  const blob = blobPath(home, facts.sha256, facts.format === 'jpeg' ? 'jpg' : facts.format);
  // The blob is written before its entry, so a killed import never leaves an entry without its image.
  if (fresh.length > 0 && !(await exists(blob))) await writeFileAtomic(blob, bytes);
  return item.labels.map((assignment) => ({
    sha256: facts.sha256,
    blob: path.relative(home.root, blob),
    source: item.ref,
    label: assignment.label,
    split: split ?? 'train',
    splitOrigin: split ? 'given' : 'auto',
    format: facts.format,
    width: facts.width,
    height: facts.height,
    bytes: facts.bytes,
    dhash: facts.dhash,
    metadata: assignment.metadata,
  }));
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
  const auto = registry.entries.list(projectId).filter((entry) => entry.splitOrigin === 'auto');
  const splits = stratifiedSplit(auto, seed);
  const updates = auto
    .map((entry) => ({ id: entry.id, split: splits.get(entry.id) ?? 'train', current: entry.split }))
    .filter((update) => update.split !== update.current);
  registry.entries.setSplits(updates);
}
