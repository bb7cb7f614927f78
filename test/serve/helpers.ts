// Shared by the HTTP tests: a home with a tiny ONNX backbone (GlobalAveragePool of the pixels, so a
// training takes a second), a synthetic catalogue imported and one trained version, a real server on
// 127.0.0.1 port 0, an API key, and a small JSON client that records status, headers and body.
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { KeyStore } from '../../src/auth/index.js';
import { importFolder } from '../../src/dataset/index.js';
import { generateSyntheticCatalogue } from '../../src/demo/index.js';
import { resolveHome, type HomeLayout } from '../../src/home/index.js';
import { trainVersion } from '../../src/jobs/index.js';
import { Registry, versionArn, type Version } from '../../src/registry/index.js';
import { createServer, type SkulensServer } from '../../src/serve/index.js';
import { tinyBackboneRow, tinyOnnxModel } from '../backbone/fixtures.js';
import { tempDir } from '../helpers/fixtures.js';

export const TINY_ROW = tinyBackboneRow({ mean: [128, 128, 128], std: [64, 64, 64] }, 'GlobalAveragePool of the scaled input (test backbone)');

export interface Fixture {
  root: string;
  home: HomeLayout;
  registry: Registry;
  catalogue: string;
  labels: string[];
  version: Version;
  arn: string;
  /** A JPEG from the catalogue, to detect. */
  image: Buffer;
}

/** A home with the tiny backbone, project "shop" imported from a 5-label synthetic catalogue, and v1 trained. */
export async function trainedFixture(prefix: string): Promise<Fixture> {
  const root = tempDir(undefined, prefix);
  const home = resolveHome(path.join(root, 'home'), {});
  fs.mkdirSync(path.join(home.models, 'tiny'), { recursive: true });
  fs.writeFileSync(path.join(home.models, 'tiny', 'model.onnx'), tinyOnnxModel(8));
  fs.writeFileSync(path.join(home.models, 'tiny.backbone.json'), JSON.stringify(TINY_ROW));
  const catalogue = path.join(root, 'catalogue');
  const generated = await generateSyntheticCatalogue(catalogue, { perLabel: 6, size: 96 });
  const registry = Registry.open(home.database);
  registry.projects.create('shop');
  await importFolder(registry, home, 'shop', catalogue);
  const { version } = await trainVersion(registry, home, 'shop', { backbone: 'tiny', workers: 1 });
  const first = path.join(catalogue, generated.labels[0]!);
  const image = fs.readFileSync(path.join(first, fs.readdirSync(first).sort()[0]!));
  return { root, home, registry, catalogue, labels: generated.labels, version, arn: versionArn(version), image };
}

export interface Running {
  server: SkulensServer;
  url: string;
  keyId: string;
  secret: string;
  bearer: string;
}

/** Starts a server on 127.0.0.1:0 over the fixture's home, with one key; `env` holds its S3 settings (none by default). */
export async function startServer(fixture: Pick<Fixture, 'home' | 'registry'>, env: NodeJS.ProcessEnv = {}): Promise<Running> {
  const server = await createServer({ home: fixture.home, registry: fixture.registry, workers: 1, env });
  const url = await server.listen({ host: '127.0.0.1', port: 0 });
  const key = new KeyStore(fixture.registry, fixture.home).create('tests');
  return { server, url, keyId: key.id, secret: key.secret, bearer: `Bearer ${key.id}:${key.secret}` };
}

export interface Answer {
  status: number;
  headers: Headers;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON of many shapes; each test asserts it exactly
}

/** POST /v1/<operation> with a JSON body and the Bearer key. */
export async function call(running: Running, operation: string, body: unknown, authorization: string | null = running.bearer): Promise<Answer> {
  const response = await fetch(`${running.url}/v1/${operation}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

/** Polls `check` until it returns a value (not undefined), or fails after `timeoutMs`. */
export async function until<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Waits for a version's status. */
export function statusOf(running: Running, arn: string, wanted: string): Promise<string> {
  return until(async () => {
    const project = /project\/([^/]+)\//.exec(arn)![1]!;
    const answer = await call(running, 'DescribeProjectVersions', { ProjectArn: project });
    const found = (answer.body.ProjectVersionDescriptions as { ProjectVersionArn: string; Status: string }[]).find((d) => d.ProjectVersionArn === arn);
    return found?.Status === wanted ? wanted : undefined;
  }, `${arn} to be ${wanted}`);
}

/** A PNG that is `megabytes` large (random noise does not compress). */
export async function largePng(megabytes: number): Promise<Buffer> {
  const side = Math.ceil(Math.sqrt((megabytes * 1024 * 1024) / 3));
  const noise = Buffer.alloc(side * side * 3);
  for (let i = 0; i < noise.length; i += 1) noise[i] = (i * 2654435761) >>> 24;
  return sharp(noise, { raw: { width: side, height: side, channels: 3 } }).png({ compressionLevel: 0 }).toBuffer();
}
