// `skulens detect-labels <image>` and `skulens detect-moderation <image>`: generic labels with no
// training, printed as Rekognition's DetectLabels / DetectModerationLabels JSON.
import path from 'node:path';
import type { Command } from 'commander';
import { GenericLabeller } from '../../generic/index.js';
import type { CliContext } from '../context.js';
import { intOption, numberOption, parseOption } from '../options.js';

async function withLabeller<T>(ctx: CliContext, imagenet: boolean, use: (labeller: GenericLabeller) => Promise<T>): Promise<T> {
  const labeller = await GenericLabeller.open({ modelsDir: ctx.home.models, imagenet });
  try {
    return await use(labeller);
  } finally {
    await labeller.close();
  }
}

export function registerGenericLabels(program: Command, context: () => CliContext): void {
  program
    .command('detect-labels <image>')
    .description('generic labels without training: COCO objects with boxes, plus ImageNet classes from the shipped mobilenet-v2-imagenet')
    .option('--max-labels <n>', 'at most this many labels (1-1000)')
    .option('--min-confidence <0-100>', 'only labels at or above this confidence (default 55)')
    .action(async (image: string, options: { maxLabels?: string; minConfidence?: string }) => {
      const ctx = context();
      const maxLabels = options.maxLabels === undefined ? undefined : parseOption(intOption(1, 1000), options.maxLabels, '--max-labels');
      const minConfidence = options.minConfidence === undefined ? undefined : parseOption(numberOption(0, 100), options.minConfidence, '--min-confidence');
      const result = await withLabeller(ctx, true, (labeller) => labeller.detectLabels({ path: path.resolve(image) }, { maxLabels, minConfidence }));
      ctx.print(JSON.stringify(result));
    });
  program
    .command('detect-moderation <image>')
    .description("moderation labels without training, from nsfwjs's classifier mapped to Rekognition's names")
    .option('--min-confidence <0-100>', 'only labels at or above this confidence (default 50)')
    .action(async (image: string, options: { minConfidence?: string }) => {
      const ctx = context();
      const minConfidence = options.minConfidence === undefined ? undefined : parseOption(numberOption(0, 100), options.minConfidence, '--min-confidence');
      const result = await withLabeller(ctx, false, (labeller) => labeller.detectModerationLabels({ path: path.resolve(image) }, { minConfidence }));
      ctx.print(JSON.stringify(result));
    });
}
