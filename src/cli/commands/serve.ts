// `skulens serve [--host 127.0.0.1] [--port 8080] [--import-root DIR]... [--tls-cert F --tls-key F]`:
// the HTTP API until SIGINT/SIGTERM.
import fs from 'node:fs';
import type { Command } from 'commander';
import { pino } from 'pino';
import { z } from 'zod';
import { SkulensError } from '../../errors.js';
import { createServer, THROTTLE_DEFAULTS } from '../../serve/index.js';
import type { CliContext } from '../context.js';
import { intOption, parseOptions } from '../options.js';
import { untilStopped } from '../progress.js';

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

const ServeOptionsSchema = z.object({
  host: z.string().min(1),
  port: intOption(0, 65535),
  workers: intOption(1, 64).optional(),
  importRoot: z.array(z.string().min(1)).default([]),
  tlsCert: z.string().min(1).optional(),
  tlsKey: z.string().min(1).optional(),
  maxFailedLogins: intOption(1, 1_000_000).default(THROTTLE_DEFAULTS.maxFailures),
  keyRate: intOption(0, 10_000_000).default(THROTTLE_DEFAULTS.keyRequests),
  redis: z.string().min(1).optional(),
});

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

function readPem(file: string, flag: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (error) {
    throw new SkulensError('ERR_ARGUMENT_INVALID', { field: flag, detail: `cannot read ${file} (${(error as Error).message})` }, { cause: error });
  }
}

export function registerServe(program: Command, context: () => CliContext): void {
  program
    .command('serve')
    .description('serve the Rekognition-style HTTP API (every route but /health needs a key: `skulens keys create`)')
    .option('--host <address>', 'address to listen on; loopback by default', '127.0.0.1')
    .option('--port <n>', 'port (0 picks a free one)', '8080')
    .option('--workers <n>', 'embedding worker threads per started backbone (default: min(2, cores))')
    .option('--import-root <dir>', 'a folder requests may name as a dataset or batch source (repeatable; none by default: S3 and uploads only)', collect)
    .option('--tls-cert <file>', 'PEM certificate: serve HTTPS (with --tls-key)')
    .option('--tls-key <file>', 'PEM private key of --tls-cert')
    .option('--max-failed-logins <n>', `failed sign-ins per client address and key id a minute before 429 (default ${THROTTLE_DEFAULTS.maxFailures}; ten times that per address)`)
    .option('--key-rate <n>', `requests per key a minute before 429; 0 for no limit (default ${THROTTLE_DEFAULTS.keyRequests})`)
    .option('--redis <url>', 'run batches on `skulens worker` processes through this Redis queue (redis://host:port[/db]); in-process without it')
    .option('--log-level <level>', 'fatal|error|warn|info|debug', 'info')
    .action(async (raw: Record<string, unknown> & { host: string; logLevel: string }) => {
      const ctx = context();
      const options = parseOptions(ServeOptionsSchema, raw);
      if ((options.tlsCert === undefined) !== (options.tlsKey === undefined)) {
        throw new SkulensError('ERR_ARGUMENT_INVALID', { field: options.tlsCert ? '--tls-key' : '--tls-cert', detail: 'give --tls-cert and --tls-key together' });
      }
      const tls = options.tlsCert && options.tlsKey ? { cert: readPem(options.tlsCert, '--tls-cert'), key: readPem(options.tlsKey, '--tls-key') } : undefined;
      // Logs go to stderr as JSON lines; stdout carries only the "Listening on" line.
      const logger = pino({ level: raw.logLevel }, pino.destination(2));
      const server = await createServer({
        home: ctx.home,
        registry: await ctx.registry(),
        logger,
        workers: options.workers,
        importRoots: options.importRoot,
        tls,
        throttle: { maxFailures: options.maxFailedLogins, maxAddressFailures: options.maxFailedLogins * 10, keyRequests: options.keyRate },
        redis: options.redis,
      });
      const url = await server.listen({ host: options.host, port: options.port });
      if (!LOOPBACK.has(options.host)) {
        ctx.info(`Warning: listening on ${options.host}, not loopback: anyone who can reach it can try keys.`);
        if (!tls) ctx.info('Warning: no TLS: keys and images travel in clear on this network. Give --tls-cert and --tls-key (or put an HTTPS proxy in front).');
      }
      if (server.roots.roots.length === 0) ctx.info('No --import-root: requests can import only from S3 and uploads, not from this disk.');
      else ctx.info(`Import roots: ${server.roots.roots.join(', ')}`);
      ctx.print(`Listening on ${url}`);
      await untilStopped();
      ctx.info('Stopping: started versions are released.');
      await server.close();
    });
}
