// Bounded random uploads (fast-check, fixed seed) against a real server on 127.0.0.1: zips with random
// entry names (climbs, absolute and drive paths, backslashes, hidden and system folders, control
// characters, long names), sizes, counts and nesting, cut short or corrupted, beside photos with random
// label fields. Whatever is sent, the answer is a 2xx or a coded 4xx in Rekognition's shape, never a 500;
// nothing is written outside the upload folder; and every byte drawn from the upload budget comes back.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { zipSync } from 'fflate';
import { ERRORS } from '../../src/errors.js';
import { call, multipartForm, startServer, trainedFixture, until, type Fixture, type Running } from './helpers.js';

let fixture: Fixture;
let running: Running;
const AWS_TYPES = new Set(Object.values(ERRORS).map((e) => e.awsType));
/** Every file name the fuzz writes carries it, so a file that escaped is found by name. */
const MARK = 'fzq';

before(async () => {
  fixture = await trainedFixture('serve-upload-fuzz');
  running = await startServer(fixture, {}, { throttle: { keyRequests: 0 }, uploads: { maxEntriesPerUpload: 120, maxBytesInFlight: 64 * 1024 * 1024 } });
  await call(running, 'CreateProject', { ProjectName: 'fuzz' });
});
after(async () => {
  await running.server.close();
  fixture.registry.close();
});

// Mostly names an honest zip has, with the nasty ones often enough to matter.
const segment = fc.oneof(
  { arbitrary: fc.constantFrom('boot', 'shoe', 'train', 'test', 'catalogue', 'ü'), weight: 8 },
  { arbitrary: fc.constantFrom('..', '.', '', '__MACOSX', '.hidden', 'C:', 'c:\\', '\\', '~', '\u0000', 'a\nb', '%2e%2e', 'x'.repeat(120)), weight: 1 },
  { arbitrary: fc.string({ maxLength: 10 }), weight: 1 },
);
const entryName = fc
  .tuple(fc.array(segment, { minLength: 0, maxLength: 5 }), fc.constantFrom('/', '/', '/', '\\'), fc.constantFrom('.jpg', '.JPG', '.png', '.webp', '.jpg', '.txt', '', '/'), fc.integer({ min: 0, max: 24 }).map((n) => n === 0))
  .map(([parts, separator, ext, absolute]) => `${absolute ? separator : ''}${[...parts, `${MARK}`].join(separator)}${ext}`);
const content = (photo: Uint8Array) =>
  fc.oneof(
    { arbitrary: fc.constant(photo), weight: 4 },
    { arbitrary: fc.constant(new Uint8Array(0)), weight: 1 },
    { arbitrary: fc.uint8Array({ maxLength: 2000 }), weight: 1 },
    { arbitrary: fc.integer({ min: 0, max: 200_000 }).map((n) => new Uint8Array(n)), weight: 1 },
  );
const zipArbitrary = (photo: Uint8Array) =>
  fc
    .tuple(
      fc.dictionary(entryName, content(photo), { minKeys: 1, maxKeys: 30 }),
      fc.constantFrom('whole', 'whole', 'whole', 'whole', 'cut', 'flip'),
      fc.double({ min: 0, max: 1, noNaN: true }),
      fc.constantFrom(0, 6),
    )
    .map(([files, mutation, at, level]) => {
      let zip: Uint8Array;
      try {
        zip = zipSync(files, { level: level as 0 | 6 });
      } catch {
        zip = new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3]);
      }
      const where = Math.floor(at * zip.length);
      if (mutation === 'cut') return zip.subarray(0, where);
      if (mutation === 'flip' && zip.length > 0) {
        const flipped = new Uint8Array(zip);
        flipped[Math.min(where, zip.length - 1)] = flipped[Math.min(where, zip.length - 1)]! ^ 0xff;
        return flipped;
      }
      return zip;
    });
const part = (photo: Uint8Array) =>
  fc.oneof(
    { arbitrary: zipArbitrary(photo).map((bytes) => ({ file: 'file', name: `${MARK}.zip`, bytes })), weight: 5 },
    { arbitrary: fc.oneof(fc.constantFrom('boot', 'shoe', 'boot', '../up', '.dot', 'a/b', ''), fc.string({ maxLength: 20 })).map((value) => ({ field: 'label', value })), weight: 1 },
    { arbitrary: content(photo).map((bytes) => ({ file: 'file', name: `${MARK}-photo.jpg`, bytes })), weight: 1 },
  );

/** Files under `dir` whose name carries the fuzz mark, outside the upload folders. */
function escaped(dir: string): string[] {
  const found: string[] = [];
  const uploads = path.join(fixture.home.tmp, 'uploads');
  const walk = (at: string): void => {
    for (const entry of fs.readdirSync(at, { withFileTypes: true })) {
      const full = path.join(at, entry.name);
      if (full === uploads) continue;
      if (entry.isDirectory()) walk(full);
      else if (entry.name.includes(MARK)) found.push(full);
    }
  };
  walk(dir);
  return found;
}

test('random upload forms are answered 200 or a coded 4xx, write nothing outside the upload folder and give their budget back', async () => {
  const photo = new Uint8Array(fixture.image);
  await fc.assert(
    fc.asyncProperty(fc.array(part(photo), { minLength: 1, maxLength: 4 }), async (parts) => {
      const form = multipartForm(parts);
      const what = JSON.stringify(parts.map((p) => ('field' in p ? p : { name: p.name, bytes: p.bytes.length })));
      const response = await fetch(`${running.url}/v1/datasets/upload?project=fuzz`, { method: 'POST', headers: { authorization: running.bearer, 'content-type': form.contentType }, body: form.body });
      const body = (await response.json()) as { __type?: string; Message?: string; Files?: number };
      assert.ok(response.status < 500, `${what}: ${response.status} ${JSON.stringify(body)}`);
      if (response.status >= 400) {
        assert.deepEqual(Object.keys(body).sort(), ['Message', '__type'], what);
        assert.ok(AWS_TYPES.has(body.__type as never), what);
        assert.ok(response.headers.get('x-skulens-error-code')?.startsWith('ERR_'), what);
      } else {
        assert.ok(body.Files! > 0, what);
      }
    }),
    { numRuns: 60, seed: 26 },
  );
  assert.deepEqual(escaped(fixture.root), []);
  // Each upload's files go once its import ends, and with them its share of the budget.
  await until(async () => {
    const state = running.server.uploads.inFlight();
    return state.bytes === 0 && state.entries === 0 ? true : undefined;
  }, 'the upload budget to come back', 60_000);
});
