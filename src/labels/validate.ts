// The one rule for what a label may be, checked at every entry point (imports, UpdateDatasetEntries,
// labels add, review answers, upload fields): 1-128 characters, not blank, no control or bidirectional
// formatting characters, and where a label names a folder, no path separators and no leading dot.
import { SkulensError } from '../errors.js';

/** The longest label, in UTF-16 code units (Rekognition allows 256 bytes; 128 characters of UTF-8 stay under it). */
export const MAX_LABEL_LENGTH = 128;

// C0 and C1 controls, DEL, and the bidirectional overrides that make text read differently than it sorts.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/u;

export interface LabelRule {
  /** The label names a folder (folder imports, upload fields): no "/" or "\\", no leading ".". */
  folder?: boolean;
}

/** Why `label` cannot be a label, or null when it can. */
export function labelProblem(label: string, rule: LabelRule = {}): string | null {
  if (label.trim().length === 0) return 'it is blank';
  if (label.length > MAX_LABEL_LENGTH) return `it is longer than ${MAX_LABEL_LENGTH} characters`;
  if (CONTROL.test(label)) return 'it holds control characters';
  if (rule.folder) {
    if (label.includes('/') || label.includes('\\')) return 'a label that names a folder may not contain "/" or "\\"';
    if (label.startsWith('.')) return 'a label that names a folder may not start with "."';
  }
  return null;
}

/** How a refused label is quoted back: short, with its control characters escaped. */
export function shownLabel(label: string): string {
  const short = label.length > 40 ? `${label.slice(0, 40)}...` : label;
  return JSON.stringify(short).slice(1, -1);
}

/**
 * Returns `label` when it is usable, else throws ERR_LABEL_INVALID naming `field`.
 *
 * @example
 * checkLabel(line['class-name'], 'Changes.GroundTruth line 3 class-name');
 */
export function checkLabel(label: string, field: string, rule: LabelRule = {}): string {
  const problem = labelProblem(label, rule);
  if (problem) throw new SkulensError('ERR_LABEL_INVALID', { label: shownLabel(label), detail: `${field}: ${problem}` });
  return label;
}
