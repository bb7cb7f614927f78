// `skulens predict <version> <image|folder|s3://prefix>`: one JSON line per image, on stdout or into --out.
import fs from 'node:fs';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import type { Command } from 'commander';
import { z } from 'zod';
import { Num, Int } from '../../params.js';
import { CONCURRENCY, Predictor, checkSource, predictStream, sourceItems } from '../../predict/index.js';
import type { CliContext } from '../context.js';
import { parseOptions } from '../options.js';

/** What `predict` and `batch` both take about each image's answer. */
export const DetectOptionsSchema = z.object({
  minConfidence: Num(0, 100).optional(),
  maxResults: Int(0, 1000).optional(),
});

const PredictOptionsSchema = DetectOptionsSchema.extend({
  concurrency: Int(CONCURRENCY.min, CONCURRENCY.max).optional(),
  workers: Int(1, 64).optional(),
  out: z.string().min(1).optional(),
});

export function registerPredict(program: Command, context: () => CliContext): void {
  program
    .command('predict <version> <target>')
    .description('label an image, every image in a folder (recursively) or under an s3:// prefix with a trained version')
    .option('--min-confidence <0-100>', "only labels at or above this confidence (default: each label's own threshold)")
    .option('--max-results <n>', 'at most this many labels per image')
    .option('--concurrency <n>', 'images in flight at once (default 4)')
    .option('--workers <n>', 'embedding worker threads (default: min(2, cores))')
    .option('--out <file.jsonl>', 'write JSON Lines to a file instead of stdout')
    .action(async (ref: string, target: string, raw: Record<string, unknown>) => {
      const ctx = context();
      const options = parseOptions(PredictOptionsSchema, raw);
      const source = checkSource(target);
      const registry = await ctx.registry();
      const predictor = await Predictor.load(registry, ctx.home, registry.versions.resolve(ref), { workers: options.workers });
      const file = options.out ? fs.createWriteStream(path.resolve(options.out)) : undefined;
      let count = 0;
      let errors = 0;
      try {
        const lines = predictStream(predictor, sourceItems(source, ctx.s3), { detect: options, concurrency: options.concurrency });
        for await (const line of lines) {
          const text = `${JSON.stringify(line)}\n`;
          if (file) {
            if (!file.write(text)) await new Promise<void>((resolve) => file.once('drain', () => resolve()));
          } else ctx.io.stdout.write(text);
          count += 1;
          if ('Error' in line) errors += 1;
        }
      } finally {
        await predictor.close();
        if (file) {
          file.end();
          await finished(file);
        }
      }
      ctx.info(`Predicted ${count - errors} image(s)${errors ? `, ${errors} could not be read` : ''}${options.out ? `; results in ${options.out}` : ''}.`);
    });
}
