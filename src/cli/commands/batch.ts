// `skulens batch <version> <folder> --out results.jsonl|.csv`: every image of a folder through a version,
// streamed to a file, with a progress bar; run it again after a kill and it skips what is done.
import path from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { runBatch } from '../../batch/index.js';
import { S3Store } from '../../storage/index.js';
import { parseVersionRef } from '../../registry/index.js';
import { Predictor } from '../../serve/index.js';
import type { CliContext } from '../context.js';
import { intOption, numberOption, parseOption } from '../options.js';
import { startProgress } from '../progress.js';

interface BatchOptions {
  out: string;
  format?: string;
  minConfidence?: string;
  maxResults?: string;
  concurrency?: string;
  workers?: string;
  json?: boolean;
}

export function registerBatch(program: Command, context: () => CliContext): void {
  program
    .command('batch <version> <source>')
    .description('label every image under a folder (recursively) or an s3://bucket/prefix into JSON Lines or CSV; resumable')
    .requiredOption('--out <file>', 'result file: .jsonl (default) or .csv; an existing file is resumed')
    .option('--format <jsonl|csv>', 'override the format the --out extension implies')
    .option('--min-confidence <0-100>', "only labels at or above this confidence (default: each label's own threshold)")
    .option('--max-results <n>', 'at most this many labels per image')
    .option('--concurrency <n>', 'images in flight at once (default 4)')
    .option('--workers <n>', 'embedding worker threads (default: min(2, cores))')
    .option('--json', 'print the final counts as JSON')
    .action(async (ref: string, source: string, options: BatchOptions) => {
      const ctx = context();
      const format = options.format === undefined ? undefined : parseOption(z.enum(['jsonl', 'csv']), options.format, '--format');
      const detect = {
        minConfidence: options.minConfidence === undefined ? undefined : parseOption(numberOption(0, 100), options.minConfidence, '--min-confidence'),
        maxResults: options.maxResults === undefined ? undefined : parseOption(intOption(0, 1000), options.maxResults, '--max-results'),
      };
      const concurrency = options.concurrency === undefined ? undefined : parseOption(intOption(1, 256), options.concurrency, '--concurrency');
      const workers = options.workers === undefined ? undefined : parseOption(intOption(1, 64), options.workers, '--workers');
      const predictor = await Predictor.load(await ctx.registry(), ctx.home, parseVersionRef(ref), { workers });
      const bar = startProgress(ctx.io.stderr, 'batch');
      const controller = new AbortController();
      const stop = (): void => controller.abort(new Error('interrupted'));
      process.once('SIGINT', stop);
      let result;
      try {
        result = await runBatch(predictor, {
          source,
          output: options.out,
          format,
          detect,
          concurrency,
          signal: controller.signal,
          s3: () => S3Store.fromEnv(ctx.home),
          onProgress: (p) => {
            if (p.total !== null) bar.update(p.skipped + p.processed, p.total, `${p.skipped} skipped, ${p.failed} unreadable`);
          },
        });
      } finally {
        process.off('SIGINT', stop);
        bar.stop();
        await predictor.close();
      }
      if (options.json) ctx.print(JSON.stringify(result));
      ctx.info(
        `Labelled ${result.processed - result.failed} image(s)${result.failed ? `, ${result.failed} could not be read` : ''}${result.skipped ? `, ${result.skipped} already done` : ''}; results in ${path.resolve(options.out)}.`,
      );
    });
}
