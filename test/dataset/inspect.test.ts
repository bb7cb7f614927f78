import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import sharp from 'sharp';
import { differenceHash, hammingDistance, inspectImage, sha256Hex } from '../../src/dataset/index.js';
import { isSkulensError, type ErrorCode } from '../../src/errors.js';
import { jpeg, png, pngWithClaimedSize, webp } from '../helpers/fixtures.js';

const rejectsWith = (code: ErrorCode, file: string) => (e: unknown) => isSkulensError(e, code) && e.message.includes(file);

/** A 90x80 image of nine vertical grey bands, each 10 px wide, of the given levels from left to right. */
function bands(levels: readonly number[]): Promise<Buffer> {
  const width = 90;
  const height = 80;
  const raw = Buffer.alloc(width * height);
  for (let y = 0; y < height; y += 1) for (let x = 0; x < width; x += 1) raw[y * width + x] = levels[Math.floor(x / 10)] as number;
  return sharp(raw, { raw: { width, height, channels: 1 } }).png().toBuffer();
}

test('inspectImage reports format, size, byte count and sha256 of a JPEG, a PNG and a WebP', async () => {
  for (const [format, bytes] of [
    ['jpeg', await jpeg(1, 120, 90)],
    ['png', await png(2, 120, 90)],
    ['webp', await webp(3, 120, 90)],
  ] as const) {
    const facts = await inspectImage(bytes, `photo.${format}`);
    assert.deepEqual(
      { format: facts.format, width: facts.width, height: facts.height, bytes: facts.bytes, sha256: facts.sha256 },
      { format, width: 120, height: 90, bytes: bytes.length, sha256: sha256Hex(bytes) },
    );
    assert.match(facts.dhash, /^[0-9a-f]{16}$/);
  }
});

test('inspectImage accepts AVIF, TIFF and GIF, which sharp decodes, with their format names', async () => {
  const photo = sharp(await png(6, 120, 90));
  for (const [format, bytes] of [
    ['avif', await photo.clone().avif().toBuffer()],
    ['tiff', await photo.clone().tiff().toBuffer()],
    ['gif', await photo.clone().gif().toBuffer()],
  ] as const) {
    const facts = await inspectImage(bytes, `photo.${format}`);
    assert.deepEqual([facts.format, facts.width, facts.height], [format, 120, 90]);
  }
});

test('an iPhone HEIC photo is refused with ERR_IMAGE_HEIC naming the file and how to convert it', async () => {
  const heic = fs.readFileSync(new URL('../fixtures/green-64.heic', import.meta.url));
  await assert.rejects(inspectImage(heic, 'IMG_0001.HEIC'), (e) => isSkulensError(e, 'ERR_IMAGE_HEIC') && e.message.startsWith('Image IMG_0001.HEIC is HEIC') && e.message.includes('heif-convert'));
});

test('inspectImage reports the size after EXIF orientation', async () => {
  const rotated = await sharp(await png(4, 120, 80)).jpeg().withMetadata({ orientation: 6 }).toBuffer();
  const facts = await inspectImage(rotated, 'rotated.jpg');
  assert.deepEqual([facts.width, facts.height], [80, 120]);
});

test('a truncated JPEG is refused with ERR_IMAGE_TRUNCATED naming the file', async () => {
  const whole = await jpeg(5, 200, 160);
  await assert.rejects(inspectImage(whole.subarray(0, Math.floor(whole.length / 2)), '/shop/boot/cut.jpg'), rejectsWith('ERR_IMAGE_TRUNCATED', '/shop/boot/cut.jpg'));
});

test('a truncated PNG is refused with ERR_IMAGE_TRUNCATED', async () => {
  const whole = await png(9, 200, 160);
  await assert.rejects(inspectImage(whole.subarray(0, Math.floor(whole.length * 0.6)), 'cut.png'), rejectsWith('ERR_IMAGE_TRUNCATED', 'cut.png'));
});

test('an animated WebP is refused with ERR_IMAGE_ANIMATED and its frame count', async () => {
  const animated = await sharp([await png(11), await png(12)], { join: { animated: true } }).webp().toBuffer();
  await assert.rejects(inspectImage(animated, 'spin.webp'), (e) => isSkulensError(e, 'ERR_IMAGE_ANIMATED') && e.details.frames === 2 && e.message.includes('spin.webp'));
});

test('a text file is refused with ERR_IMAGE_FORMAT_UNSUPPORTED', async () => {
  await assert.rejects(inspectImage(Buffer.from('not a picture at all\n'), 'notes.jpg'), rejectsWith('ERR_IMAGE_FORMAT_UNSUPPORTED', 'notes.jpg'));
});

test('an empty file is refused with ERR_IMAGE_UNREADABLE', async () => {
  await assert.rejects(inspectImage(new Uint8Array(0), 'empty.jpg'), (e) => isSkulensError(e, 'ERR_IMAGE_UNREADABLE') && /empty/.test(e.message));
});

test('an SVG, which sharp renders but a product photo never is, is refused with ERR_IMAGE_FORMAT_UNSUPPORTED naming its format', async () => {
  const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><rect width="100" height="100" fill="red"/></svg>');
  await assert.rejects(inspectImage(svg, 'logo.svg'), (e) => isSkulensError(e, 'ERR_IMAGE_FORMAT_UNSUPPORTED') && e.details.format === 'svg');
});

test('an animated GIF is refused at import with ERR_IMAGE_ANIMATED (which frame is the photo is ambiguous)', async () => {
  const animated = await sharp([await png(11), await png(12)], { join: { animated: true } }).gif().toBuffer();
  await assert.rejects(inspectImage(animated, 'spin.gif'), (e) => isSkulensError(e, 'ERR_IMAGE_ANIMATED') && e.details.frames === 2);
});

test('an image under 64 px on a side is refused with ERR_IMAGE_TOO_SMALL', async () => {
  await assert.rejects(
    inspectImage(await jpeg(7, 32, 32), 'tiny.jpg'),
    (e) => isSkulensError(e, 'ERR_IMAGE_TOO_SMALL') && e.details.width === 32 && e.details.height === 32 && e.details.min === 64,
  );
});

test('an image over 4096 px on a side is refused with ERR_IMAGE_TOO_LARGE', async () => {
  const wide = await sharp({ create: { width: 4100, height: 64, channels: 3, background: '#808080' } }).png().toBuffer();
  await assert.rejects(inspectImage(wide, 'wide.png'), rejectsWith('ERR_IMAGE_TOO_LARGE', 'wide.png'));
});

test('a file over the byte limit is refused with ERR_IMAGE_TOO_LARGE before it is decoded', async () => {
  await assert.rejects(inspectImage(Buffer.alloc(2048, 1), 'big.jpg', { maxFileBytes: 1024 }), (e) => isSkulensError(e, 'ERR_IMAGE_TOO_LARGE') && /2048 bytes/.test(e.message));
});

test('a PNG whose header claims 100000x100000 px is refused with ERR_IMAGE_TOO_LARGE from its header alone', async () => {
  // The IDAT holds 64 bytes: had the pixels been decoded, the error would be a decode failure.
  const bomb = pngWithClaimedSize(100_000, 100_000);
  const header = await sharp(bomb, { limitInputPixels: false }).metadata();
  assert.deepEqual([header.format, header.width, header.height], ['png', 100_000, 100_000]);
  await assert.rejects(inspectImage(bomb, 'bomb.png'), rejectsWith('ERR_IMAGE_TOO_LARGE', 'bomb.png'));
});

test('the dHash of bands getting darker left to right has every bit set, and of lighter bands none', async () => {
  const falling = [240, 210, 180, 150, 120, 90, 60, 30, 0];
  assert.equal(await differenceHash(await bands(falling)), 'ffffffffffffffff');
  assert.equal(await differenceHash(await bands([...falling].reverse())), '0000000000000000');
});

test('the dHash of one row pattern repeats its byte on all eight rows', async () => {
  // Bands alternate bright, dark, ...: pairs read 1 0 1 0 1 0 1 0 = 0xaa; starting dark gives 0x55.
  assert.equal(await differenceHash(await bands([200, 40, 200, 40, 200, 40, 200, 40, 200])), 'aaaaaaaaaaaaaaaa');
  assert.equal(await differenceHash(await bands([40, 200, 40, 200, 40, 200, 40, 200, 40])), '5555555555555555');
});

test('a re-encoded copy of an image has a dHash within a few bits of the original', async () => {
  const original = await png(8, 160, 120);
  const copy = await sharp(original).jpeg({ quality: 70 }).toBuffer();
  assert.ok(hammingDistance(await differenceHash(original), await differenceHash(copy)) <= 4);
});

test('hammingDistance counts differing bits of two 64-bit hex hashes', () => {
  assert.equal(hammingDistance('0000000000000000', '0000000000000000'), 0);
  assert.equal(hammingDistance('0000000000000000', '000000000000000f'), 4);
  assert.equal(hammingDistance('8000000000000001', '0000000000000000'), 2);
  assert.equal(hammingDistance('ffffffffffffffff', '0000000000000000'), 64);
  assert.equal(hammingDistance('a5a5a5a5a5a5a5a5', '5a5a5a5a5a5a5a5a'), 64);
});
