// Which image format bytes start like (JPEG, PNG, WebP, AVIF, TIFF, GIF, and HEIC to name it), from their
// magic numbers alone: cheap enough for every part of an upload and every zip member, and free of native
// modules (the unzip worker uses it).

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** ISO-BMFF brands (the `ftyp` box) of HEIF files: AV1 inside is AVIF, HEVC inside is HEIC. */
const AVIF_BRANDS = new Set(['avif', 'avis']);
const HEIC_BRANDS = new Set(['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'mif1', 'msf1']);

export type SniffedFormat = 'jpeg' | 'png' | 'webp' | 'avif' | 'tiff' | 'gif' | 'heic';

const text = (bytes: Uint8Array, from: number, to: number): string => Buffer.from(bytes.subarray(from, to)).toString('latin1');

/** Which known format `bytes` starts like, if any. 'heic' is known only to be refused with how to convert it. */
export function sniffFormat(bytes: Uint8Array): SniffedFormat | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes.length >= 8 && Buffer.from(bytes.subarray(0, 8)).equals(PNG)) return 'png';
  if (bytes.length >= 12 && text(bytes, 0, 4) === 'RIFF' && text(bytes, 8, 12) === 'WEBP') return 'webp';
  if (bytes.length >= 6 && (text(bytes, 0, 6) === 'GIF87a' || text(bytes, 0, 6) === 'GIF89a')) return 'gif';
  if (bytes.length >= 4 && (text(bytes, 0, 4) === 'II*\0' || text(bytes, 0, 4) === 'MM\0*')) return 'tiff';
  if (bytes.length >= 12 && text(bytes, 4, 8) === 'ftyp') {
    const brand = text(bytes, 8, 12);
    if (AVIF_BRANDS.has(brand)) return 'avif';
    if (HEIC_BRANDS.has(brand)) return 'heic';
  }
  return undefined;
}

/** True when `bytes` start like a zip archive (a local file header). */
export function isZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && Buffer.from(bytes.buffer, bytes.byteOffset, 4).readUInt32LE(0) === 0x04034b50;
}
