// Runs one training mode from the CLI: its options through the mode's job schema once (errors name the
// flag), progress bars and Ctrl-C, the engine's one-line notes, then the evaluation and the mode's summary.
import { z } from 'zod';
import { formatReport } from '../../evaluate/index.js';
import { COMMON_OPTIONS, TRAINING_MODES, type ModeName, type ModeResult } from '../../jobs/index.js';
import { JobQueue } from '../../queue/index.js';
import { versionId } from '../../registry/index.js';
import type { CliContext } from '../context.js';
import { parseOption, parseOptions } from '../options.js';
import { cancelOnInterrupt, phaseProgress } from '../progress.js';
import { engineNote, summaryLines } from './train-print.js';

/** Raw option values of `train`, as commander gives them (undefined when not given). */
export type TrainCliOptions = Record<string, string | boolean | undefined>;

/** commander's camelCase key of a flag (`max-trials` -> `maxTrials`, `c` -> `c`). */
export const optionKey = (flag: string): string => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** The flag names of a mode's options, by job parameter (for error messages: `--budget`, not `budgetSeconds`). */
function flagsOf(mode: ModeName): Record<string, string> {
  return Object.fromEntries([...COMMON_OPTIONS, ...TRAINING_MODES[mode].options].map((o) => [o.key, `--${o.flag}`]));
}

/** The mode's job parameters from the CLI's raw values. @throws SkulensError ERR_ARGUMENT_INVALID naming the flag. */
export function modeParams(mode: ModeName, options: TrainCliOptions): Record<string, unknown> {
  const raw = Object.fromEntries([...COMMON_OPTIONS, ...TRAINING_MODES[mode].options].map((o) => [o.key, options[optionKey(o.flag)]]));
  return parseOptions(TRAINING_MODES[mode].schema, raw, flagsOf(mode)) as Record<string, unknown>;
}

/** Trains `mode` on the project with progress bars; Ctrl-C cancels and keeps nothing of the version. */
export async function runMode(ctx: CliContext, project: string, mode: ModeName, options: TrainCliOptions): Promise<ModeResult> {
  const params = modeParams(mode, options);
  const registry = await ctx.registry();
  registry.projects.get(project); // a missing project fails before any engine is looked for
  const redis = parseOption(z.string().min(1).optional(), options.redis, '--redis');
  const queue = redis ? await JobQueue.open(redis) : undefined;
  if (queue) ctx.info(`Embedding on ${queue.target.shown}: start \`skulens worker --redis ${queue.target.shown}\` where the home's images and embedding cache are reachable.`);
  const interrupt = cancelOnInterrupt((line) => ctx.info(line), '\nCancelling: training stops at its next step and nothing of this version is kept...');
  const bars = phaseProgress(ctx.io.stderr);
  let device: string | undefined;
  try {
    return await TRAINING_MODES[mode].run(registry, ctx.home, project, params, {
      signal: interrupt.signal,
      queue,
      onStart: (version) => ctx.info(startLine(versionId(version), String(version.params.mode ?? mode), version.backbone, version.seed)),
      onFallback: (_to, reason) => ctx.info(`Training the frozen head: ${reason}.`),
      onEngineMessage: (message) => {
        if (message.type === 'ready') device = String(message.device ?? 'cpu');
        const note = engineNote(message, device);
        if (note) ctx.info(note);
      },
      onProgress: (progress) => bars.update(progress),
    });
  } finally {
    bars.stop();
    interrupt.dispose();
    await queue?.close();
  }
}

/** The line that names a new version as its training starts. */
function startLine(id: string, mode: string, backbone: string, seed: number): string {
  if (mode === 'fine-tune') return `Fine-tuning ${id} from backbone ${backbone} (seed ${seed})`;
  return mode === 'fast' ? `Training ${id} (fast path) from backbone ${backbone} (seed ${seed})` : `Training ${id} on backbone ${backbone} (seed ${seed})`;
}

/** `train`'s action once the mode is known: train, then print the evaluation and the summary (or JSON). */
export async function trainCommand(ctx: CliContext, project: string, mode: ModeName, options: TrainCliOptions): Promise<void> {
  const result = await runMode(ctx, project, mode, options);
  if (options.json) {
    ctx.print(JSON.stringify({ version: versionId(result.version), metrics: result.version.metrics }));
    return;
  }
  ctx.print(formatReport(result.report));
  for (const line of summaryLines(result, options)) ctx.print(line);
}
