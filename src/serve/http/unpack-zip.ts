// Unpacks the image members of one uploaded zip into an upload folder, synchronously (it runs in the
// unzip worker, never on the server's event loop). The central directory is read first: the entry count,
// every path and every declared size are checked before any member is written. Each member is then
// inflated on its own with a hard output limit (zlib's maxOutputLength), so a member that lies about its
// size stops at 15 MB, and the bytes written are drawn from the upload's and the server's budgets.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { SkulensError } from '../../errors.js';
import { resourceErrorOf } from '../../home/index.js';
import { sniffFormat } from './sniff.js';
import { ZipFormatError, ZipTooManyEntries, memberDataOffset, readMemberData, readZipDirectory, type ZipMember } from './zip-directory.js';

export const UPLOAD_OPERATION = 'POST /v1/datasets/upload';
const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.webp', '.avif', '.tif', '.tiff', '.gif', '.heic', '.heif']);
/** What is kept of a member that does not start like an image: enough for the import to say so. */
const NON_IMAGE_KEPT = 4096;

export interface UnpackLimits {
  /** Largest member once inflated (the image file limit). */
  maxFileBytes: number;
  /** Bytes this upload may still unpack. */
  maxBytes: number;
  /** Zip entries this upload may still hold (every entry counts, folders and skipped files too). */
  maxEntries: number;
}

/** What one unpack drew from the budgets and wrote. */
export interface Drawn {
  bytes: number;
  entries: number;
  files: number;
  /** Entries the zip's directory lists (each counts against the upload's entry limit). */
  listed: number;
}

const refuse = (detail: string): SkulensError => new SkulensError('ERR_MULTIPART_INVALID', { operation: UPLOAD_OPERATION, detail });

/** The path of a zip member inside the upload folder, or undefined for members skipped (folders, system files, non-images). */
export function memberPath(name: string): string | undefined {
  const parts = name.replace(/\\/g, '/').split('/');
  if (name.startsWith('/') || name.startsWith('\\') || /^[a-zA-Z]:/.test(name) || parts.includes('..') || name.includes('\0')) throw refuse(`the zip member "${name}" leaves its folder; use relative paths`);
  if (name.endsWith('/') || parts.some((p) => p.startsWith('.') || p === '__MACOSX')) return undefined;
  if (!IMAGE_EXTENSIONS.has(path.extname(name).toLowerCase())) return undefined;
  return parts.filter((p) => p !== '' && p !== '.').join('/');
}

/** Drops one folder that wraps everything (catalogue.zip holding catalogue/<label>/...). */
function unwrap(paths: string[]): string[] {
  const tops = new Set(paths.map((p) => p.split('/')[0]));
  const deep = paths.every((p) => p.split('/').length >= 3);
  return tops.size === 1 && deep ? paths.map((p) => p.split('/').slice(1).join('/')) : paths;
}

/** Inflates (or copies) one member, never producing more than `limit` bytes. */
function inflateMember(fd: number, fileSize: number, member: ZipMember, limit: number): Buffer {
  if (member.encrypted) throw refuse(`"${member.name}" is encrypted; zip it without a password`);
  if (member.method !== 0 && member.method !== 8) throw refuse(`"${member.name}" uses compression method ${member.method}; use deflate or store`);
  const tooLarge = (): SkulensError => refuse(`"${member.name}" unpacks to more than ${limit} bytes; an image may be at most ${limit}`);
  if (member.size > limit) throw tooLarge();
  // Deflate never grows data by more than a few bytes per 16 kB block: more input than this cannot fit the limit.
  if (member.compressedSize > limit + Math.ceil(limit / 1000) + 1024) throw tooLarge();
  const data = readMemberData(fd, memberDataOffset(fd, fileSize, member), member.compressedSize);
  if (member.method === 0) return data;
  try {
    return zlib.inflateRawSync(data, { maxOutputLength: limit });
  } catch (error) {
    // zlib stops at maxOutputLength with a RangeError; anything else is a broken stream.
    if (error instanceof RangeError) throw tooLarge();
    throw refuse(`"${member.name}" cannot be inflated (${(error as Error).message})`);
  }
}

/**
 * Unpacks `zip`'s image members under `dir`, drawing each written byte and member from `draw` (false: the
 * server has no room now). `drawn` is updated as it goes, so a failure still reports what it drew.
 *
 * @throws SkulensError ERR_UPLOAD_TOO_MANY_ENTRIES, ERR_REQUEST_TOO_LARGE, ERR_UPLOAD_BUSY,
 *   ERR_MULTIPART_INVALID, ERR_DISK_FULL / ERR_HOME_READ_ONLY.
 */
export function unpackZipFile(zip: string, dir: string, limits: UnpackLimits, draw: (bytes: number, entries: number) => boolean, drawn: Drawn, home?: { root: string }): void {
  const fd = fs.openSync(zip, 'r');
  try {
    const fileSize = fs.fstatSync(fd).size;
    let members: ZipMember[];
    try {
      members = readZipDirectory(fd, fileSize, limits.maxEntries);
    } catch (error) {
      if (error instanceof ZipTooManyEntries) throw new SkulensError('ERR_UPLOAD_TOO_MANY_ENTRIES', { operation: UPLOAD_OPERATION, count: error.count, max: limits.maxEntries });
      if (error instanceof ZipFormatError) throw refuse(`the zip cannot be read (${error.message})`);
      throw error;
    }
    drawn.listed += members.length;
    const kept = members.flatMap((member) => {
      const rel = memberPath(member.name);
      return rel === undefined ? [] : [{ member, rel }];
    });
    const targets = unwrap(kept.map((k) => k.rel));
    const root = path.resolve(dir) + path.sep;
    for (const [i, { member }] of kept.entries()) {
      const target = path.resolve(dir, targets[i]!);
      if (!target.startsWith(root)) throw refuse(`the zip member "${member.name}" leaves its folder; use relative paths`);
      let data = inflateMember(fd, fileSize, member, limits.maxFileBytes);
      if (sniffFormat(data) === undefined) data = data.subarray(0, NON_IMAGE_KEPT);
      if (drawn.bytes + data.length > limits.maxBytes) throw new SkulensError('ERR_REQUEST_TOO_LARGE', { operation: UPLOAD_OPERATION, detail: `the zips unpack to more than ${limits.maxBytes} bytes` });
      if (!draw(data.length, 1)) throw new SkulensError('ERR_UPLOAD_BUSY', { detail: 'other uploads hold the room for uploads in flight', seconds: 30 });
      drawn.bytes += data.length;
      drawn.entries += 1;
      try {
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.writeFileSync(target, data);
      } catch (error) {
        throw resourceErrorOf(error, 'unpacking an upload', home) ?? refuse(`"${member.name}" cannot be written (${(error as NodeJS.ErrnoException).code ?? 'error'}); does a folder have the name of a file?`);
      }
      drawn.files += 1;
    }
  } finally {
    fs.closeSync(fd);
  }
}
