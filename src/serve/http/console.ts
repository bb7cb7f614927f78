// The web console's routes: its static files at / (built by Vite into dist/console; index.html never
// cached, hashed assets cached for a year), GET /v1/caller (who the key is and what its role may do)
// and GET /v1/thumbnails/<sha256> (a small WebP of a stored image, made with sharp and cached in the home).
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';
import sharp from 'sharp';
import { ROLES, roleAllows } from '../../auth/index.js';
import { SkulensError } from '../../errors.js';
import { resourceErrorOf, writeFileAtomic } from '../../home/index.js';
import { callerOf } from './auth-hooks.js';
import type { ApiContext } from './operation.js';
import { ERROR_RESPONSE } from './openapi.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
/** dist/console from src/serve/http (tsx) or from dist/serve/http (built). */
const CANDIDATES = [path.resolve(HERE, '..', '..', '..', 'dist', 'console'), path.resolve(HERE, '..', '..', 'console')];

const TYPES: Readonly<Record<string, string>> = Object.freeze({
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
});

const THUMB_SIZES = [96, 160, 320] as const;
const SHA256 = /^[0-9a-f]{64}$/;

/** Where the built console lives, if it was built. */
export function consoleDir(): string | undefined {
  return CANDIDATES.find((dir) => fs.existsSync(path.join(dir, 'index.html')));
}

/** OpenAPI description of the console's API routes. */
export const CONSOLE_PATHS = {
  '/v1/caller': {
    get: {
      operationId: 'DescribeCaller',
      summary: "skulens: the calling key's id, name and role, and which roles' work it may do (the console hides the rest).",
      responses: { '200': { description: 'OK', content: { 'application/json': { schema: { type: 'object', properties: { KeyId: { type: 'string' }, Role: { type: 'string' }, Allows: { type: 'array', items: { type: 'string' } } } } } } }, default: ERROR_RESPONSE },
    },
  },
  '/v1/thumbnails/{sha256}': {
    get: {
      operationId: 'GetThumbnail',
      summary: 'skulens (key role train): a WebP thumbnail (long side 96, 160 or 320 px: ?size=) of an imported image, by the Sha256 that ListDatasetImages and DescribeDatasetHealth give.',
      parameters: [
        { name: 'sha256', in: 'path', required: true, schema: { type: 'string' } },
        { name: 'size', in: 'query', required: false, schema: { type: 'integer', enum: [...THUMB_SIZES] } },
      ],
      responses: { '200': { description: 'image/webp' }, default: ERROR_RESPONSE },
    },
  },
};

async function blobOf(ctx: ApiContext, sha256: string): Promise<string> {
  const folder = path.join(ctx.home.blobs, sha256.slice(0, 2));
  const names = await fsp.readdir(folder).catch(() => [] as string[]);
  const name = names.find((n) => n.startsWith(`${sha256}.`));
  if (!name) throw new SkulensError('ERR_PATH_NOT_FOUND', { path: `image sha256:${sha256}` });
  return path.join(folder, name);
}

async function thumbnail(ctx: ApiContext, sha256: string, size: number): Promise<Buffer> {
  const cached = path.join(ctx.home.root, 'cache', 'thumbnails', sha256.slice(0, 2), `${sha256}-${size}.webp`);
  try {
    return await fsp.readFile(cached);
  } catch {
    const bytes = await sharp(await blobOf(ctx, sha256), { limitInputPixels: 4096 * 4096 })
      .rotate()
      .resize(size, size, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 75 })
      .toBuffer();
    // The cache is a convenience: on a read-only or full home the thumbnail is still served, uncached.
    await fsp
      .mkdir(path.dirname(cached), { recursive: true })
      .then(() => writeFileAtomic(cached, bytes))
      .catch((error: unknown) => {
        if (!resourceErrorOf(error, 'caching a thumbnail', ctx.home)) throw error;
      });
    return bytes;
  }
}

async function sendStatic(dir: string, file: string, reply: FastifyReply): Promise<Buffer> {
  const ext = path.extname(file);
  reply.header('content-type', TYPES[ext] ?? 'application/octet-stream');
  reply.header('x-content-type-options', 'nosniff');
  // Vite names assets by content hash: they never change; index.html names the current ones.
  reply.header('cache-control', file.startsWith(`assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache');
  if (ext === '.html') reply.header('content-security-policy', "default-src 'self'; img-src 'self' blob: data:; style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'");
  return fsp.readFile(path.join(dir, file));
}

/** Registers the console's static files and its two GET routes. */
export function registerConsole(app: FastifyInstance, ctx: ApiContext): void {
  app.get('/v1/caller', { config: { role: 'detect' } }, async (request) => {
    const caller = callerOf(request);
    return { KeyId: caller.keyId, Role: caller.role, Allows: ROLES.filter((role) => roleAllows(caller.role, role)) };
  });

  // Thumbnails are training photos: for the people who curate datasets, not for a storefront's key.
  app.get<{ Params: { sha256: string }; Querystring: { size?: string } }>('/v1/thumbnails/:sha256', { config: { role: 'train' } }, async (request, reply) => {
    const { sha256 } = request.params;
    if (!SHA256.test(sha256)) throw new SkulensError('ERR_ARGUMENT_INVALID', { field: 'sha256', detail: 'give the 64 hex digits ListDatasetImages returns' });
    const size = Number(request.query.size ?? 160);
    if (!(THUMB_SIZES as readonly number[]).includes(size)) throw new SkulensError('ERR_ARGUMENT_INVALID', { field: 'size', detail: `one of ${THUMB_SIZES.join(', ')}` });
    const bytes = await thumbnail(ctx, sha256, size);
    reply.header('content-type', 'image/webp').header('cache-control', 'private, max-age=86400, immutable');
    return bytes;
  });

  const dir = consoleDir();
  app.get<{ Params: { '*': string } }>('/*', { config: { role: 'public' } }, async (request, reply) => {
    if (!dir) {
      reply.header('content-type', 'text/plain; charset=utf-8').code(404);
      return 'The web console is not built: run `npm run build` (it runs `vite build` into dist/console).';
    }
    const wanted = path.normalize(request.params['*'] || 'index.html');
    const inside = !wanted.startsWith('..') && !path.isAbsolute(wanted);
    if (inside && fs.existsSync(path.join(dir, wanted)) && fs.statSync(path.join(dir, wanted)).isFile()) return sendStatic(dir, wanted, reply);
    // A path that is not a file is a console page (client-side routes), unless it looks like a file.
    if (request.url.startsWith('/v1/')) throw new SkulensError('ERR_OPERATION_UNKNOWN', { operation: `GET ${request.url}`, known: 'the console at /, GET /v1/openapi.json, GET /health' });
    if (path.extname(wanted) !== '') throw new SkulensError('ERR_PATH_NOT_FOUND', { path: `console file ${wanted}` });
    return sendStatic(dir, 'index.html', reply);
  });
}
