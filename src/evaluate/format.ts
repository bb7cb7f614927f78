// Renders an EvaluationReport as plain-text tables for the terminal (no colours, no I/O).
import type { EvaluationReport } from './metrics.js';

/** Options of {@link formatReport}. */
export interface FormatOptions {
  /** Print the confusion matrix only up to this many labels (it grows as labels squared). Default 20. */
  maxMatrixLabels?: number;
  /** How many misclassified images to list. Default 10. */
  maxMisclassified?: number;
}

const fixed = (x: number, digits = 3): string => x.toFixed(digits);
const percent = (x: number): string => `${(x * 100).toFixed(1)}%`;

function truncate(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}~`;
}

/** Columns two spaces apart; the first `leftColumns` are left-aligned (text), the rest right-aligned (numbers). */
function table(rows: readonly string[][], leftColumns = 1): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, c) => (widths[c] = Math.max(widths[c] ?? 0, cell.length)));
  return rows.map((row) =>
    row
      .map((cell, c) => (c < leftColumns ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)))
      .join('  ')
      .trimEnd(),
  );
}

function confusionLines(report: EvaluationReport): string[] {
  const { labels, confusionMatrix } = report;
  const largest = Math.max(0, ...confusionMatrix.flat());
  // Column headers are labels cut to the width the counts need anyway (at least 4 characters).
  const width = Math.max(4, String(largest).length);
  const header = ['truth \\ predicted', ...labels.map((l) => truncate(l, width))];
  const rows = confusionMatrix.map((row, t) => [truncate(labels[t]!, 24), ...row.map((n) => (n === 0 ? '.' : String(n)))]);
  return table([header, ...rows]);
}

/** Per-group, multi-label and per-level lines, for the reports that have them (none for a plain single-label report). */
function labelTypeLines(report: EvaluationReport): string[] {
  const lines: string[] = [];
  if (report.multiLabel) {
    const { micro, macro, exactMatch, hammingLoss } = report.multiLabel;
    lines.push('', `Multi-label: micro P/R/F1 ${fixed(micro.precision)}/${fixed(micro.recall)}/${fixed(micro.f1)}   macro P/R/F1 ${fixed(macro.precision)}/${fixed(macro.recall)}/${fixed(macro.f1)}   exact match ${fixed(exactMatch)}   Hamming loss ${fixed(hammingLoss)}`);
  }
  if (report.groups) {
    lines.push('', ...table([['group', 'values', 'accuracy', 'where valued', 'macro-F1'], ...report.groups.map((g) => [g.group, String(g.values.length), fixed(g.accuracy), `${fixed(g.accuracyPresent)} (${g.imagesPresent})`, fixed(g.macroF1)])]));
  }
  if (report.hierarchy) {
    lines.push('', ...table([['level', 'nodes', 'accuracy'], ...report.hierarchy.levels.map((l) => [l.level, String(l.nodes), fixed(l.accuracy)])]));
    const own = report.hierarchy.fallback.own;
    lines.push(`Answers at the thresholds: label ${percent(own.labelCoverage)} (precision ${fixed(own.labelPrecision)}), parent ${percent(own.parentCoverage)} (precision ${fixed(own.parentPrecision)}), unknown ${percent(own.unknown)}`);
  }
  return lines;
}

/**
 * The one-line figures of a version: argmax accuracy, then what its thresholds answer, then macro-F1.
 *
 * @example
 * headline(report); // 'accuracy 0.880, coverage 0.912 at answered precision 0.936, macro-F1 0.861'
 */
export function headline(report: EvaluationReport): string {
  return `accuracy ${fixed(report.accuracy)}, coverage ${fixed(report.coverage)} at answered precision ${fixed(report.answeredPrecision)}, macro-F1 ${fixed(report.macroF1)}`;
}

/** What the figures leave out or where they flatter, one line each. */
function noticeLines(report: EvaluationReport): string[] {
  const lines: string[] = [];
  if (report.thresholdsChosenOn === 'test') lines.push('Thresholds chosen on the test split: these figures flatter; they are not a held-out measure.');
  if ((report.untested ?? []).length > 0) lines.push(`Untested (no test images; trained and served, not measured): ${report.untested.join(', ')}`);
  const u = report.untrained;
  if (u) lines.push(`${u.counted ? 'Counted as errors' : 'Left out'} (never trained): ${u.labels.join(', ')} on ${u.testImages} test image(s)`);
  return lines;
}

/**
 * A readable terminal rendering of a report: the headline numbers, the per-label table
 * (threshold, precision, recall, F1, support), the confusion matrix with abbreviated labels and the
 * first misclassified images.
 */
export function formatReport(report: EvaluationReport, options: FormatOptions = {}): string {
  const { maxMatrixLabels = 20, maxMisclassified = 10 } = options;
  const lines: string[] = [
    `Test images: ${report.numTest}   accuracy: ${fixed(report.accuracy)}   macro-F1: ${fixed(report.macroF1)}` +
      `   macro-precision: ${fixed(report.macroPrecision)}   macro-recall: ${fixed(report.macroRecall)}` +
      `   unknown: ${percent(report.unknownRate)}`,
    // A report written before these figures existed has none: its line is left out.
    ...(report.coverage === undefined ? [] : [`At the thresholds: coverage ${percent(report.coverage)} of the test images get a label; answered precision ${fixed(report.answeredPrecision)} (share of those labels that are right)`]),
    ...noticeLines(report),
    '',
  ];
  lines.push(
    ...table([
      ['label', 'threshold', 'precision', 'recall', 'F1', 'support'],
      ...report.perLabel.map((m) => [
        truncate(m.label, 32),
        fixed(m.threshold),
        fixed(m.precision),
        fixed(m.recall),
        fixed(m.f1),
        String(m.support),
      ]),
    ]),
  );

  lines.push(...labelTypeLines(report));
  lines.push('', 'Confusion matrix (rows: truth, columns: argmax prediction):');
  if (report.labels.length <= maxMatrixLabels) lines.push(...confusionLines(report));
  else lines.push(`  (${report.labels.length} labels is more than ${maxMatrixLabels}; see the evaluation summary)`);

  const shown = report.misclassified.slice(0, maxMisclassified);
  lines.push('', `Misclassified: ${report.misclassified.length}${shown.length < report.misclassified.length ? ` (the ${shown.length} most confident)` : ''}`);
  if (shown.length > 0) {
    lines.push(
      ...table([
        ['truth', 'predicted', 'image', 'confidence'],
        ...shown.map((m) => [truncate(m.truth, 24), truncate(m.predicted ?? '(unknown)', 24), m.image, m.confidence.toFixed(1)]),
      ], 3),
    );
  }
  return lines.join('\n');
}
