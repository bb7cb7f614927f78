// `skulens serve [--host 127.0.0.1] [--port 8080]`: the HTTP API until SIGINT/SIGTERM.
import type { Command } from 'commander';
import { pino } from 'pino';
import { createServer } from '../../serve/index.js';
import type { CliContext } from '../context.js';
import { intOption, parseOption } from '../options.js';

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export function registerServe(program: Command, context: () => CliContext): void {
  program
    .command('serve')
    .description('serve the Rekognition-style HTTP API (every route but /health needs a key: `skulens keys create`)')
    .option('--host <address>', 'address to listen on; loopback by default', '127.0.0.1')
    .option('--port <n>', 'port (0 picks a free one)', '8080')
    .option('--workers <n>', 'embedding worker threads per started backbone (default: min(2, cores))')
    .option('--log-level <level>', 'fatal|error|warn|info|debug', 'info')
    .action(async (options: { host: string; port: string; workers?: string; logLevel: string }) => {
      const ctx = context();
      const port = parseOption(intOption(0, 65535), options.port, '--port');
      const workers = options.workers === undefined ? undefined : parseOption(intOption(1, 64), options.workers, '--workers');
      // Logs go to stderr as JSON lines; stdout carries only the "Listening on" line.
      const logger = pino({ level: options.logLevel }, pino.destination(2));
      const server = await createServer({ home: ctx.home, registry: await ctx.registry(), logger, workers });
      const url = await server.listen({ host: options.host, port });
      if (!LOOPBACK.has(options.host)) ctx.info(`Warning: listening on ${options.host}, not loopback: anyone who can reach it can try keys.`);
      ctx.print(`Listening on ${url}`);
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve();
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      ctx.info('Stopping: started versions are released.');
      await server.close();
    });
}
