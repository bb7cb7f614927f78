// `skulens batch <version> <folder> --out results.jsonl|.csv`: every image of a folder through a version,
// streamed to a file, with a progress bar; run it again after a kill and it skips what is done. With
// `--redis`, the images go to `skulens worker` processes in chunks and this command collects the lines.
import path from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { capturingDetector, runBatch, runBatchOnQueue, type BatchProgress } from '../../batch/index.js';
import { Int } from '../../params.js';
import { CONCURRENCY, Predictor } from '../../predict/index.js';
import { JobQueue } from '../../queue/index.js';
import { versionArn } from '../../registry/index.js';
import type { CliContext } from '../context.js';
import { parseOptions } from '../options.js';
import { startProgress } from '../progress.js';
import { DetectOptionsSchema } from './predict.js';

const BatchOptionsSchema = DetectOptionsSchema.extend({
  out: z.string().min(1),
  format: z.enum(['jsonl', 'csv']).optional(),
  concurrency: Int(CONCURRENCY.min, CONCURRENCY.max).optional(),
  workers: Int(1, 64).optional(),
  redis: z.string().min(1).optional(),
  chunkSize: Int(1, 10_000).optional(),
  json: z.boolean().optional(),
});

/** The bar's detail: skipped and unreadable images, and on a queue its chunks, retries and cache hits. */
function detail(p: Readonly<BatchProgress>): string {
  const base = `${p.skipped} skipped, ${p.failed} unreadable`;
  if (!p.queue) return base;
  const { chunks, retries, cached } = p.queue;
  return `${base}, chunks ${chunks.done}/${chunks.total ?? '?'} (${chunks.queued} queued), ${retries} retried, ${cached} cached`;
}

export function registerBatch(program: Command, context: () => CliContext): void {
  program
    .command('batch <version> <source>')
    .description('label every image under a folder (recursively) or an s3://bucket/prefix into JSON Lines or CSV; resumable')
    .requiredOption('--out <file>', 'result file: .jsonl (default) or .csv; an existing file is resumed')
    .option('--format <jsonl|csv>', 'override the format the --out extension implies')
    .option('--min-confidence <0-100>', "only labels at or above this confidence (default: each label's own threshold)")
    .option('--max-results <n>', 'at most this many labels per image')
    .option('--concurrency <n>', 'images in flight at once (default 4; per chunk with --redis)')
    .option('--workers <n>', 'embedding worker threads (default: min(2, cores))')
    .option('--redis <url>', 'spread the batch over `skulens worker` processes on this queue (redis://host:port[/db])')
    .option('--chunk-size <n>', 'images per queue job with --redis (default 32)')
    .option('--json', 'print the final counts as JSON')
    .action(async (ref: string, source: string, raw: Record<string, unknown>) => {
      const ctx = context();
      const options = parseOptions(BatchOptionsSchema, raw);
      const registry = await ctx.registry();
      const version = registry.versions.resolve(ref);
      const queue = options.redis ? await JobQueue.open(options.redis) : undefined;
      const predictor = queue ? undefined : await Predictor.load(registry, ctx.home, version, { workers: options.workers });
      const bar = startProgress(ctx.io.stderr, 'batch');
      const controller = new AbortController();
      const stop = (): void => controller.abort(new Error('interrupted'));
      process.once('SIGINT', stop);
      const common = {
        source,
        output: options.out,
        format: options.format,
        detect: { minConfidence: options.minConfidence, maxResults: options.maxResults },
        concurrency: options.concurrency,
        signal: controller.signal,
        s3: ctx.s3,
        onProgress: (p: Readonly<BatchProgress>) => {
          if (p.total !== null) bar.update(p.skipped + p.processed, p.total, detail(p));
        },
      };
      let result;
      try {
        if (queue) ctx.info(`Batch on ${queue.target.shown}: start \`skulens worker --redis ${queue.target.shown}\` on each machine (Ctrl-C here stops the batch).`);
        result = queue ? await runBatchOnQueue(queue, { ...common, version: versionArn(version), chunkSize: options.chunkSize }) : await runBatch(capturingDetector(registry, ctx.home, predictor!), common);
      } finally {
        process.off('SIGINT', stop);
        bar.stop();
        await predictor?.close();
        await queue?.close();
      }
      if (options.json) ctx.print(JSON.stringify(result));
      ctx.info(
        `Labelled ${result.processed - result.failed} image(s)${result.failed ? `, ${result.failed} could not be read` : ''}${result.skipped ? `, ${result.skipped} already done` : ''}${result.queue ? `, ${result.queue.cached} from the result cache, ${result.queue.retries} chunk(s) retried` : ''}; results in ${path.resolve(options.out)}.`,
      );
    });
}
