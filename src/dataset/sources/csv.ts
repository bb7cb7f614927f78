// Lists a CSV dataset: a header row, then one image per row. The path and label columns are named by
// options (default "path" and "label"); a "split" column (train/test) is honoured when present; every
// other non-empty cell is kept as entry metadata. Paths resolve against the CSV's own folder. Without a
// label column, a "labels" column gives several labels per image separated by "|" (brand:arla|type:milk).
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import { SkulensError, reasonOf } from '../../errors.js';
import type { S3Store } from '../../storage/index.js';
import { LABEL_SEPARATOR } from '../../labels/index.js';
import { restoreCell } from '../csv-cells.js';
import { labelProblem } from '../folder-source.js';
import { resolveRef, type RefBase } from './refs.js';
import type { SourceListing } from './types.js';

/** Column names of a CSV source. */
export const CsvColumnsSchema = z.object({
  path: z.string().min(1).default('path'),
  label: z.string().min(1).default('label'),
  split: z.string().min(1).default('split'),
});
export type CsvColumns = z.infer<typeof CsvColumnsSchema>;

/** The column of several labels per image, used when the label column is absent. */
export const LABELS_COLUMN = 'labels';

const RowSchema = z.object({
  path: z.string().trim().min(1, 'the path cell is empty'),
  label: z.string().trim().min(1, 'the label cell is empty'),
  split: z.enum(['train', 'test', '']).optional(),
});

/** Parses CSV `text` (the file at `base`) into a listing; one bad row is rejected with its line, the rest go on. */
export async function listCsv(text: string, base: RefBase, columns: Partial<CsvColumns>, store: () => S3Store): Promise<SourceListing> {
  const names = CsvColumnsSchema.parse(columns);
  let records: { record: string[]; info: { lines: number } }[];
  try {
    // With info: true, csv-parse returns { record, info } objects; its typings only describe plain rows.
    records = parse(text, { bom: true, relax_column_count: true, skip_empty_lines: true, info: true }) as unknown as typeof records;
    // A cell skulens wrote with a formula neutralised ("'=...") reads back as the value it was.
    for (const row of records) row.record = row.record.map(restoreCell);
  } catch (error) {
    throw new SkulensError('ERR_DATASET_CSV_INVALID', { file: base.file, line: (error as { lines?: number }).lines ?? '?', detail: reasonOf(error) }, { cause: error });
  }
  const header = records[0]?.record.map((cell) => cell.trim());
  const pathIndex = header?.indexOf(names.path) ?? -1;
  // A "labels" column (several labels per cell) stands in for a missing label column.
  const plainIndex = header?.indexOf(names.label) ?? -1;
  const labelIndex = plainIndex >= 0 ? plainIndex : (header?.indexOf(LABELS_COLUMN) ?? -1);
  const several = plainIndex < 0 && labelIndex >= 0;
  if (!header || pathIndex < 0 || labelIndex < 0) {
    throw new SkulensError('ERR_DATASET_CSV_INVALID', {
      file: base.file,
      line: 1,
      detail: `the header row needs columns "${names.path}" and "${names.label}" (or "${LABELS_COLUMN}", several labels separated by "${LABEL_SEPARATOR}") (found: ${header?.map((h) => `"${h}"`).join(', ') || 'nothing'}); name other columns with --path-column and --label-column`,
    });
  }
  const splitIndex = header.indexOf(names.split);
  const listing: SourceListing = { origin: base.file, items: [], rejected: [], notices: [] };
  for (const { record, info } of records.slice(1)) {
    const line = info.lines;
    const reject = (error: unknown): void => {
      const coded = error instanceof SkulensError ? error : new SkulensError('ERR_DATASET_CSV_INVALID', { file: base.file, line, detail: reasonOf(error) });
      listing.rejected.push({ file: base.file, line, code: coded.code, reason: coded.message });
    };
    if (record.length !== header.length) {
      reject(new SkulensError('ERR_DATASET_CSV_INVALID', { file: base.file, line, detail: `${record.length} cells, the header has ${header.length}` }));
      continue;
    }
    const row = RowSchema.safeParse({ path: record[pathIndex], label: record[labelIndex], split: splitIndex >= 0 ? record[splitIndex]?.trim().toLowerCase() : undefined });
    if (!row.success) {
      reject(new SkulensError('ERR_DATASET_CSV_INVALID', { file: base.file, line, detail: row.error.issues.map((i) => (i.path[0] === 'split' ? `the ${names.split} cell must be train, test or empty` : i.message)).join('; ') }));
      continue;
    }
    const cellLabels = several ? [...new Set(row.data.label.split(LABEL_SEPARATOR).map((l) => l.trim()).filter(Boolean))] : [row.data.label];
    const unusable = cellLabels.map((label) => [label, labelProblem(label)] as const).find(([, problem]) => problem);
    if (unusable || cellLabels.length === 0) {
      reject(new SkulensError('ERR_DATASET_CSV_INVALID', { file: base.file, line, detail: unusable ? `label "${unusable[0]}" is not usable (${unusable[1]})` : 'the labels cell is empty' }));
      continue;
    }
    const metadata: Record<string, string> = {};
    header.forEach((name, i) => {
      if (i !== pathIndex && i !== labelIndex && i !== splitIndex && record[i] !== '') metadata[name] = record[i]!;
    });
    try {
      const resolved = await resolveRef(base, row.data.path, line, store);
      listing.items.push({
        ref: resolved.ref,
        line,
        labels: cellLabels.map((label) => ({ label, metadata: Object.keys(metadata).length ? metadata : null })),
        split: row.data.split ? row.data.split : null,
        read: resolved.read,
      });
    } catch (error) {
      reject(error);
    }
  }
  return listing;
}
