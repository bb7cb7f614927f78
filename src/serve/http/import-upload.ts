// POST /v1/datasets/upload: a dataset import from the request itself (the console's drag and drop),
// for people without a folder on the server. The form holds zips of label folders (optionally under
// train/ and test/) and photos, each photo under the label of the last "label" field before it:
//   curl -H "Authorization: Bearer $ID:$SECRET" -F file=@catalogue.zip "http://127.0.0.1:8080/v1/datasets/upload?project=shop&type=TRAIN"
// Order of work: the caller and its role are proven from the headers (a SigV4 upload signs its payload
// hash) -> the raw body is spooled to a file under the home's tmp/uploads, hashed as it comes -> the hash
// is checked against the signed one -> only then is the form parsed, each part written to disk -> zips
// are unpacked on a worker thread, one upload at a time, within the server-wide upload budget -> the
// folder is imported in the background like CreateDataset, and removed (its budget given back) after.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { LIMITS } from '../../dataset/index.js';
import { SkulensError } from '../../errors.js';
import { guardResources } from '../../home/index.js';
import { checkLabel } from '../../labels/index.js';
import { datasetArn, parseProjectArn } from '../../registry/index.js';
import { checkStreamedBody } from './auth-hooks.js';
import { readForm } from './multipart.js';
import { describeIssues, type ApiContext } from './operation.js';
import { ERROR_RESPONSE } from './openapi.js';
import { uploadsDir } from './ops-console.js';
import { isZip, sniffFormat } from './sniff.js';
import { spoolBody } from './spool.js';
import type { UploadBudget, UploadLease } from './upload-budget.js';
import { UPLOAD_OPERATION as OPERATION } from './unpack-zip.js';
import { removeInWorker, unpackInWorker } from './unzip.js';

/** The largest upload body (all zips and photos of a form together). */
export const MAX_UPLOAD_BYTES = 1024 * 1024 * 1024;
/** The most bytes a form's zips may unpack to. */
export const MAX_UNPACKED_BYTES = 2 * 1024 * 1024 * 1024;

const QuerySchema = z.object({ project: z.string().min(1), type: z.enum(['TRAIN', 'TEST']).default('TRAIN') });

export const IMPORT_UPLOAD_PATH = {
  '/v1/datasets/upload': {
    post: {
      operationId: 'UploadDataset',
      summary:
        "skulens (key role train): imports the uploaded zips of label folders (or train/ and test/ folders of label folders) and photos (each under the last \"label\" field before it) into a project's TRAIN or TEST side, in the background (poll DescribeDataset). Query: project, type (TRAIN default). At most 1 GB, 2 GB unpacked, 250,000 zip entries; a SigV4 upload signs X-Amz-Content-Sha256 (the body's SHA-256, or UNSIGNED-PAYLOAD).",
      requestBody: { required: true, content: { 'multipart/form-data': { schema: { type: 'object', properties: { label: { type: 'string' }, file: { type: 'array', items: { type: 'string', format: 'binary' } } } } } } },
      responses: { '200': { description: 'OK', content: { 'application/json': { schema: { type: 'object', properties: { DatasetArn: { type: 'string' }, Files: { type: 'integer' } } } } } }, default: ERROR_RESPONSE },
    },
  },
};

const refuse = (detail: string): SkulensError => new SkulensError('ERR_MULTIPART_INVALID', { operation: OPERATION, detail });

/** Removes `dir` and gives its budget back once the import of `project`'s `split` side has finished. */
function removeWhenImported(ctx: ApiContext, project: string, split: 'train' | 'test', dir: string, lease: UploadLease): void {
  const timer = setInterval(() => {
    const state = ctx.work.importState(project, split);
    if (state && state.status.endsWith('IN_PROGRESS')) return;
    clearInterval(timer);
    void removeInWorker(dir).finally(() => lease.release());
  }, 1000);
  timer.unref();
}

/** Parses the spooled form into `dir`: photos under their label folders, zips set aside for the worker. */
async function writeParts(request: { headers: Record<string, string | string[] | undefined> }, body: string, dir: string, lease: UploadLease): Promise<{ zips: { file: string; bytes: number }[]; photos: number }> {
  const zips: { file: string; bytes: number }[] = [];
  let photos = 0;
  let label: string | undefined;
  let part = 0;
  await readForm(request.headers, fs.createReadStream(body), { fileSize: MAX_UPLOAD_BYTES, files: 20_000, fields: 20_000, parts: 40_000 }, {
    field: (name, value) => {
      if (name === 'label') label = checkLabel(value.trim(), 'the "label" field', { folder: true });
    },
    file: async (_name, filename, stream) => {
      part += 1;
      const file = path.join(dir, '.parts', String(part));
      let bytes = 0;
      stream.on('data', (chunk: Buffer) => (bytes += chunk.length));
      await pipeline(stream, fs.createWriteStream(file, { flags: 'wx' }));
      lease.draw(bytes);
      const head = Buffer.alloc(12);
      const fd = await fsp.open(file, 'r');
      await fd.read(head, 0, 12, 0).finally(() => fd.close());
      if (isZip(head)) return void zips.push({ file, bytes });
      const name = path.basename(filename || 'image').replace(/[^\w.-]/g, '_');
      if (!label) throw refuse(`the photo "${name}" has no label: send a "label" field before it (or upload a zip of label folders)`);
      const format = sniffFormat(head);
      if (format === undefined) throw new SkulensError('ERR_IMAGE_FORMAT_UNSUPPORTED', { file: name, format: 'of an unknown format' });
      if (format === 'heic') throw new SkulensError('ERR_IMAGE_HEIC', { file: name });
      if (bytes > LIMITS.maxFileBytes) throw new SkulensError('ERR_IMAGE_TOO_LARGE', { file: name, detail: `${bytes} bytes; at most ${LIMITS.maxFileBytes}` });
      lease.draw(0, 1);
      await fsp.mkdir(path.join(dir, label), { recursive: true });
      await fsp.rename(file, path.join(dir, label, `${part}-${name}`));
      photos += 1;
    },
  }, OPERATION);
  return { zips, photos };
}

export async function registerImportUpload(app: FastifyInstance, ctx: ApiContext, budget: UploadBudget): Promise<void> {
  await app.register(async (scope) => {
    // The body is read by the handler (spooled, then parsed from the file), never by a parser.
    scope.addContentTypeParser('multipart/form-data', (_request, _payload, done) => done(null));
    scope.post('/v1/datasets/upload', { config: { role: 'train', streamBody: true } }, async (request) => {
      const query = QuerySchema.safeParse(request.query);
      if (!query.success) throw new SkulensError('ERR_REQUEST_INVALID', { operation: OPERATION, detail: describeIssues(query.error) });
      const project = ctx.registry.projects.get(parseProjectArn(query.data.project));
      const split = query.data.type === 'TEST' ? ('test' as const) : ('train' as const);
      const dir = path.join(uploadsDir(ctx), randomUUID());
      const lease = budget.lease();
      let files = 0;
      try {
        await guardResources('receiving an upload', ctx.home, async () => {
          await fsp.mkdir(path.join(dir, '.parts'), { recursive: true });
          const body = await spoolBody(request.raw, path.join(dir, '.body'), MAX_UPLOAD_BYTES, lease, OPERATION);
          checkStreamedBody(request, body.sha256);
          const { zips, photos } = await writeParts(request, body.file, dir, lease);
          await fsp.rm(body.file);
          lease.give(body.bytes);
          files = photos;
          let listed = photos;
          if (listed > budget.maxEntriesPerUpload) throw new SkulensError('ERR_UPLOAD_TOO_MANY_ENTRIES', { operation: OPERATION, count: listed, max: budget.maxEntriesPerUpload });
          let unpacked = 0;
          for (const zip of zips) {
            const limits = { maxFileBytes: LIMITS.maxFileBytes, maxBytes: MAX_UNPACKED_BYTES - unpacked, maxEntries: budget.maxEntriesPerUpload - listed };
            const drawn = await unpackInWorker(budget, lease, zip.file, dir, limits, ctx.home.root);
            files += drawn.files;
            listed += drawn.listed;
            unpacked += drawn.bytes;
            await fsp.rm(zip.file);
            lease.give(zip.bytes);
          }
          await fsp.rm(path.join(dir, '.parts'), { recursive: true, force: true });
        });
        if (files === 0) throw new SkulensError('ERR_DATASET_EMPTY', { project: project.name, detail: ': the upload held no JPEG, PNG, WebP, AVIF, TIFF or GIF images' });
        ctx.work.startImport(project.name, split, dir, split === 'test' ? 'test' : undefined);
      } catch (error) {
        await removeInWorker(dir);
        lease.release();
        throw error;
      }
      removeWhenImported(ctx, project.name, split, dir, lease);
      return { DatasetArn: datasetArn(project, query.data.type), Files: files };
    });
  });
}
