// Files packed inside a .tflite by TFLite's metadata writer (for example a classifier's labels.txt).
// The writer appends them as a zip archive after the flatbuffer, so the file is both a valid model and
// a valid zip; this reads that archive's central directory. Stored and deflated entries are supported.
import { inflateRawSync } from 'node:zlib';
import { TfliteFormatError } from './read.js';

const END_OF_DIRECTORY = 0x06054b50;
const DIRECTORY_ENTRY = 0x02014b50;
const LOCAL_HEADER = 0x04034b50;

/**
 * The associated files of a .tflite, by name; an empty map when nothing is appended.
 *
 * @throws TfliteFormatError when an archive is present but damaged.
 */
export function associatedFiles(bytes: Uint8Array): Map<string, Uint8Array> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const files = new Map<string, Uint8Array>();
  // The end record is 22 bytes plus a comment of at most 65535 bytes.
  let end = -1;
  for (let k = bytes.length - 22; k >= Math.max(0, bytes.length - 22 - 0xffff); k--) {
    if (view.getUint32(k, true) === END_OF_DIRECTORY) {
      end = k;
      break;
    }
  }
  if (end < 0) return files;
  const count = view.getUint16(end + 10, true);
  const directorySize = view.getUint32(end + 12, true);
  // Offsets in the archive are relative to its own start, which lies after the model bytes.
  const directoryStart = end - directorySize;
  const base = directoryStart - view.getUint32(end + 16, true);
  const damaged = (detail: string): TfliteFormatError => new TfliteFormatError(`the zip archive appended to the model is damaged: ${detail}`);
  if (base < 0) throw damaged('its directory lies outside the file');
  const decoder = new TextDecoder();
  let at = directoryStart;
  for (let k = 0; k < count; k++) {
    if (at + 46 > end || view.getUint32(at, true) !== DIRECTORY_ENTRY) throw damaged(`entry ${k} has no directory record`);
    const method = view.getUint16(at + 10, true);
    const compressed = view.getUint32(at + 20, true);
    const size = view.getUint32(at + 24, true);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    const local = base + view.getUint32(at + 42, true);
    const name = decoder.decode(bytes.subarray(at + 46, at + 46 + nameLength));
    at += 46 + nameLength + extraLength + commentLength;
    if (local + 30 > bytes.length || view.getUint32(local, true) !== LOCAL_HEADER) throw damaged(`"${name}" has no local header`);
    const dataStart = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    const raw = bytes.subarray(dataStart, dataStart + compressed);
    if (raw.length !== compressed) throw damaged(`"${name}" is cut short`);
    let data: Uint8Array;
    if (method === 0) data = raw;
    else if (method === 8) data = new Uint8Array(inflateRawSync(raw));
    else throw damaged(`"${name}" uses compression method ${method}`);
    if (data.length !== size) throw damaged(`"${name}" holds ${data.length} bytes, ${size} expected`);
    files.set(name, data);
  }
  return files;
}

/**
 * Class names from a packed labels file: one per line, blank trailing lines dropped. Looks for
 * `labels.txt`, then any `*labels*.txt`; undefined when there is none.
 */
export function packedLabels(bytes: Uint8Array): { file: string; labels: string[] } | undefined {
  const files = associatedFiles(bytes);
  const name = files.has('labels.txt') ? 'labels.txt' : [...files.keys()].sort().find((n) => /labels.*\.txt$/i.test(n));
  if (!name) return undefined;
  const labels = new TextDecoder().decode(files.get(name)).split(/\r?\n/).map((line) => line.trim());
  while (labels.length > 0 && labels.at(-1) === '') labels.pop();
  return { file: name, labels };
}
