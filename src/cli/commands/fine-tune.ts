// `skulens train <project> --mode fine-tune`: the fine-tuning path of the train command (the options
// live on `train`; this module runs the job with progress bars, Ctrl-C cancel and the same report).
import { formatReport } from '../../evaluate/index.js';
import { parseDuration } from '../../finetune/index.js';
import { fineTuneVersion, type FineTuneParams } from '../../jobs/index.js';
import { versionId } from '../../registry/index.js';
import type { CliContext } from '../context.js';
import { intOption, parseOption } from '../options.js';
import { startProgress, type Progress } from '../progress.js';

/** Raw option values of `train` that fine-tuning reads. */
export interface FineTuneCliOptions {
  backbone?: string;
  seed: string;
  epochs?: string;
  unfreeze?: string;
  /** Only when given on the command line (the frozen path's default budget is for its search). */
  budget?: string;
  workers?: string;
  json?: boolean;
}

/** Validates the options, fine-tunes with progress bars, and prints the evaluation like `train`. */
export async function runFineTuneCommand(ctx: CliContext, project: string, options: FineTuneCliOptions): Promise<void> {
  const params: Partial<FineTuneParams> = {
    backbone: options.backbone,
    seed: parseOption(intOption(0, 2 ** 31 - 1), options.seed, '--seed'),
    epochs: options.epochs === undefined ? undefined : parseOption(intOption(1, 200), options.epochs, '--epochs'),
    unfreeze: options.unfreeze === undefined || options.unfreeze === 'all' ? 'all' : parseOption(intOption(1, 1000), options.unfreeze.replace(/-?blocks?$/, ''), '--unfreeze'),
    budgetSeconds: options.budget === undefined ? undefined : parseDuration(options.budget, '--budget'),
    workers: options.workers === undefined ? undefined : parseOption(intOption(1, 64), options.workers, '--workers'),
  };
  const registry = await ctx.registry();
  const controller = new AbortController();
  const onSignal = (): void => {
    ctx.info('\nCancelling: the engine stops at its next step and nothing of this version is kept...');
    controller.abort();
  };
  process.once('SIGINT', onSignal);
  const bars = new Map<string, Progress>();
  try {
    const result = await fineTuneVersion(registry, ctx.home, project, params, {
      signal: controller.signal,
      onStart: (version) => ctx.info(`Fine-tuning ${versionId(version)} from backbone ${version.backbone} (seed ${version.seed})`),
      onEngineMessage: (message) => {
        if (message.type === 'ready') ctx.info(`PyTorch ${message.torch}: training ${message.trainable} of ${message.parameters} parameters on ${message.train} images, validating on ${message.val}`);
      },
      onProgress: ({ phase, done, total, detail }) => {
        for (const [name, bar] of bars) if (name !== phase) (bar.stop(), bars.delete(name));
        let bar = bars.get(phase);
        if (!bar) bars.set(phase, (bar = startProgress(ctx.io.stderr, phase)));
        bar.update(done, total, detail);
      },
    });
    for (const bar of bars.values()) bar.stop();
    bars.clear();
    if (options.json) {
      ctx.print(JSON.stringify({ version: versionId(result.version), metrics: result.version.metrics }));
      return;
    }
    const { engine, check } = result;
    ctx.print(formatReport(result.report));
    ctx.print(
      `\nVersion ${versionId(result.version)} (fine-tuned): accuracy ${result.report.accuracy.toFixed(3)}, macro-F1 ${result.report.macroF1.toFixed(3)} ` +
        `on ${result.report.numTest} test images; ${engine.epochsRun} epochs (best ${engine.bestEpoch}, stopped by ${engine.stoppedBy}), ` +
        `trained in ${(result.trainSeconds / 60).toFixed(1)} min. Served ONNX matches PyTorch within ${Math.max(check.embeddingMaxDiff, check.logitMaxDiff).toExponential(1)}.`,
    );
  } finally {
    for (const bar of bars.values()) bar.stop();
    process.removeListener('SIGINT', onSignal);
  }
}
