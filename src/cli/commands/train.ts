// `skulens train <project> [--mode fast|frozen|fine-tune]`: trains a new version (fast by default). Each mode is one row of
// TRAIN_MODES: the options it takes and how it runs. Options go through the mode's job schema once
// (src/cli/options.ts); an option another mode takes is refused with a one-line reason.
import type { Command } from 'commander';
import { z } from 'zod';
import { formatReport } from '../../evaluate/index.js';
import { TrainParamsSchema, trainVersion, type TrainParamsInput, type TrainResult } from '../../jobs/index.js';
import { JobQueue } from '../../queue/index.js';
import { versionId } from '../../registry/index.js';
import type { CliContext } from '../context.js';
import { parseOption, parseOptions, refuseOptions } from '../options.js';
import { cancelOnInterrupt, phaseProgress } from '../progress.js';
import { runFastCommand } from './train-fast.js';
import { runFineTuneCommand } from './train-fine-tune.js';

/** Raw option values of `train`, as commander gives them (undefined when not given). */
export type TrainCliOptions = Record<string, string | boolean | undefined>;

/** Flags whose name is not the kebab-case of their parameter. */
const FLAGS = Object.freeze({ C: '--c', budgetSeconds: '--budget', c: '--c', tune: '--tune/--no-tune' });

interface TrainMode {
  /** Option keys (commander's camelCase) this mode takes. */
  readonly options: readonly string[];
  run(ctx: CliContext, project: string, options: TrainCliOptions): Promise<void>;
}

/** The training modes: one row each. A new mode is a new row (and its job). */
export const TRAIN_MODES: Readonly<Record<string, TrainMode>> = Object.freeze({
  fast: { options: ['backbone', 'seed', 'epochs', 'cut', 'views', 'members', 'budget', 'workers', 'from', 'engine', 'device'], run: (ctx, project, options) => runFastCommand(ctx, project, options, runFrozenCommand) },
  frozen: { options: ['backbone', 'seed', 'c', 'classWeights', 'balance', 'augment', 'tta', 'tune', 'maxTrials', 'budget', 'targetPrecision', 'workers', 'redis'], run: runFrozenCommand },
  'fine-tune': { options: ['backbone', 'seed', 'epochs', 'unfreeze', 'budget', 'workers', 'from', 'device', 'engine'], run: runFineTuneCommand },
});

/**
 * Trains with progress bars and cancels cleanly on Ctrl-C; shared with `skulens demo`. With a queue
 * (`--redis`), the queue's workers embed the images missing from the home's cache.
 */
export async function runTraining(ctx: CliContext, project: string, params: TrainParamsInput, queue?: JobQueue): Promise<TrainResult> {
  const registry = await ctx.registry();
  const interrupt = cancelOnInterrupt((line) => ctx.info(line), '\nCancelling: nothing of this version will be kept...');
  const bars = phaseProgress(ctx.io.stderr);
  const onQueue = queue ? { queue } : {};
  try {
    return await trainVersion(registry, ctx.home, project, params, {
      signal: interrupt.signal,
      onStart: (version) => ctx.info(`Training ${versionId(version)} on backbone ${version.backbone} (seed ${version.seed})`),
      onProgress: (progress) => bars.update(progress),
      ...onQueue,
    });
  } finally {
    bars.stop();
    interrupt.dispose();
  }
}

async function runFrozenCommand(ctx: CliContext, project: string, options: TrainCliOptions): Promise<void> {
  const params = parseOptions(
    TrainParamsSchema,
    {
      backbone: options.backbone,
      seed: options.seed,
      C: options.c,
      classWeights: options.classWeights,
      balance: options.balance,
      augment: options.augment,
      tta: options.tta,
      tune: options.tune,
      maxTrials: options.maxTrials,
      budgetSeconds: options.budget,
      targetPrecision: options.targetPrecision,
      workers: options.workers,
    },
    FLAGS,
  );
  const redis = parseOption(z.string().min(1).optional(), options.redis, '--redis');
  const queue = redis ? await JobQueue.open(redis) : undefined;
  if (queue) ctx.info(`Embedding on ${queue.target.shown}: start \`skulens worker --redis ${queue.target.shown}\` where the home's images and embedding cache are reachable.`);
  let result: TrainResult;
  try {
    result = await runTraining(ctx, project, params, queue);
  } finally {
    await queue?.close();
  }
  if (options.json) {
    ctx.print(JSON.stringify({ version: versionId(result.version), metrics: result.version.metrics }));
    return;
  }
  ctx.print(formatReport(result.report));
  ctx.print(
    `\nVersion ${versionId(result.version)}: accuracy ${result.report.accuracy.toFixed(3)}, macro-F1 ${result.report.macroF1.toFixed(3)} ` +
      `on ${result.report.numTest} test images; trained in ${result.trainSeconds.toFixed(1)} s.`,
  );
  const tuning = result.version.metrics?.tuning as { tried: number; skipped: number; stoppedBy: string } | undefined;
  if (tuning?.stoppedBy === 'seconds') {
    ctx.print(`The search hit its ${options.budget ?? '30m'} time cap after ${tuning.tried} configuration(s), ${tuning.skipped} not tried: this result depends on the machine's speed (see tuning.json).`);
  }
}

export function registerTrain(program: Command, context: () => CliContext): void {
  program
    .command('train <project>')
    .description('train a new model version on the project dataset and evaluate it on its test split')
    .option('--mode <mode>', `${Object.keys(TRAIN_MODES).join(' | ')} (default fast: trains the top blocks on cached activations with onnxruntime, no Python needed; frozen: frozen backbone + tuned head; fine-tune: the whole backbone)`)
    .option('--backbone <id>', 'backbone id (see `skulens backbones list`)')
    .option('--seed <n>', 'random seed; same data and seed give the same model (default 1)')
    .option('--budget <time>', 'frozen: outer time cap of the search, e.g. 90s, 5m (default 30m; the search is a fixed plan); fast: the training; fine-tune: the whole job, e.g. 30m: the plan is fitted to it before training (no limit unless given)')
    .option('--max-trials <n>', 'frozen: search at most this many configurations, in plan order (default 2 with tuning: the logistic head and the MLP; 9 runs the whole plan)')
    .option('--workers <n>', 'embedding workers (default: one per core, at most 2)')
    .option('--redis <url>', 'frozen: embed the images missing from the cache on `skulens worker --redis <url>` processes (same home or a shared path), then train here')
    .option('--c <value>', "frozen: inverse L2 strength of the logistic head, or 'auto' (grouped 3-fold CV on the training images; default)")
    .option('--class-weights <mode>', 'frozen: balanced | none (older alias of --balance weights|none)')
    .option('--balance <mode>', 'frozen: auto | weights | oversample | undersample | none; auto decides from the imbalance ratio')
    .option('--augment <policy>', 'frozen: none (default) | light | strong | a list such as flip,crop:0.3,rotate:10,views:2')
    .option('--tta <mode>', 'frozen: test-time augmentation of the evaluation: none (default) | flip')
    .option('--tune', 'frozen: search head type, learning rate, epochs, balance and augmentation by grouped CV (default)')
    .option('--no-tune', 'frozen: only pick C (when --c auto)')
    .option('--target-precision <p>', "frozen: fit each label's threshold for this precision (0-1] instead of best F1")
    .option('--epochs <n>', 'fast, fine-tune: passes over the training images (default: enough to show 26,000 photos, 4 to 12; with --from 4 (fast) or 3 (fine-tune); exact when given)')
    .option('--cut <channels>', 'fast: cut the backbone at the end of the stage with this many channels (default 96)')
    .option('--views <n>', 'fast: cached views per photo, the centre crop plus random crops (default 2)')
    .option('--members <n>', 'fast: copies of the trained blocks with different seeds, served together (default 2; 1 halves training and serving time)')
    .option('--unfreeze <all|N-blocks>', 'fine-tune: train all layers or only the last N blocks (default all)')
    .option('--from <version>', 'fast: continue from this fast version\'s trained blocks and head (same backbone and cut; default 4 epochs); fine-tune: from this fine-tuned or fast version\'s backbone. v3, <project>/v3 or an ARN, e.g. after adding photos or labels')
    .option('--engine <engine>', 'fast, fine-tune: onnx (default: onnxruntime, in Node, no Python) | torch (the PyTorch engine: python3-torch)')
    .option('--device <device>', 'fast: cpu (default) | cuda (onnxruntime\'s CUDA provider); fine-tune: auto (default: CUDA, then Apple MPS, then the CPU) | cpu | cuda | mps')
    .option('--json', 'print the result as JSON on stdout')
    .action(async (project: string, options: TrainCliOptions) => {
      const ctx = context();
      const name = parseOption(z.enum(Object.keys(TRAIN_MODES) as [string, ...string[]]), options.mode ?? (await defaultMode(ctx, project)), '--mode');
      const mode = TRAIN_MODES[name]!;
      const { mode: _mode, json: _json, ...given } = options;
      refuseOptions(given, mode.options, (flag, key) => `it does not apply to --mode ${name}; ${flag} is an option of --mode ${modesTaking(key)}`, FLAGS);
      await mode.run(ctx, project, options);
    });
}

/**
 * `fast` for every label type (a softmax per group for groups projects, a sigmoid per label for multi-label
 * ones); it falls back to the frozen head in one line where the engine cannot run.
 */
async function defaultMode(_ctx: CliContext, _project: string): Promise<string> {
  return 'fast';
}

/** The modes that take option `key`, for the refusal message. */
function modesTaking(key: string): string {
  return Object.entries(TRAIN_MODES)
    .filter(([, mode]) => mode.options.includes(key))
    .map(([name]) => name)
    .join(' or ');
}
