// The short dataset health summary: label counts per split, labels too small to learn, class
// imbalance, and exact or near-duplicate images across labels and across the train/test split.
import type { Entry, Registry } from '../registry/index.js';
import { NEAR_DUPLICATE_BITS, dhashDistance } from './clusters.js';
import { LIMITS } from './limits.js';

export type Severity = 'error' | 'warning' | 'info';

export interface Finding {
  severity: Severity;
  kind: string;
  message: string;
  files: string[];
}

export interface HealthSummary {
  project: string;
  images: { train: number; test: number };
  labels: { label: string; train: number; test: number }[];
  imbalanceRatio: number;
  findings: Finding[];
}

export function checkDataset(registry: Registry, projectName: string): HealthSummary {
  const project = registry.getProject(projectName);
  const entries = registry.listEntries(project.id);
  const byLabel = new Map<string, { label: string; train: number; test: number }>();
  for (const entry of entries) {
    const row = byLabel.get(entry.label) ?? { label: entry.label, train: 0, test: 0 };
    row[entry.split] += 1;
    byLabel.set(entry.label, row);
  }
  const labels = [...byLabel.values()].sort((a, b) => a.label.localeCompare(b.label));
  const findings: Finding[] = [];
  if (labels.length < LIMITS.minLabels) {
    findings.push({ severity: 'error', kind: 'too-few-labels', message: `Only ${labels.length} label(s); training needs at least ${LIMITS.minLabels}. Import a folder per label.`, files: [] });
  }
  for (const row of labels) {
    const total = row.train + row.test;
    if (total < 2) {
      findings.push({ severity: 'error', kind: 'label-too-small', message: `Label "${row.label}" has ${total} image; it needs at least 2 (one to train, one to test). Add photos or remove the label.`, files: [] });
    } else if (total < LIMITS.advisedImagesPerLabel) {
      findings.push({ severity: 'warning', kind: 'label-small', message: `Label "${row.label}" has ${total} images; at least ${LIMITS.advisedImagesPerLabel} are advised for a reliable model.`, files: [] });
    }
    if (row.test === 0 && total >= 2) {
      findings.push({ severity: 'error', kind: 'label-untested', message: `Label "${row.label}" has no test images, so it cannot be evaluated. Add test photos or import it without a test/ folder to split automatically.`, files: [] });
    }
  }
  const totals = labels.map((row) => row.train + row.test).filter((n) => n > 0);
  const imbalanceRatio = totals.length ? Math.max(...totals) / Math.min(...totals) : 0;
  if (imbalanceRatio > 3) {
    findings.push({ severity: 'warning', kind: 'imbalance', message: `Classes are imbalanced ${imbalanceRatio.toFixed(1)}:1 (largest/smallest); training weights classes to compensate.`, files: [] });
  }
  findings.push(...duplicateFindings(entries));
  return {
    project: projectName,
    images: { train: entries.filter((e) => e.split === 'train').length, test: entries.filter((e) => e.split === 'test').length },
    labels,
    imbalanceRatio,
    findings,
  };
}

function duplicateFindings(entries: readonly Entry[]): Finding[] {
  const findings: Finding[] = [];
  const bySha = new Map<string, Entry[]>();
  for (const entry of entries) bySha.set(entry.sha256, [...(bySha.get(entry.sha256) ?? []), entry]);
  for (const group of bySha.values()) {
    if (new Set(group.map((e) => e.label)).size > 1) {
      findings.push({
        severity: 'error',
        kind: 'duplicate-across-labels',
        message: `The same image is labelled ${group.map((e) => `"${e.label}"`).join(' and ')}; keep it under one label.`,
        files: group.map((e) => e.source),
      });
    }
  }
  const train = entries.filter((e) => e.split === 'train').map((e) => ({ e, h: e.dhash }));
  const test = entries.filter((e) => e.split === 'test').map((e) => ({ e, h: e.dhash }));
  for (const t of test) {
    const twin = train.find((r) => dhashDistance(r.h, t.h) <= NEAR_DUPLICATE_BITS);
    if (twin) {
      findings.push({
        severity: 'warning',
        kind: 'leakage',
        message: `Test image is ${twin.e.sha256 === t.e.sha256 ? 'identical' : 'nearly identical'} to a training image; it flatters the test score. Remove one of them.`,
        files: [t.e.source, twin.e.source],
      });
    }
  }
  return findings;
}

/** Renders the summary for a person to read in ten seconds. */
export function formatHealthSummary(summary: HealthSummary): string {
  const lines = [`Dataset of project "${summary.project}": ${summary.images.train} train + ${summary.images.test} test images, ${summary.labels.length} labels, imbalance ${summary.imbalanceRatio.toFixed(1)}:1`];
  const width = Math.max(5, ...summary.labels.map((row) => row.label.length));
  lines.push(`  ${'label'.padEnd(width)}  train   test`);
  for (const row of summary.labels) lines.push(`  ${row.label.padEnd(width)}  ${String(row.train).padStart(5)}  ${String(row.test).padStart(5)}`);
  const errors = summary.findings.filter((f) => f.severity === 'error').length;
  const warnings = summary.findings.filter((f) => f.severity === 'warning').length;
  lines.push(errors + warnings === 0 ? 'No problems found.' : `${errors} error(s), ${warnings} warning(s):`);
  for (const finding of summary.findings.slice(0, 20)) {
    lines.push(`  ${finding.severity.toUpperCase()} ${finding.message}${finding.files.length ? `\n      ${finding.files.join('\n      ')}` : ''}`);
  }
  if (summary.findings.length > 20) lines.push(`  ... and ${summary.findings.length - 20} more (use --json for all)`);
  return lines.join('\n');
}
