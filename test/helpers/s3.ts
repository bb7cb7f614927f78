// A real S3-compatible server for tests: s3rver in a child node process on 127.0.0.1, port 0, storing
// into a temp folder. A child, because s3rver signs ListObjectsV2 continuation tokens with DES, which
// Node 20's OpenSSL 3 only offers with --openssl-legacy-provider (not a flag the test runner can take).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { createS3Client, S3Store } from '../../src/storage/index.js';
import { REPO_ROOT } from './fixtures.js';

const SERVER = `
const S3rver = require('s3rver');
const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: process.argv[1] });
server.run().then((address) => process.stdout.write(JSON.stringify({ port: address.port }) + '\\n'));
process.on('SIGTERM', () => server.close().finally(() => process.exit(0)));
`;

/** A running s3rver and what a test needs to talk to it. */
export interface S3Server {
  endpoint: string;
  /** Environment for skulens (SKULENS_S3_ENDPOINT and s3rver's fixed credentials). */
  env: NodeJS.ProcessEnv;
  /** Creates a bucket. */
  createBucket(name: string): Promise<void>;
  /** Puts an object. */
  put(bucket: string, key: string, body: Uint8Array | string): Promise<void>;
  /** A skulens store against this server, caching under `home`-like folders. */
  store(dirs: { cacheDir: string; tmpDir: string }, concurrency?: number): S3Store;
  stop(): Promise<void>;
}

/** Starts s3rver on a free loopback port with its data in a fresh temp folder. Always `stop()` it. */
export async function startS3Server(): Promise<S3Server> {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'skulens-s3rver-'));
  const child = spawn(process.execPath, ['--openssl-legacy-provider', '-e', SERVER, directory], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let buffer = '';
    child.stdout!.setEncoding('utf8').on('data', (text: string) => {
      buffer += text;
      const line = buffer.split('\n')[0];
      if (buffer.includes('\n') && line) resolve((JSON.parse(line) as { port: number }).port);
    });
    child.once('exit', (code) => reject(new Error(`s3rver exited (${code}) before it listened`)));
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const env = { SKULENS_S3_ENDPOINT: endpoint, AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1' };
  const settings = { endpoint, region: 'us-east-1', forcePathStyle: true };
  const client = createS3Client(settings, env);
  return {
    endpoint,
    env,
    createBucket: async (name) => {
      await client.send(new CreateBucketCommand({ Bucket: name }));
    },
    put: async (bucket, key, body) => {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    },
    store: (dirs, concurrency) => new S3Store(createS3Client(settings, env), { ...dirs, concurrency, endpoint }),
    stop: async () => {
      client.destroy();
      if (child.exitCode === null && child.signalCode === null) {
        const gone = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await gone;
      }
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}
