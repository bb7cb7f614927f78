// Reads a zip's central directory from a file (ZIP64 included): every member's name, method, sizes and
// where its data starts, before a byte of any member is unpacked. That is what lets an upload be refused
// for its entry count, its paths or its declared sizes at once, and members be read one at a time.
import fs from 'node:fs';

export interface ZipMember {
  name: string;
  /** 0 stored, 8 deflated; anything else is refused by the unpacker. */
  method: number;
  encrypted: boolean;
  compressedSize: number;
  /** As declared; the unpacker trusts only what inflating produces. */
  size: number;
  localOffset: number;
}

/** Why a zip cannot be read (the caller turns it into a coded error). */
export class ZipFormatError extends Error {}

/** A zip declares more members than allowed; thrown before the directory is read. */
export class ZipTooManyEntries extends Error {
  constructor(readonly count: number) {
    super(`${count} entries`);
  }
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
/** A central directory larger than this is not one skulens reads (250,000 members fit in ~40 MB). */
const MAX_DIRECTORY_BYTES = 128 * 1024 * 1024;

function readAt(fd: number, offset: number, length: number): Buffer {
  const buffer = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const n = fs.readSync(fd, buffer, done, length - done, offset + done);
    if (n === 0) throw new ZipFormatError('the file ends early');
    done += n;
  }
  return buffer;
}

const u64 = (b: Buffer, at: number): number => Number(b.readBigUInt64LE(at));

/** The members of the zip open at `fd` (of `fileSize` bytes); more than `maxEntries` throws ZipTooManyEntries. */
export function readZipDirectory(fd: number, fileSize: number, maxEntries: number): ZipMember[] {
  const tailLength = Math.min(fileSize, 22 + 65535 + 20);
  const tail = readAt(fd, fileSize - tailLength, tailLength);
  let at = tail.length - 22;
  while (at >= 0 && tail.readUInt32LE(at) !== EOCD) at -= 1;
  if (at < 0) throw new ZipFormatError('no end of central directory record');
  let entries = tail.readUInt16LE(at + 10);
  let directorySize = tail.readUInt32LE(at + 12);
  let directoryOffset = tail.readUInt32LE(at + 16);
  if (at >= 20 && tail.readUInt32LE(at - 20) === ZIP64_LOCATOR) {
    const record = readAt(fd, u64(tail, at - 20 + 8), 56);
    if (record.readUInt32LE(0) !== ZIP64_EOCD) throw new ZipFormatError('a broken ZIP64 record');
    entries = u64(record, 32);
    directorySize = u64(record, 40);
    directoryOffset = u64(record, 48);
  }
  if (entries > maxEntries) throw new ZipTooManyEntries(entries);
  if (directorySize > MAX_DIRECTORY_BYTES || directoryOffset + directorySize > fileSize) throw new ZipFormatError('the central directory lies outside the file');
  const directory = readAt(fd, directoryOffset, directorySize);
  const members: ZipMember[] = [];
  let p = 0;
  for (let i = 0; i < entries; i += 1) {
    if (p + 46 > directory.length || directory.readUInt32LE(p) !== CENTRAL) throw new ZipFormatError(`central directory entry ${i + 1} is broken`);
    const flags = directory.readUInt16LE(p + 8);
    const nameLength = directory.readUInt16LE(p + 28);
    const extraLength = directory.readUInt16LE(p + 30);
    const commentLength = directory.readUInt16LE(p + 32);
    if (p + 46 + nameLength + extraLength > directory.length) throw new ZipFormatError(`central directory entry ${i + 1} is cut short`);
    const nameBytes = directory.subarray(p + 46, p + 46 + nameLength);
    const member: ZipMember = {
      name: nameBytes.toString(flags & 0x800 ? 'utf8' : 'latin1'),
      method: directory.readUInt16LE(p + 10),
      encrypted: (flags & 1) === 1,
      compressedSize: directory.readUInt32LE(p + 20),
      size: directory.readUInt32LE(p + 24),
      localOffset: directory.readUInt32LE(p + 42),
    };
    applyZip64(member, directory.subarray(p + 46 + nameLength, p + 46 + nameLength + extraLength));
    members.push(member);
    p += 46 + nameLength + extraLength + commentLength;
  }
  return members;
}

/** ZIP64 extra field (id 1): the 64-bit sizes and offset of the fields that hold 0xFFFFFFFF, in this order. */
function applyZip64(member: ZipMember, extra: Buffer): void {
  const FULL = 0xffffffff;
  for (let q = 0; q + 4 <= extra.length; ) {
    const id = extra.readUInt16LE(q);
    const length = extra.readUInt16LE(q + 2);
    if (id === 1) {
      let r = q + 4;
      const next = (): number => {
        if (r + 8 > q + 4 + length) throw new ZipFormatError(`"${member.name}" has a broken ZIP64 field`);
        const value = u64(extra, r);
        r += 8;
        return value;
      };
      if (member.size === FULL) member.size = next();
      if (member.compressedSize === FULL) member.compressedSize = next();
      if (member.localOffset === FULL) member.localOffset = next();
      return;
    }
    q += 4 + length;
  }
}

/** Where a member's data starts (after its local header), checked to lie inside the file. */
export function memberDataOffset(fd: number, fileSize: number, member: ZipMember): number {
  if (member.localOffset + 30 > fileSize) throw new ZipFormatError(`"${member.name}" points outside the file`);
  const header = readAt(fd, member.localOffset, 30);
  if (header.readUInt32LE(0) !== LOCAL) throw new ZipFormatError(`"${member.name}" has no local header`);
  const start = member.localOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
  if (start + member.compressedSize > fileSize) throw new ZipFormatError(`"${member.name}" runs past the end of the file`);
  return start;
}

/** Reads `length` bytes at `offset` (a member's compressed data). */
export function readMemberData(fd: number, offset: number, length: number): Buffer {
  return readAt(fd, offset, length);
}
