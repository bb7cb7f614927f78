// `skulens train <project>`: embeds, fits the head, evaluates and writes a new version.
import type { Command } from 'commander';
import { z } from 'zod';
import { BALANCE_MODES } from '../../train/index.js';
import { formatReport } from '../../evaluate/index.js';
import { trainVersion, type TrainParams, type TrainResult } from '../../jobs/index.js';
import { versionId } from '../../registry/index.js';
import type { CliContext } from '../context.js';
import { intOption, numberOption, parseOption } from '../options.js';
import { startProgress, type Progress } from '../progress.js';
import { runFineTuneCommand } from './fine-tune.js';

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
const balanceMode = z.enum(BALANCE_MODES);

/** "90", "90s", "5m" or "1h" as seconds. */
function parseBudget(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(s|m|h)?$/.exec(text.trim());
  const seconds = match ? Number(match[1]) * ({ s: 1, m: 60, h: 3600 } as const)[(match[2] ?? 's') as 's' | 'm' | 'h'] : NaN;
  return parseOption(numberOption(1, 24 * 3600), seconds, '--budget');
}

export function registerTrain(program: Command, context: () => CliContext): void {
  program
    .command('train <project>')
    .description('train a new model version on the project dataset and evaluate it on its test split')
    .option('--backbone <id>', 'backbone id (see `skulens backbones list`)')
    .option('--seed <n>', 'random seed; same data and seed give the same model', '1')
    .option('--c <value>', "inverse L2 strength of the logistic head, or 'auto' (grouped 3-fold CV on the training images)", 'auto')
    .option('--class-weights <mode>', 'balanced | none (older alias of --balance weights|none)')
    .option('--balance <mode>', 'auto | weights | oversample | undersample | none; auto decides from the imbalance ratio')
    .option('--augment <policy>', 'none | light | strong | a list such as flip,crop:0.3,rotate:10,views:2', 'none')
    .option('--tta <mode>', 'test-time augmentation of the evaluation: none | flip', 'none')
    .option('--tune', 'search head type, learning rate, epochs, balance and augmentation by grouped CV (default)')
    .option('--no-tune', 'only pick C (when --c auto)')
    .option('--budget <time>', 'time the search may take, e.g. 90s, 5m; with --mode fine-tune, the whole job (e.g. 30m; no limit unless given)', '2m')
    .option('--target-precision <p>', "fit each label's threshold for this precision (0-1] instead of best F1")
    .option('--workers <n>', 'embedding workers (default: one per core, at most 2)')
    .option('--mode <mode>', 'frozen (fast: frozen backbone + head) | fine-tune (trains the backbone with PyTorch; needs python3-torch)', 'frozen')
    .option('--epochs <n>', 'fine-tune: passes over the training images (default 6)')
    .option('--unfreeze <all|N-blocks>', 'fine-tune: train all layers or only the last N blocks (default all)')
    .option('--json', 'print the result as JSON on stdout')
    .action(async (project: string, options: { backbone?: string; seed: string; c: string; classWeights?: string; balance?: string; augment: string; tta: string; tune: boolean; budget: string; targetPrecision?: string; workers?: string; json?: boolean; mode: string; epochs?: string; unfreeze?: string }, command: Command) => {
      const ctx = context();
      if (parseOption(z.enum(['frozen', 'fine-tune']), options.mode, '--mode') === 'fine-tune') {
        // --budget's default belongs to the frozen path's search; fine-tuning takes only an explicit one.
        return runFineTuneCommand(ctx, project, { ...options, budget: command.getOptionValueSource('budget') === 'cli' ? options.budget : undefined });
      }
      const result = await runTraining(ctx, project, {
        backbone: options.backbone,
        seed: parseOption(intOption(0, 2 ** 31 - 1), options.seed, '--seed'),
        C: options.c === 'auto' ? 'auto' : parseOption(numberOption(1e-6, 1e6), options.c, '--c'),
        classWeights: options.classWeights === undefined ? undefined : parseOption(classWeightMode, options.classWeights, '--class-weights'),
        balance: options.balance === undefined ? undefined : parseOption(balanceMode, options.balance, '--balance'),
        augment: options.augment,
        tta: parseOption(z.enum(['none', 'flip']), options.tta, '--tta'),
        tune: options.tune !== false,
        budgetSeconds: parseBudget(options.budget),
        targetPrecision: options.targetPrecision === undefined ? undefined : parseOption(numberOption(1e-6, 1), options.targetPrecision, '--target-precision'),
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
