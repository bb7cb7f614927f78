// The result file of a batch: JSON Lines or CSV (dataset's csvRow: csv-stringify, formulas neutralised),
// appended one whole line per write(2) so a killed run leaves complete lines (at worst one torn tail
// line, which is cut off on resume), and read back on resume to learn which images are already done.
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { parse } from 'csv-parse/sync';
import { csvRow, restoreCell } from '../dataset/index.js';
import { SkulensError } from '../errors.js';
import type { PredictionLine } from '../predict/index.js';

export type BatchFormat = 'jsonl' | 'csv';

/** CSV columns: one row per image; `Labels` is "name:confidence" pairs joined by ";", most confident first. */
export const CSV_HEADER = 'Image,TopLabel,TopConfidence,Labels,ErrorCode,ErrorMessage';

/** The format named by `format`, else by the output's extension (.csv, else JSON Lines). */
export function resolveFormat(output: string, format?: BatchFormat): BatchFormat {
  if (format) return format;
  return path.extname(output).toLowerCase() === '.csv' ? 'csv' : 'jsonl';
}

/** One output line (with its newline) for a prediction. */
export function formatLine(line: PredictionLine, format: BatchFormat): string {
  if (format === 'jsonl') return `${JSON.stringify(line)}\n`;
  if ('Error' in line) return csvRow([line.Image, '', '', '', line.Error.Code, line.Error.Message]);
  const top = line.CustomLabels[0];
  const labels = line.CustomLabels.map((label) => `${label.Name}:${label.Confidence.toFixed(4)}`).join(';');
  return csvRow([line.Image, top?.Name ?? '', top ? top.Confidence.toFixed(4) : '', labels, '', '']);
}

/** Cuts a torn last line (no trailing newline) left by a killed writer. */
function repairTail(file: string): void {
  const size = fs.statSync(file).size;
  if (size === 0) return;
  const fd = fs.openSync(file, 'r+');
  try {
    const chunk = Buffer.alloc(Math.min(size, 64 * 1024));
    let end = size;
    // Walk back to the last newline; the torn tail of one line is never longer than a few KB, but be safe.
    while (end > 0) {
      const start = Math.max(0, end - chunk.length);
      fs.readSync(fd, chunk, 0, end - start, start);
      const at = chunk.subarray(0, end - start).lastIndexOf(0x0a);
      if (at >= 0) {
        if (start + at + 1 !== size) fs.ftruncateSync(fd, start + at + 1);
        return;
      }
      end = start;
    }
    fs.ftruncateSync(fd, 0);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The images already answered in `file` (missing file: none). Streams the file line by line, so memory
 * grows with the number of image paths, not with the results.
 */
export async function readDoneImages(file: string, format: BatchFormat): Promise<Set<string>> {
  const done = new Set<string>();
  if (!fs.existsSync(file)) return done;
  repairTail(file);
  const lines = readline.createInterface({ input: fs.createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let number = 0;
  for await (const text of lines) {
    number += 1;
    if (text === '' || (format === 'csv' && number === 1 && text === CSV_HEADER)) continue;
    try {
      const cell = format === 'jsonl' ? undefined : (parse(text) as string[][])[0]?.[0];
      const image = format === 'jsonl' ? (JSON.parse(text) as { Image?: unknown }).Image : cell === undefined ? undefined : restoreCell(cell);
      if (typeof image !== 'string') throw new Error('no Image field');
      done.add(image);
    } catch (error) {
      throw new SkulensError('ERR_ARGUMENT_INVALID', { field: 'output', detail: `${file} line ${number} is not a ${format} result line (${(error as Error).message}); give a new output file` }, { cause: error });
    }
  }
  return done;
}

/** Appends whole lines to the output; writes the CSV header into a new or empty file. */
export class LineAppender {
  private readonly fd: number;

  constructor(file: string, format: BatchFormat) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    this.fd = fs.openSync(file, 'a');
    if (format === 'csv' && fs.fstatSync(this.fd).size === 0) this.append(`${CSV_HEADER}\n`);
  }

  /** One write(2) on an O_APPEND file: a SIGKILL lands before or after it, never inside a line. */
  append(text: string): void {
    const bytes = Buffer.from(text, 'utf8');
    let offset = 0;
    while (offset < bytes.length) offset += fs.writeSync(this.fd, bytes, offset);
  }

  close(): void {
    fs.closeSync(this.fd);
  }
}
