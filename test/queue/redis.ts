// A real redis-server for the queue tests, on a free loopback port, stopped by its PID when the test
// ends. Without redis-server (or without the Redis driver BullMQ loads) the test is skipped with the
// reason, unless SKULENS_REQUIRE_REDIS=1 (CI), where that is a failure.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import type { TestContext } from 'node:test';
import { JobQueue } from '../../src/queue/index.js';

export const REDIS_SERVER = process.env.SKULENS_REDIS_SERVER ?? '/usr/bin/redis-server';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function skipOrFail(t: TestContext, reason: string): null {
  if (process.env.SKULENS_REQUIRE_REDIS === '1') throw new Error(`SKULENS_REQUIRE_REDIS=1 but ${reason}`);
  t.skip(reason);
  return null;
}

/**
 * Starts redis-server for test `t`, or skips `t` and returns null. `t.after` hooks run in the order they
 * were added, so clients must be closed before the server stops: `defer` them, they run last-in first-out
 * after the test, then the server is killed.
 */
export async function startRedis(t: TestContext): Promise<{ url: string; child: ChildProcess; defer: (close: () => Promise<unknown> | unknown) => void } | null> {
  if (!fs.existsSync(REDIS_SERVER)) return skipOrFail(t, `${REDIS_SERVER} is not installed (apt-get install redis-server)`);
  const port = await freePort();
  const child = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const closers: (() => Promise<unknown> | unknown)[] = [];
  t.after(async () => {
    for (const close of closers.reverse()) await close();
    child.kill('SIGKILL');
  });
  await new Promise<void>((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${text}`)), 10_000);
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      text += chunk;
      if (text.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${text}`)));
  });
  const url = `redis://127.0.0.1:${port}`;
  try {
    const queue = await JobQueue.open(url);
    await queue.close();
  } catch (error) {
    if (/ioredis/.test(String((error as Error).message))) return skipOrFail(t, `BullMQ cannot load its Redis driver: ${(error as Error).message}`);
    throw error;
  }
  return { url, child, defer: (close) => void closers.push(close) };
}
