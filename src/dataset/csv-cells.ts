// The one CSV writer of skulens outputs (dataset exports, batch results): rows through csv-stringify, and
// every cell that a spreadsheet would run as a formula neutralised by OWASP's rule: a cell starting with
// "=", "+", "-", "@", a tab or a carriage return gets a leading "'". A cell that already starts with
// quotes before such a character gets one more, so reading back (restoreCell) is exact for every value.
import { stringify } from 'csv-stringify/sync';

const FORMULA_START = /^'*[=+\-@\t\r]/;
const NEUTRALISED = /^'+[=+\-@\t\r]/;

/** A cell as written: a formula-looking value behind a leading "'". */
export function neutraliseCell(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/** The value of a cell written by {@link neutraliseCell} (any other cell is returned as it is). */
export function restoreCell(cell: string): string {
  return NEUTRALISED.test(cell) ? cell.slice(1) : cell;
}

/** One CSV line (with its newline) of `cells`, each neutralised and quoted as CSV needs. */
export function csvRow(cells: readonly string[]): string {
  return stringify([cells.map(neutraliseCell)], { eof: true, record_delimiter: '\n' });
}
