// POST /v1/datasets/upload: a dataset import from the request itself (the console's drag and drop),
// for people without a folder on the server. The form holds zips of label folders (optionally under
// train/ and test/) and photos, each photo under the label of the last "label" field before it:
//   curl -H "Authorization: Bearer $ID:$SECRET" -F file=@catalogue.zip "http://127.0.0.1:8080/v1/datasets/upload?project=shop&type=TRAIN"
// The files are unpacked under the home's tmp/uploads (with the import's limits checked first: size,
// count, formats, no path that leaves the folder) and imported in the background like CreateDataset.
import { randomUUID } from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import { unzipSync } from 'fflate';
import { z } from 'zod';
import { LIMITS } from '../../dataset/index.js';
import { SkulensError } from '../../errors.js';
import { datasetArn, parseProjectArn } from '../../registry/index.js';
import { authorize, hashRawBody, verifyBody } from './auth-hooks.js';
import { sniffFormat } from './image-input.js';
import { describeIssues, type ApiContext } from './operation.js';
import { ERROR_RESPONSE } from './openapi.js';
import { uploadsDir } from './ops-console.js';

/** The largest upload (one zip or all photos of a form together). */
export const MAX_UPLOAD_BYTES = 1024 * 1024 * 1024;
/** The most bytes a form's zips may unpack to. */
export const MAX_UNPACKED_BYTES = 2 * 1024 * 1024 * 1024;
const OPERATION = 'POST /v1/datasets/upload';
const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.webp']);

const QuerySchema = z.object({ project: z.string().min(1), type: z.enum(['TRAIN', 'TEST']).default('TRAIN') });

export const IMPORT_UPLOAD_PATH = {
  '/v1/datasets/upload': {
    post: {
      operationId: 'UploadDataset',
      summary:
        "skulens: imports the uploaded zips of label folders (or train/ and test/ folders of label folders) and photos (each under the last \"label\" field before it) into a project's TRAIN or TEST side, in the background (poll DescribeDataset). Query: project, type (TRAIN default).",
      requestBody: { required: true, content: { 'multipart/form-data': { schema: { type: 'object', properties: { label: { type: 'string' }, file: { type: 'array', items: { type: 'string', format: 'binary' } } } } } } },
      responses: { '200': { description: 'OK', content: { 'application/json': { schema: { type: 'object', properties: { DatasetArn: { type: 'string' }, Files: { type: 'integer' } } } } } }, default: ERROR_RESPONSE },
    },
  },
};

function refuse(detail: string): SkulensError {
  return new SkulensError('ERR_MULTIPART_INVALID', { operation: OPERATION, detail });
}

/** The path of a zip member inside the upload folder, or undefined for members skipped (folders, system files, non-images). */
export function memberPath(name: string): string | undefined {
  const parts = name.replace(/\\/g, '/').split('/');
  if (name.startsWith('/') || /^[a-zA-Z]:/.test(name) || parts.includes('..')) throw refuse(`the zip member "${name}" leaves its folder; use relative paths`);
  if (name.endsWith('/') || parts.some((p) => p.startsWith('.') || p === '__MACOSX')) return undefined;
  if (!IMAGE_EXTENSIONS.has(path.extname(name).toLowerCase())) return undefined;
  return parts.filter((p) => p !== '').join('/');
}

/** Drops one folder that wraps everything (catalogue.zip holding catalogue/<label>/...). */
function unwrap(paths: string[]): string[] {
  const tops = new Set(paths.map((p) => p.split('/')[0]));
  const deep = paths.every((p) => p.split('/').length >= 3);
  return tops.size === 1 && deep ? paths.map((p) => p.split('/').slice(1).join('/')) : paths;
}

/** Unpacks a zip's image members into `dir`, keeping their folders; returns how many. */
export async function unpackZip(bytes: Uint8Array, dir: string, budget: { bytes: number; files: number }): Promise<number> {
  let members: Record<string, Uint8Array>;
  try {
    members = unzipSync(bytes, {
      filter: (file) => {
        if (memberPath(file.name) === undefined) return false;
        if (file.originalSize > LIMITS.maxFileBytes) throw refuse(`"${file.name}" is ${file.originalSize} bytes; an image may be at most ${LIMITS.maxFileBytes}`);
        budget.bytes -= file.originalSize;
        budget.files -= 1;
        if (budget.bytes < 0) throw new SkulensError('ERR_REQUEST_TOO_LARGE', { operation: OPERATION, detail: `the zips unpack to more than ${MAX_UNPACKED_BYTES} bytes` });
        if (budget.files < 0) throw new SkulensError('ERR_REQUEST_TOO_LARGE', { operation: OPERATION, detail: `more than ${LIMITS.maxImagesPerDataset} images` });
        return true;
      },
    });
  } catch (error) {
    if (error instanceof SkulensError) throw error;
    throw refuse(`the zip cannot be read (${(error as Error).message})`);
  }
  const names = Object.keys(members);
  const targets = unwrap(names.map((n) => memberPath(n)!));
  for (const [i, name] of names.entries()) {
    const data = members[name]!;
    if (data.length > LIMITS.maxFileBytes) throw refuse(`"${name}" unpacks to more than ${LIMITS.maxFileBytes} bytes`);
    const target = path.join(dir, targets[i]!);
    await fsp.mkdir(path.dirname(target), { recursive: true });
    await fsp.writeFile(target, data);
  }
  return names.length;
}

/** Removes `dir` once the import of `project`'s `split` side has finished. */
function removeWhenImported(ctx: ApiContext, project: string, split: 'train' | 'test', dir: string): void {
  const timer = setInterval(() => {
    const state = ctx.work.importState(project, split);
    if (state && state.status.endsWith('IN_PROGRESS')) return;
    clearInterval(timer);
    void fsp.rm(dir, { recursive: true, force: true });
  }, 1000);
  timer.unref();
}

export async function registerImportUpload(app: FastifyInstance, ctx: ApiContext): Promise<void> {
  await app.register(async (scope) => {
    await scope.register(multipart, { limits: { fileSize: MAX_UPLOAD_BYTES, files: 20_000, fields: 20_000, parts: 40_000 } });
    scope.post('/v1/datasets/upload', { config: { bodyInHandler: true } }, async (request) => {
      // A Bearer caller is known now; a SigV4 one once its body is read (checked again below).
      if (request.skulensAuth?.caller) authorize(request, 'train', OPERATION);
      hashRawBody(request);
      const query = QuerySchema.safeParse(request.query);
      if (!query.success) throw new SkulensError('ERR_REQUEST_INVALID', { operation: OPERATION, detail: describeIssues(query.error) });
      const project = ctx.registry.projects.get(parseProjectArn(query.data.project));
      const split = query.data.type === 'TEST' ? ('test' as const) : ('train' as const);
      const dir = path.join(uploadsDir(ctx), randomUUID());
      await fsp.mkdir(dir, { recursive: true });
      const budget = { bytes: MAX_UNPACKED_BYTES, files: LIMITS.maxImagesPerDataset };
      let label: string | undefined;
      let files = 0;
      let total = 0;
      try {
        try {
          for await (const part of request.parts()) {
            if (part.type === 'field') {
              if (part.fieldname === 'label') label = String(part.value).trim();
              continue;
            }
            const bytes = await part.toBuffer();
            total += bytes.length;
            if (total > MAX_UPLOAD_BYTES) throw new SkulensError('ERR_REQUEST_TOO_LARGE', { operation: OPERATION, detail: `more than ${MAX_UPLOAD_BYTES} bytes` });
            if (bytes.length >= 4 && bytes.readUInt32LE(0) === 0x04034b50) {
              files += await unpackZip(bytes, dir, budget);
            } else {
              const name = path.basename(part.filename || 'image').replace(/[^\w.-]/g, '_');
              if (!label) throw refuse(`the photo "${name}" has no label: send a "label" field before it (or upload a zip of label folders)`);
              if (sniffFormat(bytes) === undefined) throw new SkulensError('ERR_IMAGE_FORMAT_UNSUPPORTED', { file: name, format: 'of an unknown format' });
              if (bytes.length > LIMITS.maxFileBytes) throw new SkulensError('ERR_IMAGE_TOO_LARGE', { file: name, detail: `${bytes.length} bytes; at most ${LIMITS.maxFileBytes}` });
              if (label.includes('/') || label.includes('\\') || label.startsWith('.')) throw new SkulensError('ERR_LABEL_INVALID', { label, detail: 'a label may not contain "/" or "\\" or start with "."' });
              budget.files -= 1;
              if (budget.files < 0) throw new SkulensError('ERR_REQUEST_TOO_LARGE', { operation: OPERATION, detail: `more than ${LIMITS.maxImagesPerDataset} images` });
              await fsp.mkdir(path.join(dir, label), { recursive: true });
              await fsp.writeFile(path.join(dir, label, `${files}-${name}`), bytes);
              files += 1;
            }
          }
        } catch (error) {
          const status = (error as { statusCode?: number }).statusCode;
          if (error instanceof SkulensError || (status !== undefined && status < 500)) throw error;
          throw refuse((error as Error).message);
        }
        await verifyBody(request);
        authorize(request, 'train', OPERATION);
        if (files === 0) throw new SkulensError('ERR_DATASET_EMPTY', { project: project.name, detail: ': the upload held no JPEG, PNG or WebP images' });
        ctx.work.startImport(project.name, split, dir, split === 'test' ? 'test' : undefined);
      } catch (error) {
        await fsp.rm(dir, { recursive: true, force: true });
        throw error;
      }
      removeWhenImported(ctx, project.name, split, dir);
      return { DatasetArn: datasetArn(project, query.data.type), Files: files };
    });
  });
}
