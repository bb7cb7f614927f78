// `skulens train <project> --mode fine-tune`: the fine-tuning path of the train command (the options
// live on `train`; this module runs the job with progress bars, Ctrl-C cancel and the same report).
import { formatReport } from '../../evaluate/index.js';
import { FineTuneParamsSchema, describePlan, fineTuneVersion } from '../../jobs/index.js';
import { versionId } from '../../registry/index.js';
import type { CliContext } from '../context.js';
import { parseOptions } from '../options.js';
import { cancelOnInterrupt, phaseProgress } from '../progress.js';
import type { EngineDone } from '../../finetune/index.js';
import type { TrainCliOptions } from './train.js';

function runLine(engine: EngineDone): string {
  const planned = engine.plan.epochs === engine.plan.requestedEpochs ? `${engine.plan.epochs}` : `${engine.plan.epochs} (of ${engine.plan.requestedEpochs} requested; the budget allowed ${engine.plan.epochs})`;
  return engine.epochsRun === engine.plan.epochs ? `${engine.epochsRun} epoch${engine.epochsRun === 1 ? '' : 's'} as planned` : `${engine.epochsRun} of ${planned} planned epochs`;
}

/** Validates `train --mode fine-tune`'s options, fine-tunes with progress bars, and prints the evaluation like `train`. */
export async function runFineTuneCommand(ctx: CliContext, project: string, options: TrainCliOptions): Promise<void> {
  const params = parseOptions(
    FineTuneParamsSchema,
    {
      backbone: options.backbone,
      seed: options.seed,
      epochs: options.epochs,
      unfreeze: options.unfreeze,
      budgetSeconds: options.budget,
      workers: options.workers,
      from: options.from,
      device: options.device,
      engine: options.engine,
    },
    { budgetSeconds: '--budget' },
  );
  const registry = await ctx.registry();
  const interrupt = cancelOnInterrupt((line) => ctx.info(line), '\nCancelling: the engine stops at its next step and nothing of this version is kept...');
  const bars = phaseProgress(ctx.io.stderr);
  let device: string | undefined;
  try {
    const result = await fineTuneVersion(registry, ctx.home, project, params, {
      signal: interrupt.signal,
      onStart: (version) => ctx.info(`Fine-tuning ${versionId(version)} from backbone ${version.backbone} (seed ${version.seed})`),
      onEngineMessage: (message) => {
        if (message.type === 'ready') {
          device = message.device;
          ctx.info(`${message.torch ? `PyTorch ${message.torch}` : 'onnxruntime'} on ${message.device ?? 'cpu'} (${message.precision ?? 'float32'}): training ${message.trainable} of ${message.parameters} parameters on ${message.train} images, validating on ${message.val}`);
        } else if (message.type === 'plan') {
          ctx.info(describePlan(message, device));
        }
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
        `on ${result.report.numTest} test images; ${runLine(engine)}, on ${engine.device}, ` +
        `in ${(result.trainSeconds / 60).toFixed(1)} min (planned ${(engine.plan.expectedSeconds / 60).toFixed(1)}). ` +
        `Served at ${engine.plan.size} px; the served graph matches training within ${Math.max(check.embeddingMaxDiff, check.logitMaxDiff).toExponential(1)}.`,
    );
    if (engine.stoppedBy === 'budget') ctx.print(`The budget stopped the run after ${engine.epochsRun} of ${engine.plan.epochs} planned epochs: a quieter machine or a larger --budget trains the whole plan.`);
  } finally {
    bars.stop();
    interrupt.dispose();
  }
}
