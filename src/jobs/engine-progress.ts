// The engine's messages as a job's progress, one rule for the fast path and fine-tuning on either engine:
// the activation cache, each step and epoch of training (`trainPhase`: the fast path's "train", a
// fine-tune's "finetune"), the timed steps of the plan and the linear probe, and the export.
import type { EngineMessage } from '../finetune/index.js';
import type { JobProgress } from './version-job.js';

export function forwardEngineProgress(message: EngineMessage, progress: (p: JobProgress<string>) => void, trainPhase: 'train' | 'finetune'): void {
  if (message.type === 'cache') progress({ phase: 'cache', done: message.done, total: message.total, detail: 'activations below the cut' });
  else if (message.type === 'progress') {
    const detail = `epoch ${message.epoch}/${message.epochs} loss ${message.loss.toFixed(4)} ${message.imagesPerSecond.toFixed(0)} img/s`;
    progress({ phase: trainPhase, done: (message.epoch - 1) * message.steps + message.step, total: message.epochs * message.steps, detail });
  } else if (message.type === 'epoch') {
    const detail = `epoch ${message.epoch}/${message.epochs} loss ${message.trainLoss.toFixed(4)} val acc ${message.valAccuracy.toFixed(3)}${message.size ? ` at ${message.size} px` : ''}`;
    progress({ phase: trainPhase, done: message.epoch, total: message.epochs, detail });
  } else if (message.type === 'plan') progress({ phase: 'measure', done: 1, total: 1, detail: 'timed a training step' });
  else if (message.type === 'phase' && (message.phase === 'measure' || message.phase === 'probe')) {
    progress({ phase: 'measure', done: 0, total: 1, detail: message.phase === 'measure' ? 'timing a training step' : 'linear probe of the head on the starting weights' });
  } else if (message.type === 'phase' && message.phase === 'export') progress({ phase: 'export', done: 0, total: 1, detail: 'the served graph' });
}
