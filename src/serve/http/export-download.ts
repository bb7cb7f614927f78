// GET /v1/versions/export?ProjectVersionArn=...: a trained version exported (src/export: model.onnx,
// labels.json, README.md) into a temporary folder under the home, then sent as one zip (fflate) named
// after the version. Key role train, like `skulens export`. The folder is removed once the zip is built.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { zipSync, type Zippable } from 'fflate';
import { SkulensError } from '../../errors.js';
import { exportVersion } from '../../export/index.js';
import { versionId } from '../../registry/index.js';
import type { ApiContext } from './operation.js';
import { ERROR_RESPONSE } from './openapi.js';

const ROUTE = '/v1/versions/export';

/** OpenAPI description of the export download. */
export const EXPORT_DOWNLOAD_PATH = {
  [ROUTE]: {
    get: {
      operationId: 'DownloadProjectVersionExport',
      summary:
        "skulens (key role train): a trained version as a zip of what `skulens export` writes: model.onnx (backbone + head in one graph), labels.json (labels, thresholds, preprocessing) and README.md. Single-label versions only (multi and groups heads are not exported yet).",
      parameters: [{ name: 'ProjectVersionArn', in: 'query', required: true, schema: { type: 'string' }, description: 'the ARN or <project>/<version>' }],
      responses: { '200': { description: 'application/zip' }, default: ERROR_RESPONSE },
    },
  },
};

/** Every file under `dir`, relative, '/'-separated. */
async function walk(dir: string, prefix = ''): Promise<string[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(entries.map((e) => (e.isDirectory() ? walk(path.join(dir, e.name), `${prefix}${e.name}/`) : Promise.resolve([`${prefix}${e.name}`]))));
  return nested.flat().sort();
}

export function registerExportDownload(app: FastifyInstance, ctx: ApiContext): void {
  app.get<{ Querystring: { ProjectVersionArn?: string } }>(ROUTE, { config: { role: 'train' } }, async (request, reply) => {
    const ref = request.query.ProjectVersionArn;
    if (!ref) throw new SkulensError('ERR_REQUEST_INVALID', { operation: `GET ${ROUTE}`, detail: 'ProjectVersionArn: the query parameter is required' });
    const version = ctx.registry.versions.resolve(ref);
    await fs.mkdir(ctx.home.tmp, { recursive: true });
    const dir = await fs.mkdtemp(path.join(ctx.home.tmp, 'export-'));
    const name = versionId(version).replace(/\//g, '-');
    let zip: Uint8Array;
    try {
      await exportVersion(ctx.registry, ctx.home, { project: version.project, name: version.name }, dir);
      // model.onnx is mostly float weights: stored, not deflated (deflating gains little and costs seconds).
      const zippable: Zippable = {};
      for (const rel of await walk(dir)) zippable[`${name}/${rel}`] = [new Uint8Array(await fs.readFile(path.join(dir, rel))), { level: rel.endsWith('.onnx') ? 0 : 6 }];
      zip = zipSync(zippable);
    } finally {
      // Gone before the answer leaves, so that nothing of an export outlives its request.
      await fs.rm(dir, { recursive: true, force: true });
    }
    return reply
      .header('content-type', 'application/zip')
      .header('content-disposition', `attachment; filename="${name}.zip"`)
      .send(Buffer.from(zip.buffer, zip.byteOffset, zip.byteLength));
  });
}
