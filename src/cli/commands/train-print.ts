// What `train` prints around a training: one line for the engine's notable messages (the cut, the runtime,
// the plan) and, after the evaluation, each mode's summary, read from the version's metrics.
import { headline } from '../../evaluate/index.js';
import { describePlan, type ModeResult } from '../../jobs/index.js';
import { versionId } from '../../registry/index.js';
import type { TrainCliOptions } from './train-run.js';

type Message = { type: string } & Record<string, unknown>;

/** A line for the engine messages a user wants to see, or undefined. */
export function engineNote(message: Message, device: string | undefined): string | undefined {
  if (message.type === 'cut') return `Cut at ${String(message.tensor)} [${(message.shape as number[]).join(', ')}]; training the blocks above it and a head`;
  if (message.type === 'ready') {
    const runtime = message.torch ? `PyTorch ${String(message.torch)}` : String(message.runtime ?? 'onnxruntime');
    return `${runtime} on ${String(message.device ?? 'cpu')} (${String(message.precision ?? 'float32')}): training ${String(message.trainable)} of ${String(message.parameters)} parameters on ${String(message.train)} images, validating on ${String(message.val)}`;
  }
  if (message.type === 'plan') return describePlan(message as Parameters<typeof describePlan>[0], device);
  return undefined;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The summary after the evaluation, for the mode the version was trained in. */
export function summaryLines(result: ModeResult, options: TrainCliOptions): string[] {
  const { version, report } = result;
  const m = (version.metrics ?? {}) as Record<string, unknown>;
  const head = `\nVersion ${versionId(version)}`;
  const scores = `${headline(report)} on ${report.numTest} test images`;
  const minutes = `${(result.trainSeconds / 60).toFixed(1)} min`;
  const match = typeof m.exportMaxDiff === 'number' ? ` The served graph matches training within ${m.exportMaxDiff.toExponential(1)}.` : '';
  switch (version.params.mode) {
    case 'fast': {
      const members = Number(m.members ?? 1);
      const cached = (m.cache as { computed?: number } | undefined)?.computed ?? 0;
      return [`${head} (fast path): ${scores}; ${plural(Number(m.epochsRun), 'epoch')} above ${String(m.cut)}${members > 1 ? ` in each of ${members} members` : ''}, ${cached} photos newly cached, trained in ${minutes}.${match}`];
    }
    case 'fine-tune': {
      const planned = Number(m.plannedEpochs);
      const ran = Number(m.epochsRun);
      const run = ran === planned ? `${plural(ran, 'epoch')} as planned` : `${ran} of ${planned} planned epochs`;
      const lines = [`${head} (fine-tuned): ${scores}; ${run}, on ${String(m.device ?? 'cpu')}, in ${minutes}. Served at ${String(m.size)} px.${match}`];
      if (m.stoppedBy === 'budget') lines.push(`The budget stopped the run after ${ran} of ${planned} planned epochs: a quieter machine or a larger --budget trains the whole plan.`);
      return lines;
    }
    default: {
      const lines = [`${head}: ${scores}; trained in ${result.trainSeconds.toFixed(1)} s.`];
      const tuning = m.tuning as { tried: number; skipped: number; stoppedBy: string } | undefined;
      if (tuning?.stoppedBy === 'seconds') lines.push(`The search hit its ${String(options.budget ?? '30m')} time cap after ${tuning.tried} configuration(s), ${tuning.skipped} not tried: this result depends on the machine's speed (see tuning.json).`);
      return lines;
    }
  }
}
