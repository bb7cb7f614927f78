// `skulens train <project> --mode fine-tune`: the fine-tuning path of the train command (the options
// live on `train`; this module runs the job with progress bars, Ctrl-C cancel and the same report).
import { formatReport } from '../../evaluate/index.js';
import { FineTuneParamsSchema, fineTuneVersion } from '../../jobs/index.js';
import { versionId } from '../../registry/index.js';
import type { CliContext } from '../context.js';
import { parseOptions } from '../options.js';
import { cancelOnInterrupt, phaseProgress } from '../progress.js';
import type { TrainCliOptions } from './train.js';

/** Validates `train --mode fine-tune`'s options, fine-tunes with progress bars, and prints the evaluation like `train`. */
export async function runFineTuneCommand(ctx: CliContext, project: string, options: TrainCliOptions): Promise<void> {
  const params = parseOptions(
    FineTuneParamsSchema,
    { backbone: options.backbone, seed: options.seed, epochs: options.epochs, unfreeze: options.unfreeze, budgetSeconds: options.budget, workers: options.workers },
    { budgetSeconds: '--budget' },
  );
  const registry = await ctx.registry();
  const interrupt = cancelOnInterrupt((line) => ctx.info(line), '\nCancelling: the engine stops at its next step and nothing of this version is kept...');
  const bars = phaseProgress(ctx.io.stderr);
  try {
    const result = await fineTuneVersion(registry, ctx.home, project, params, {
      signal: interrupt.signal,
      onStart: (version) => ctx.info(`Fine-tuning ${versionId(version)} from backbone ${version.backbone} (seed ${version.seed})`),
      onEngineMessage: (message) => {
        if (message.type === 'ready') ctx.info(`PyTorch ${message.torch}: training ${message.trainable} of ${message.parameters} parameters on ${message.train} images, validating on ${message.val}`);
      },
      onProgress: (progress) => bars.update(progress),
    });
    bars.stop();
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
    bars.stop();
    interrupt.dispose();
  }
}
