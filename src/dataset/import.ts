// Imports a listing of images (from any source) into a project: decodes every image, copies good ones
// into the home's content-addressed blob store, records entries in batches, and records what it left
// out (skipped files, bad lines, exact duplicates) for the health report.
import fs from 'node:fs/promises';
import path from 'node:path';
import { SkulensError, reasonOf } from '../errors.js';
import { blobPath, guardResources, resourceErrorOf, writeFileAtomic, type HomeLayout } from '../home/index.js';
import { groupsOf, taxonomyFromNesting, type Taxonomy } from '../labels/index.js';
import type { Entry, ImportIssue, NewEntry, Registry, Split } from '../registry/index.js';
import { inspectImage, sha256Hex } from './inspect.js';
import { issueKindOf } from './issues.js';
import { listLocalFolder } from './sources/folders.js';
import type { SkippedFile, SourceItem, SourceListing } from './sources/types.js';
import { DEFAULT_SPLIT_SEED, drawSplit, type FixedItem, type SplitItem } from './split.js';

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
  /** Put every imported image in this split, whatever the source says; default: from the source, else auto (drawn once, then kept). */
  split?: Split | 'auto';
  /** Stops listing and importing (entries committed before stay); the import rejects with ERR_WALK_CANCELLED. */
  signal?: AbortSignal;
}

// Entries are committed this many at a time: a killed import keeps every batch committed before.
const BATCH = 64;

/** Imports `source` (a folder per label) into `project`. Safe to re-run: what is there is skipped. */
export async function importFolder(registry: Registry, home: HomeLayout, projectName: string, source: string, options: ImportOptions = {}): Promise<ImportReport> {
  registry.projects.get(projectName);
  return importListing(registry, home, projectName, await listLocalFolder(source, { signal: options.signal }), options);
}

/**
 * Imports a listing made by one of the sources. Safe to re-run: images already there are skipped. A full
 * disk or read-only home stops it with ERR_DISK_FULL / ERR_HOME_READ_ONLY (batches committed before stay).
 */
export function importListing(registry: Registry, home: HomeLayout, projectName: string, listing: SourceListing, options: ImportOptions = {}): Promise<ImportReport> {
  return guardResources(`importing ${listing.origin}`, home, () => importGuarded(registry, home, projectName, listing, options));
}

async function importGuarded(registry: Registry, home: HomeLayout, projectName: string, listing: SourceListing, options: ImportOptions): Promise<ImportReport> {
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
  // A groups project takes `group:value` labels only; anything else is left out, named, before any decoding.
  const items = registry.projects.labelType(project.id) === 'groups' ? listing.items.filter((item) => groupLabelsUsable(item, skip)) : listing.items;
  if (listing.hierarchy) registry.taxonomies.set(project.id, mergeNested(registry.taxonomies.get(project.id), listing.hierarchy, listing.origin));

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
  // The first failure that ends the import stops every worker before the import rejects, so nothing is
  // written after the caller has been told it failed.
  let failed = false;
  const worker = async (): Promise<void> => {
    while (next < items.length && !failed) {
      if (options.signal?.aborted) throw new SkulensError('ERR_WALK_CANCELLED', { path: listing.origin }, { cause: options.signal.reason });
      const item = items[next++]!;
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
        // Out of room is not this file's fault: stop the import instead of skipping every file after it.
        const resource = resourceErrorOf(error, `importing ${listing.origin}`, home);
        if (resource) throw resource;
        const code = error instanceof SkulensError ? error.code : 'ERR_IMAGE_UNREADABLE';
        const reason = reasonOf(error);
        skip({ file: item.ref, code, reason: item.line !== null && !reason.includes(`line ${item.line}`) ? `${reason} (line ${item.line})` : reason, ...(item.line !== null ? { line: item.line } : {}) });
      }
      done += 1;
      options.onProgress?.(done, items.length);
    }
  };
  const remote = items.some((item) => item.ref.startsWith('s3://'));
  const outcomes = await Promise.allSettled(
    Array.from({ length: options.concurrency ?? (remote ? 8 : 4) }, () =>
      worker().catch((error: unknown) => {
        failed = true;
        throw error;
      }),
    ),
  );
  const failure = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failure) throw failure.reason;
  flush();
  registry.entries.replaceImportIssues(project.id, listing.origin, issues);
  drawPendingSplit(registry, project.id, options.splitSeed);
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

/**
 * Re-draws the seeded stratified 80/20 split of every entry whose split was not given by the source (what
 * `datasets distribute` does; the only thing that moves a photo once it has a side). `seed` becomes the
 * project's split seed; without it the project's own (DEFAULT_SPLIT_SEED until one is set) is used.
 */
export function distributeAutoSplit(registry: Registry, projectId: number, seed?: number): void {
  if (seed !== undefined) registry.projects.setSplitSeed(projectId, seed);
  drawAuto(registry, projectId, () => true, seed ?? registry.projects.splitSeed(projectId) ?? DEFAULT_SPLIT_SEED);
}

/**
 * Draws a side for the automatically split entries imported since the last draw; every other entry keeps
 * its side, so adding photos never moves one (drawSplit: near-duplicates of earlier photos join their side,
 * the rest are dealt to keep each label's share).
 */
export function drawPendingSplit(registry: Registry, projectId: number, seed?: number): void {
  const pending = registry.entries.pendingSplit(projectId);
  if (pending.size === 0) return;
  drawAuto(registry, projectId, (entry) => pending.has(entry.id), seed ?? registry.projects.splitSeed(projectId) ?? DEFAULT_SPLIT_SEED);
}

/**
 * Draws the photos whose automatic entries `fresh` selects. A photo's entries (one per label in a
 * multi-label or groups project) move together, stratified on its first label, so a photo never trains
 * under one label and tests under another; a photo with an entry already settled keeps that side.
 */
function drawAuto(registry: Registry, projectId: number, fresh: (entry: Entry) => boolean, seed: number): void {
  const photos = new Map<string, Entry[]>();
  for (const entry of registry.entries.list(projectId)) {
    const list = photos.get(entry.sha256);
    if (list) list.push(entry);
    else photos.set(entry.sha256, [entry]);
  }
  const drawn: SplitItem[] = [];
  const fixed: FixedItem[] = [];
  for (const entries of photos.values()) {
    const first = entries[0]!;
    const settled = entries.find((e) => !(e.splitOrigin === 'auto' && fresh(e)));
    const item = { id: first.id, label: first.label, sha256: first.sha256, dhash: first.dhash };
    if (settled) fixed.push({ ...item, split: settled.split, given: settled.splitOrigin === 'given' });
    else drawn.push(item);
  }
  const sides = drawSplit(drawn, fixed, seed);
  const updates: { id: number; split: Split }[] = [];
  for (const entries of photos.values()) {
    const settled = entries.find((e) => !(e.splitOrigin === 'auto' && fresh(e)));
    const side = settled?.split ?? sides.get(entries[0]!.id) ?? 'train';
    for (const e of entries) if (e.splitOrigin === 'auto' && fresh(e)) updates.push({ id: e.id, split: side });
  }
  registry.entries.setSplits(updates);
}

/** True when every label of `item` is `group:value` with one value per group; otherwise the item is skipped with the reason. */
function groupLabelsUsable(item: SourceItem, skip: (skipped: SkippedFile) => void): boolean {
  try {
    groupsOf([item.labels.map((l) => l.label)]);
    return true;
  } catch (error) {
    const coded = error as SkulensError;
    skip({ file: item.ref, code: coded.code ?? 'ERR_LABEL_GROUP_INVALID', reason: `${item.ref}: ${reasonOf(error)}`, ...(item.line !== null ? { line: item.line } : {}) });
    return false;
  }
}

/** The project's taxonomy with the nested folders' chains added (a label listed again takes its new chain). */
function mergeNested(current: Taxonomy | null, hierarchy: readonly { label: string; parents: string[] }[], origin: string): Taxonomy {
  const chains = new Map<string, readonly string[]>(Object.entries(current?.parents ?? {}));
  for (const { label, parents } of hierarchy) chains.set(label, parents);
  return taxonomyFromNesting([...chains.entries()].map(([label, parents]) => ({ label, parents })), origin);
}
