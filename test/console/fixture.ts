// Shared by the console tests: a home with the tiny test backbone (a training takes seconds), a
// synthetic 5-label catalogue made with sharp, zipped with fflate as the console would upload it,
// a real server on 127.0.0.1 with an admin key and a detect-only key, and the built console.
import fs from 'node:fs';
import path from 'node:path';
import { zipSync } from 'fflate';
import { KeyStore } from '../../src/auth/index.js';
import { generateSyntheticCatalogue } from '../../src/demo/index.js';
import { resolveHome, type HomeLayout } from '../../src/home/index.js';
import { Registry } from '../../src/registry/index.js';
import { createServer, type SkulensServer } from '../../src/serve/index.js';
import { tinyBackboneRow, tinyOnnxModel } from '../backbone/fixtures.js';
import { REPO_ROOT, tempDir } from '../helpers/fixtures.js';

export interface ConsoleFixture {
  root: string;
  home: HomeLayout;
  registry: Registry;
  server: SkulensServer;
  url: string;
  admin: { id: string; secret: string };
  detectOnly: { id: string; secret: string };
  catalogue: string;
  labels: string[];
  /** The catalogue as a zip of label folders. */
  zip: Buffer;
  close(): Promise<void>;
}

/** Every file under `dir`, relative, with '/' separators. */
function walk(dir: string, prefix = ''): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? walk(path.join(dir, d.name), `${prefix}${d.name}/`) : [`${prefix}${d.name}`]));
}

export function zipFolder(dir: string, wrap = ''): Buffer {
  return Buffer.from(zipSync(Object.fromEntries(walk(dir).map((rel) => [`${wrap}${rel}`, new Uint8Array(fs.readFileSync(path.join(dir, rel)))]))));
}

/** `env` joins the server's environment (SKULENS_PYTHON for fast and fine-tune trainings). */
export async function consoleFixture(prefix: string, perLabel = 8, env: NodeJS.ProcessEnv = {}): Promise<ConsoleFixture> {
  const root = tempDir(undefined, prefix);
  const home = resolveHome(path.join(root, 'home'), {});
  fs.mkdirSync(path.join(home.models, 'tiny'), { recursive: true });
  fs.writeFileSync(path.join(home.models, 'tiny', 'model.onnx'), tinyOnnxModel(8));
  fs.writeFileSync(path.join(home.models, 'tiny.backbone.json'), JSON.stringify(tinyBackboneRow({ mean: [128, 128, 128], std: [64, 64, 64] }, 'GlobalAveragePool of the scaled input (test backbone)')));
  const catalogue = path.join(root, 'catalogue');
  const generated = await generateSyntheticCatalogue(catalogue, { perLabel, size: 96 });
  const registry = Registry.open(home.database);
  const server = await createServer({ home, registry, workers: 1, importRoots: [root], env: { PATH: process.env.PATH, ...env } });
  const url = await server.listen({ host: '127.0.0.1', port: 0 });
  const keys = new KeyStore(registry, home);
  const admin = keys.create('console tests', 'admin');
  const detectOnly = keys.create('console tests, detect only', 'detect');
  return {
    root,
    home,
    registry,
    server,
    url,
    admin: { id: admin.id, secret: admin.secret },
    detectOnly: { id: detectOnly.id, secret: detectOnly.secret },
    catalogue,
    labels: generated.labels,
    zip: zipFolder(catalogue, 'catalogue/'),
    async close() {
      await server.close();
      registry.close();
    },
  };
}

/** Builds the console into dist/console unless it is newer than every file under console/ (one builder at a time). */
export async function ensureConsoleBuilt(): Promise<void> {
  const index = path.join(REPO_ROOT, 'dist', 'console', 'index.html');
  const fresh = (): boolean => {
    const sources = walk(path.join(REPO_ROOT, 'console')).map((rel) => fs.statSync(path.join(REPO_ROOT, 'console', rel)).mtimeMs);
    return fs.existsSync(index) && fs.statSync(index).mtimeMs > Math.max(...sources);
  };
  const lock = path.join(REPO_ROOT, 'dist', '.console-build.lock');
  fs.mkdirSync(path.dirname(lock), { recursive: true });
  for (;;) {
    if (fresh()) return;
    try {
      fs.mkdirSync(lock);
    } catch {
      // Another test file is building it (test files run in parallel): wait for it, at most two minutes.
      if (Date.now() - (fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now()) > 120_000) fs.rmSync(lock, { recursive: true, force: true });
      await new Promise((resolve) => setTimeout(resolve, 200));
      continue;
    }
    try {
      const { build } = await import('vite');
      await build({ configFile: path.join(REPO_ROOT, 'console', 'vite.config.ts'), logLevel: 'warn' });
      return;
    } finally {
      fs.rmSync(lock, { recursive: true, force: true });
    }
  }
}
