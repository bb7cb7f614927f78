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
import { createServer, type ServerOptions, type SkulensServer } from '../../src/serve/index.js';
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

/**
 * A home with the tiny backbone, project "shop" imported from a 5-label synthetic catalogue, and v1
 * trained; in a fresh temp folder, or under `root` (a mount a test made).
 */
export async function trainedFixture(prefix: string, root: string = tempDir(undefined, prefix)): Promise<Fixture> {
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

/**
 * Starts a server on 127.0.0.1:0 over the fixture's home, with one admin key; `env` holds its S3 settings
 * (none by default), `options` any other server option (import roots, throttling).
 */
export async function startServer(fixture: Pick<Fixture, 'home' | 'registry'>, env: NodeJS.ProcessEnv = {}, options: Partial<ServerOptions> = {}): Promise<Running> {
  const server = await createServer({ home: fixture.home, registry: fixture.registry, workers: 1, env: { ...env, PATH: process.env.PATH }, ...options });
  const url = await server.listen({ host: '127.0.0.1', port: 0 });
  const key = new KeyStore(fixture.registry, fixture.home).create('tests', 'admin');
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

/** A multipart form of `parts` (fields, and files with a name), and its Content-Type. */
export function multipartForm(parts: readonly ({ field: string; value: string } | { file: string; name: string; bytes: Uint8Array })[]): { body: Uint8Array<ArrayBuffer>; contentType: string } {
  const boundary = `skulens-${Math.random().toString(36).slice(2)}`;
  const chunks: Buffer[] = [];
  for (const part of parts) {
    if ('field' in part) chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${part.field}"\r\n\r\n${part.value}\r\n`));
    else chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${part.file}"; filename="${part.name}"\r\nContent-Type: application/octet-stream\r\n\r\n`), Buffer.from(part.bytes), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: new Uint8Array(Buffer.concat(chunks)), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** Headers of a request signed with SigV4 by @smithy/signature-v4 (as the AWS SDKs sign). */
export async function sigV4Headers(
  running: Pick<Running, 'url'>,
  request: { method: string; path: string; query?: Record<string, string>; headers: Record<string, string>; body?: Uint8Array | string },
  credentials: { keyId: string; secret: string },
  options: { applyChecksum?: boolean; unsignedPayload?: boolean } = {},
): Promise<Record<string, string>> {
  const { SignatureV4 } = await import('@smithy/signature-v4');
  const { Sha256 } = await import('@aws-crypto/sha256-js');
  const url = new URL(running.url);
  const signer = new SignatureV4({ service: 'rekognition', region: 'us-east-1', sha256: Sha256, applyChecksum: options.applyChecksum ?? true, credentials: { accessKeyId: credentials.keyId, secretAccessKey: credentials.secret } });
  const headers = { host: url.host, ...request.headers, ...(options.unsignedPayload ? { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } : {}) };
  const signed = await signer.sign({ method: request.method, protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: request.path, query: request.query ?? {}, headers, body: request.body });
  const { host: _host, ...rest } = signed.headers;
  return rest as Record<string, string>;
}
