// `skulens train <project>`: embeds, fits the head, evaluates and writes a new version.
import type { Command } from 'commander';
import { z } from 'zod';
import { formatReport } from '../../evaluate/index.js';
import { trainVersion, type TrainParams, type TrainResult } from '../../jobs/index.js';
import { versionId } from '../../registry/index.js';
import type { CliContext } from '../context.js';
import { intOption, numberOption, parseOption } from '../options.js';
import { startProgress, type Progress } from '../progress.js';

/** Trains with progress bars and cancels cleanly on Ctrl-C; shared with `skulens demo`. */
export async function runTraining(ctx: CliContext, project: string, params: Partial<TrainParams>): Promise<TrainResult> {
  const registry = await ctx.registry();
  const controller = new AbortController();
  const onSignal = (): void => {
    ctx.info('\nCancelling: nothing of this version will be kept...');
    controller.abort();
  };
  process.once('SIGINT', onSignal);
  const bars = new Map<string, Progress>();
  try {
    const result = await trainVersion(registry, ctx.home, project, params, {
      signal: controller.signal,
      onStart: (version) => ctx.info(`Training ${versionId(version)} on backbone ${version.backbone} (seed ${version.seed})`),
      onProgress: ({ phase, done, total, detail }) => {
        for (const [name, bar] of bars) if (name !== phase) (bar.stop(), bars.delete(name));
        let bar = bars.get(phase);
        if (!bar) bars.set(phase, (bar = startProgress(ctx.io.stderr, phase)));
        bar.update(done, total, detail);
      },
    });
    return result;
  } finally {
    for (const bar of bars.values()) bar.stop();
    process.removeListener('SIGINT', onSignal);
  }
}

const classWeightMode = z.enum(['balanced', 'none']);

export function registerTrain(program: Command, context: () => CliContext): void {
  program
    .command('train <project>')
    .description('train a new model version on the project dataset and evaluate it on its test split')
    .option('--backbone <id>', 'backbone id (see `skulens backbones list`)')
    .option('--seed <n>', 'random seed; same data and seed give the same model', '1')
    .option('--c <value>', "inverse L2 strength of the logistic head, or 'auto' (grouped 3-fold CV on the training images)", 'auto')
    .option('--class-weights <mode>', 'balanced | none', 'balanced')
    .option('--workers <n>', 'embedding workers (default: one per core, at most 2)')
    .option('--json', 'print the result as JSON on stdout')
    .action(async (project: string, options: { backbone?: string; seed: string; c: string; classWeights: string; workers?: string; json?: boolean }) => {
      const ctx = context();
      const result = await runTraining(ctx, project, {
        backbone: options.backbone,
        seed: parseOption(intOption(0, 2 ** 31 - 1), options.seed, '--seed'),
        C: options.c === 'auto' ? 'auto' : parseOption(numberOption(1e-6, 1e6), options.c, '--c'),
        classWeights: parseOption(classWeightMode, options.classWeights, '--class-weights'),
        workers: options.workers === undefined ? undefined : parseOption(intOption(1, 64), options.workers, '--workers'),
      });
      if (options.json) {
        ctx.print(JSON.stringify({ version: versionId(result.version), metrics: result.version.metrics }));
        return;
      }
      ctx.print(formatReport(result.report));
      ctx.print(
        `\nVersion ${versionId(result.version)}: accuracy ${result.report.accuracy.toFixed(3)}, macro-F1 ${result.report.macroF1.toFixed(3)} ` +
          `on ${result.report.numTest} test images; trained in ${result.trainSeconds.toFixed(1)} s.`,
      );
    });
}
