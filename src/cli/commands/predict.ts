// `skulens predict <version> <image|folder>`: one JSON line per image, on stdout or into --out.
import fs from 'node:fs';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import type { Command } from 'commander';
import { parseVersionRef } from '../../registry/index.js';
import { Predictor, predictFiles } from '../../serve/index.js';
import type { CliContext } from '../context.js';
import { intOption, numberOption, parseOption } from '../options.js';

export function registerPredict(program: Command, context: () => CliContext): void {
  program
    .command('predict <version> <target>')
    .description('label an image or every image in a folder (recursively) with a trained version')
    .option('--min-confidence <0-100>', "only labels at or above this confidence (default: each label's own threshold)")
    .option('--max-results <n>', 'at most this many labels per image')
    .option('--out <file.jsonl>', 'write JSON Lines to a file instead of stdout')
    .action(async (ref: string, target: string, options: { minConfidence?: string; maxResults?: string; out?: string }) => {
      const ctx = context();
      const detect = {
        minConfidence: options.minConfidence === undefined ? undefined : parseOption(numberOption(0, 100), options.minConfidence, '--min-confidence'),
        maxResults: options.maxResults === undefined ? undefined : parseOption(intOption(0, 1000), options.maxResults, '--max-results'),
      };
      const predictor = await Predictor.load(await ctx.registry(), ctx.home, parseVersionRef(ref));
      const file = options.out ? fs.createWriteStream(path.resolve(options.out)) : undefined;
      let count = 0;
      let errors = 0;
      try {
        for await (const line of predictFiles(predictor, path.resolve(target), detect)) {
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
