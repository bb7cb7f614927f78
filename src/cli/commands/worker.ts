// `skulens worker --redis redis://host:port`: takes batch and embedding chunks from the Redis queue and
// runs them with this machine's cores, until Ctrl-C or SIGTERM (chunks in flight finish first). Run one
// per core on any machine that reaches the Redis, the images and the home's versions and models.
import type { Command } from 'commander';
import { z } from 'zod';
import { workerProcessors } from '../../batch/index.js';
import { Int } from '../../params.js';
import { parseRedisUrl, startQueueWorker } from '../../queue/index.js';
import type { CliContext } from '../context.js';
import { parseOptions } from '../options.js';
import { untilStopped } from '../progress.js';

const WorkerOptionsSchema = z.object({
  redis: z.string().min(1),
  concurrency: Int(1, 64).optional(),
  workers: Int(1, 64).optional(),
  lockSeconds: Int(1, 3600).optional(),
});

export function registerWorker(program: Command, context: () => CliContext): void {
  program
    .command('worker')
    .description('run batch and embedding chunks from a Redis queue (start one per core, on as many machines as you like)')
    .requiredOption('--redis <url>', 'the queue: redis://host:port[/db] (the same URL for the batch and every worker)')
    .option('--concurrency <n>', 'chunks this process runs at once (default 1)')
    .option('--workers <n>', 'embedding threads per loaded model (default 1: one process per core is faster)')
    .option('--lock-seconds <n>', 'how long a chunk of a dead worker waits before another worker takes it (default 30)')
    .action(async (raw: Record<string, unknown>) => {
      const ctx = context();
      const options = parseOptions(WorkerOptionsSchema, raw);
      const target = parseRedisUrl(options.redis);
      const registry = await ctx.registry();
      const parts = workerProcessors({ registry, home: ctx.home, s3: ctx.s3, workers: options.workers });
      let done = 0;
      const worker = await startQueueWorker(target, parts.processors, {
        concurrency: options.concurrency,
        lockMs: options.lockSeconds === undefined ? undefined : options.lockSeconds * 1000,
        onEvent: (event) => {
          if (event.type === 'failed') ctx.info(`${event.name} ${event.id} attempt ${event.attempt} failed: ${event.reason}`);
          if (event.type === 'completed' && ++done % 100 === 0) ctx.info(`${done} chunk(s) done`);
        },
      });
      ctx.print(`worker ready on ${target.shown} (home ${ctx.home.root})`);
      await untilStopped();
      ctx.info('Stopping: finishing the chunks in flight...');
      await worker.close();
      await parts.close();
      ctx.info(`Worker stopped after ${done} chunk(s).`);
    });
}
