// `skulens train <project>` in its default mode, fast: the blocks above a cut of the backbone and a head,
// trained on cached activations with the ONNX Runtime engine (or --engine torch). Where the fast path cannot
// run (a backbone the engine cannot load, cut or differentiate), it says so in one line and trains the
// frozen head instead.
import { formatReport } from '../../evaluate/index.js';
import { FAST_PATH_ADDS, FastParamsSchema, checkFastPath, fastVersion, type FastParamsInput } from '../../jobs/index.js';
import { versionId } from '../../registry/index.js';
import type { CliContext } from '../context.js';
import { parseOptions } from '../options.js';
import { cancelOnInterrupt, phaseProgress } from '../progress.js';
import type { TrainCliOptions } from './train.js';

/**
 * Validates the fast mode's options, checks that the fast path can run, and trains it with progress bars;
 * otherwise calls `fallback` (the frozen mode) after one line saying why and what the fast path would add.
 */
export async function runFastCommand(ctx: CliContext, project: string, options: TrainCliOptions, fallback: (ctx: CliContext, project: string, options: TrainCliOptions) => Promise<void>): Promise<void> {
  const raw: FastParamsInput = { backbone: options.backbone as string | undefined, seed: options.seed as string | undefined, epochs: options.epochs as string | undefined, cut: options.cut as string | undefined, views: options.views as string | undefined, members: options.members as string | undefined, budgetSeconds: options.budget as string | undefined, workers: options.workers as string | undefined, from: options.from as string | undefined, engine: options.engine as 'onnx' | 'torch' | undefined, device: options.device as 'cpu' | 'cuda' | undefined };
  const params = parseOptions(FastParamsSchema, raw, { budgetSeconds: '--budget' });
  const registry = await ctx.registry();
  registry.projects.get(project); // a missing project fails before the engine is looked for
  const check = await checkFastPath(ctx.home, params);
  if (!check.ok) {
    ctx.info(`Training the frozen head: ${check.reason}; ${FAST_PATH_ADDS}.`);
    // The frozen head takes the options both modes share; --budget means its search time there, so it is left to its default.
    return fallback(ctx, project, { backbone: options.backbone, seed: options.seed, workers: options.workers, json: options.json });
  }
  const interrupt = cancelOnInterrupt((line) => ctx.info(line), '\nCancelling: the engine stops at its next step and nothing of this version is kept...');
  const bars = phaseProgress(ctx.io.stderr);
  try {
    const result = await fastVersion(registry, ctx.home, project, { ...params, python: check.python }, {
      signal: interrupt.signal,
      onStart: (version) => ctx.info(`Training ${versionId(version)} (fast path) from backbone ${version.backbone} (seed ${version.seed})`),
      onEngineMessage: (message) => {
        if (message.type === 'cut') ctx.info(`Cut at ${message.tensor} [${message.shape.join(', ')}]; training the blocks above it and a head`);
      },
      onProgress: (progress) => bars.update(progress),
    });
    bars.stop();
    if (options.json) {
      ctx.print(JSON.stringify({ version: versionId(result.version), metrics: result.version.metrics }));
      return;
    }
    const { run } = result;
    ctx.print(formatReport(result.report));
    ctx.print(
      `\nVersion ${versionId(result.version)} (fast path): accuracy ${result.report.accuracy.toFixed(3)}, macro-F1 ${result.report.macroF1.toFixed(3)} ` +
        `on ${result.report.numTest} test images; ${run.engine.epochsRun} epochs above ${run.engine.cut}${run.engine.members > 1 ? ` in each of ${run.engine.members} members` : ''}, ${run.cache.computed} photos newly cached, ` +
        `trained in ${(result.trainSeconds / 60).toFixed(1)} min. Served ONNX matches training within ${Math.max(run.check.embeddingMaxDiff, run.check.logitMaxDiff).toExponential(1)}.`,
    );
  } finally {
    bars.stop();
    interrupt.dispose();
  }
}
