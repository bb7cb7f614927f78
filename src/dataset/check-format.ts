// Renders the health report for a person: one header line, the label table, the near-duplicate
// clusters in one line, then one line per kind of finding with its first files. --json has it all.
import type { Finding, HealthSummary } from './check.js';

const SEVERITY_ORDER = { error: 0, warning: 1, info: 2 } as const;
const FILES_SHOWN = 3;

/** Renders the summary for a person to read in ten seconds. */
export function formatHealthSummary(summary: HealthSummary): string {
  const total = summary.images.train + summary.images.test;
  const lines = [
    `Dataset of project "${summary.project}": ${summary.images.train} train + ${summary.images.test} test images, ${summary.labels.length} labels, ` +
      `imbalance ${summary.imbalanceRatio.toFixed(1)}:1 (training uses ${summary.imbalanceStrategy})`,
  ];
  const width = Math.max(5, ...summary.labels.map((row) => row.label.length));
  lines.push(`  ${'label'.padEnd(width)}  train   test  share`);
  for (const row of summary.labels) {
    const share = total ? `${((100 * (row.train + row.test)) / total).toFixed(1)}%` : '-';
    lines.push(`  ${row.label.padEnd(width)}  ${String(row.train).padStart(5)}  ${String(row.test).padStart(5)}  ${share.padStart(5)}`);
  }
  const c = summary.trainClusters;
  if (c.clusters > 0) {
    const sizes = Object.entries(c.sizes).map(([size, count]) => `${count}x${size}`).join(', ');
    lines.push(`Near-duplicate clusters in train (dHash <= ${c.maxBits} bits): ${c.clusters} (sizes ${sizes}); training's CV uses ${c.groups} groups`);
  }
  if (summary.skippedAtImport > 0) lines.push(`Left out at import: ${summary.skippedAtImport} file(s) or line(s)`);
  const counts = (severity: keyof typeof SEVERITY_ORDER): number => summary.findings.filter((f) => f.severity === severity).length;
  const [errors, warnings, notes] = [counts('error'), counts('warning'), counts('info')];
  if (errors + warnings + notes === 0) {
    lines.push('No problems found.');
    return lines.join('\n');
  }
  lines.push(`${errors} error(s), ${warnings} warning(s), ${notes} note(s):`);
  const kinds = new Map<string, Finding[]>();
  for (const finding of [...summary.findings].sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity])) {
    kinds.set(finding.kind, [...(kinds.get(finding.kind) ?? []), finding]);
  }
  // Paths are shown relative to the folder all of them share, once, so each line stays short.
  const common = commonFolder(summary.findings.flatMap((f) => f.files));
  if (common) lines.push(`(paths below are relative to ${common})`);
  const shorten = (file: string): string => (common ? file.replaceAll(common, '') : file);
  for (const [kind, group] of kinds) {
    const first = group[0]!;
    const label = first.severity === 'info' ? 'NOTE' : first.severity.toUpperCase();
    lines.push(`  ${label} ${first.message}${group.length > 1 ? ` [${kind} x${group.length}]` : ''}`);
    const files = group.flatMap((f) => f.files).map(shorten);
    if (files.length) {
      lines.push(`      ${files.slice(0, FILES_SHOWN).join('\n      ')}`);
      if (files.length > FILES_SHOWN) lines.push(`      ... and ${files.length - FILES_SHOWN} more (--json lists all)`);
    }
  }
  return lines.join('\n');
}

function commonFolder(files: readonly string[]): string {
  const paths = files.map((f) => /(\/[^ ]*\/)/.exec(f)?.[1]).filter((p): p is string => p !== undefined);
  if (paths.length === 0 || paths.length < files.length) return '';
  let prefix = paths[0]!;
  for (const p of paths) while (!p.startsWith(prefix)) prefix = prefix.slice(0, prefix.slice(0, -1).lastIndexOf('/') + 1);
  return prefix.length > 1 ? prefix : '';
}
