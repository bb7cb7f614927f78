// The dataset health report: per-label counts and imbalance, what import left out (unreadable,
// truncated, animated, too small or large files, bad lines), extreme aspect ratios, exact and near
// duplicates within and across labels, train/test leakage, and the near-duplicate clusters that
// training uses as cross-validation groups. Each finding names files, says why it matters and what to do.
import type { Entry, ImportIssue, Registry } from '../registry/index.js';
import { NEAR_DUPLICATE_BITS, firstNearDuplicate, nearDuplicateClusters } from './clusters.js';
import { ISSUE_KINDS, type IssueKindName } from './issues.js';
import { LIMITS } from './limits.js';

export type Severity = 'error' | 'warning' | 'info';

export interface Finding {
  severity: Severity;
  kind: string;
  /** What was found and what to do, in one sentence or two. */
  message: string;
  files: string[];
}

export interface HealthSummary {
  project: string;
  images: { train: number; test: number };
  labels: { label: string; train: number; test: number }[];
  /** Largest label over smallest (images in both splits); 0 without labels. */
  imbalanceRatio: number;
  /** How training compensates for imbalance (from CheckOptions.imbalanceStrategy). */
  imbalanceStrategy: string;
  /** Near-duplicate clusters (dHash within `maxBits` bits) among the training images: what training's CV groups are. */
  trainClusters: { maxBits: number; groups: number; clusters: number; imagesInClusters: number; largest: number; sizes: Record<string, number> };
  /** Files and lines import left out (exact duplicates not counted). */
  skippedAtImport: number;
  findings: Finding[];
}

/** Above this long side over short side, a centre crop keeps too little of the photo. */
export const EXTREME_ASPECT_RATIO = 20;
/** The strategy reported when the caller does not say: sklearn-style balanced class weights. */
export const IMBALANCE_STRATEGY = 'class weights (balanced)';

export interface CheckOptions {
  /**
   * Describes the imbalance strategy training will use for these training labels (class index per
   * image). The caller passes training's own chooser, so that datasets do not depend on training.
   */
  imbalanceStrategy?: (y: Int32Array, numClasses: number) => string;
  /** Files listed per import-issue finding at most (the console shows 200); default all. */
  maxFilesPerFinding?: number;
}
const IMBALANCE_WARNING_RATIO = 3;

/** Builds the health report of a project's dataset. */
export function checkDataset(registry: Registry, projectName: string, options: CheckOptions = {}): HealthSummary {
  const project = registry.projects.get(projectName);
  const entries = registry.entries.list(project.id);
  const findings: Finding[] = [];

  // Grouped by kind in one pass (the report is built on the server's event loop, so it must stay linear
  // in the issues an import recorded: an upload of 60,000 unusable files makes 60,000 of them). With
  // maxFilesPerFinding, SQLite counts them and hands over only that many files a kind.
  const byKind = new Map<IssueKindName, { count: number; files: string[] }>();
  const groups = options.maxFilesPerFinding === undefined ? groupIssues(registry.entries.listImportIssues(project.id)) : registry.entries.importIssueSample(project.id, options.maxFilesPerFinding);
  for (const group of groups) {
    const kind = (Object.hasOwn(ISSUE_KINDS, group.kind) ? group.kind : 'unreadable') as IssueKindName;
    const into = byKind.get(kind) ?? { count: 0, files: [] };
    into.count += group.count;
    for (const i of group.issues) into.files.push(i.line !== null ? `${i.file} (line ${i.line})` : i.file);
    byKind.set(kind, into);
  }
  for (const [kind, group] of byKind) {
    const info = ISSUE_KINDS[kind];
    findings.push({
      severity: info.severity,
      kind,
      message: `${group.count} ${info.title}: ${info.why}. ${capitalise(info.action)}.`,
      files: group.files,
    });
  }
  const skippedAtImport = [...byKind.entries()].reduce((sum, [kind, group]) => sum + (kind === 'exact-duplicate' ? 0 : group.count), 0);

  const extreme = entries.filter((e) => Math.max(e.width, e.height) / Math.min(e.width, e.height) > EXTREME_ASPECT_RATIO);
  if (extreme.length) {
    findings.push({
      severity: 'warning',
      kind: 'extreme-aspect',
      message: `${extreme.length} image(s) are more than ${EXTREME_ASPECT_RATIO}:1 long/short side (banners, strips): the square crop a backbone sees keeps a sliver of them. Crop them to the product or remove them.`,
      files: extreme.map((e) => `${e.source} (${e.width}x${e.height})`),
    });
  }

  const labels = labelRows(entries);
  findings.push(...labelFindings(labels));
  const labelIndex = new Map(labels.map((row, i) => [row.label, i]));
  const trainY = Int32Array.from(entries.filter((e) => e.split === 'train'), (e) => labelIndex.get(e.label)!);
  const strategy = options.imbalanceStrategy?.(trainY, labels.length) ?? IMBALANCE_STRATEGY;
  const totals = labels.map((row) => row.train + row.test).filter((n) => n > 0);
  const imbalanceRatio = totals.length ? Math.max(...totals) / Math.min(...totals) : 0;
  if (imbalanceRatio > IMBALANCE_WARNING_RATIO) {
    const largest = labels.reduce((a, b) => (a.train + a.test >= b.train + b.test ? a : b));
    const smallest = labels.reduce((a, b) => (a.train + a.test <= b.train + b.test ? a : b));
    findings.push({
      severity: 'warning',
      kind: 'imbalance',
      message: `Classes are imbalanced ${imbalanceRatio.toFixed(1)}:1 (largest/smallest: "${largest.label}" ${largest.train + largest.test}, "${smallest.label}" ${smallest.train + smallest.test}); training compensates with ${strategy}, but more photos of the small labels help most.`,
      files: [],
    });
  }
  findings.push(...duplicateFindings(entries));

  const train = entries.filter((e) => e.split === 'train');
  const trainClusters = clusterStats(train);
  if (trainClusters.clusters > 0) {
    const members = clusterMembers(train);
    findings.push({
      severity: 'warning',
      kind: 'near-duplicate-clusters',
      message:
        `${trainClusters.clusters} cluster(s) of near-identical training photos (bursts of one item; ${trainClusters.imagesInClusters} images, largest ${trainClusters.largest}): ` +
        `random cross-validation would flatter the score, so training keeps each cluster inside one CV fold (${trainClusters.groups} groups). Prefer varied shots of each product.`,
      files: members.map((cluster) => `${cluster.length} images: ${cluster.slice(0, 2).map((e) => e.source).join(' ~ ')}${cluster.length > 2 ? ' ~ ...' : ''}`),
    });
  }
  return {
    project: projectName,
    images: { train: train.length, test: entries.length - train.length },
    labels,
    imbalanceRatio,
    imbalanceStrategy: strategy,
    trainClusters,
    skippedAtImport,
    findings,
  };
}

/** Import issues by kind, in one pass. */
function groupIssues(issues: readonly ImportIssue[]): { kind: string; count: number; issues: ImportIssue[] }[] {
  const byKind = new Map<string, ImportIssue[]>();
  for (const issue of issues) {
    const group = byKind.get(issue.kind);
    if (group) group.push(issue);
    else byKind.set(issue.kind, [issue]);
  }
  return [...byKind.entries()].map(([kind, group]) => ({ kind, count: group.length, issues: group }));
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function labelRows(entries: readonly Entry[]): { label: string; train: number; test: number }[] {
  const byLabel = new Map<string, { label: string; train: number; test: number }>();
  for (const entry of entries) {
    const row = byLabel.get(entry.label) ?? { label: entry.label, train: 0, test: 0 };
    row[entry.split] += 1;
    byLabel.set(entry.label, row);
  }
  return [...byLabel.values()].sort((a, b) => a.label.localeCompare(b.label));
}

function labelFindings(labels: readonly { label: string; train: number; test: number }[]): Finding[] {
  const findings: Finding[] = [];
  if (labels.length < LIMITS.minLabels) {
    findings.push({ severity: 'error', kind: 'too-few-labels', message: `Only ${labels.length} label(s); training needs at least ${LIMITS.minLabels}. Import a folder per label.`, files: [] });
  }
  for (const row of labels) {
    const total = row.train + row.test;
    if (total < 2) {
      findings.push({ severity: 'error', kind: 'label-too-small', message: `Label "${row.label}" has ${total} image; it needs at least 2 (one to train, one to test). Add photos or remove the label.`, files: [] });
    } else if (total < LIMITS.advisedImagesPerLabel) {
      findings.push({ severity: 'warning', kind: 'label-small', message: `Label "${row.label}" has ${total} images; at least ${LIMITS.advisedImagesPerLabel} are advised for a reliable model. Add photos of it.`, files: [] });
    }
    if (row.test === 0 && total >= 2) {
      findings.push({ severity: 'error', kind: 'label-untested', message: `Label "${row.label}" has no test images, so it cannot be evaluated. Add test photos or import it without a test/ folder to split automatically.`, files: [] });
    }
  }
  return findings;
}

/** Exact duplicates across labels, near duplicates across labels, and train/test leakage. */
function duplicateFindings(entries: readonly Entry[]): Finding[] {
  const findings: Finding[] = [];
  const bySha = new Map<string, Entry[]>();
  for (const entry of entries) {
    const group = bySha.get(entry.sha256);
    if (group) group.push(entry);
    else bySha.set(entry.sha256, [entry]);
  }
  for (const group of bySha.values()) {
    if (new Set(group.map((e) => e.label)).size > 1) {
      findings.push({
        severity: 'error',
        kind: 'duplicate-across-labels',
        message: `The same image is labelled ${group.map((e) => `"${e.label}"`).join(' and ')}: a labelling error, unless it truly shows both. Keep it under one label.`,
        files: group.map((e) => e.source),
      });
    }
  }
  // Near duplicates under different labels, other than the byte-identical ones reported above.
  const clusters = clusterMembers(entries);
  for (const cluster of clusters) {
    const labels = new Set(cluster.map((e) => e.label));
    if (labels.size > 1 && new Set(cluster.map((e) => e.sha256)).size > 1) {
      findings.push({
        severity: 'warning',
        kind: 'near-duplicate-across-labels',
        message: `Nearly identical photos are labelled ${[...labels].map((l) => `"${l}"`).join(' and ')}: a likely labelling error, or products the model cannot tell apart from these photos. Check the labels.`,
        files: cluster.map((e) => `${e.source} [${e.label}]`),
      });
    }
  }
  // Each test image's first training twin, found through the multi-index (not every pair: 250k images).
  const train = entries.filter((e) => e.split === 'train');
  const tests = entries.filter((e) => e.split === 'test');
  const twins = firstNearDuplicate(tests.map((e) => e.dhash), train.map((e) => e.dhash), NEAR_DUPLICATE_BITS);
  for (const [k, t] of tests.entries()) {
    const twin = twins[k]! >= 0 ? train[twins[k]!] : undefined;
    if (twin) {
      findings.push({
        severity: 'warning',
        kind: 'leakage',
        message: `Test image is ${twin.sha256 === t.sha256 ? 'identical' : 'nearly identical'} to a training image; it flatters the test score. Remove one of them.`,
        files: [t.source, twin.source],
      });
    }
  }
  return findings;
}

/** Clusters of two or more entries, largest first, from the same function training uses for CV groups. */
function clusterMembers(entries: readonly Entry[]): Entry[][] {
  const ids = nearDuplicateClusters(entries.map((e) => e.dhash));
  const members = new Map<number, Entry[]>();
  ids.forEach((id, i) => {
    const cluster = members.get(id);
    if (cluster) cluster.push(entries[i]!);
    else members.set(id, [entries[i]!]);
  });
  return [...members.values()].filter((m) => m.length > 1).sort((a, b) => b.length - a.length);
}

function clusterStats(train: readonly Entry[]): HealthSummary['trainClusters'] {
  const ids = nearDuplicateClusters(train.map((e) => e.dhash));
  const size = new Map<number, number>();
  for (const id of ids) size.set(id, (size.get(id) ?? 0) + 1);
  const multi = [...size.values()].filter((n) => n > 1);
  const sizes: Record<string, number> = {};
  for (const n of multi.sort((a, b) => a - b)) sizes[String(n)] = (sizes[String(n)] ?? 0) + 1;
  return {
    maxBits: NEAR_DUPLICATE_BITS,
    groups: size.size,
    clusters: multi.length,
    imagesInClusters: multi.reduce((a, b) => a + b, 0),
    largest: multi.length ? Math.max(...multi) : 0,
    sizes,
  };
}
