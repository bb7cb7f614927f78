// Long jobs on the terminal: a cli-progress bar on a TTY, a plain line every few seconds otherwise
// (CI logs, pipes), so that long jobs always show signs of life; and Ctrl-C as a clean cancel.
import cliProgress from 'cli-progress';
import type { Output } from './context.js';

export interface Progress {
  update(done: number, total: number, detail?: string): void;
  stop(): void;
}

const PLAIN_INTERVAL_MS = 5000;

export function startProgress(out: Output, title: string): Progress {
  if (out.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        format: `${title.padEnd(10)} [{bar}] {percentage}% | {value}/{total} | {eta_formatted} left | {detail}`,
        stream: out as NodeJS.WriteStream,
        hideCursor: true,
        clearOnComplete: false,
      },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      update(done, total, detail = '') {
        if (!started) {
          bar.start(total, done, { detail });
          started = true;
        }
        bar.setTotal(total);
        bar.update(done, { detail });
      },
      stop() {
        if (started) bar.stop();
      },
    };
  }
  let last = 0;
  let lastLine = '';
  return {
    update(done, total, detail) {
      const now = Date.now();
      lastLine = `${title}: ${done}/${total}${detail ? ` (${detail})` : ''}`;
      if (now - last >= PLAIN_INTERVAL_MS || done === total) {
        last = now;
        out.write(`${lastLine}\n`);
        lastLine = '';
      }
    },
    stop() {
      if (lastLine) out.write(`${lastLine}\n`);
    },
  };
}

/** One bar per job phase: a new phase stops the previous phase's bar; `stop` ends whichever is open. */
export function phaseProgress(out: Output): { update(progress: { phase: string; done: number; total: number; detail?: string }): void; stop(): void } {
  const bars = new Map<string, Progress>();
  return {
    update({ phase, done, total, detail }) {
      for (const [name, bar] of bars) if (name !== phase) (bar.stop(), bars.delete(name));
      let bar = bars.get(phase);
      if (!bar) bars.set(phase, (bar = startProgress(out, phase)));
      bar.update(done, total, detail);
    },
    stop() {
      for (const bar of bars.values()) bar.stop();
      bars.clear();
    },
  };
}

/** Resolves at the first SIGINT or SIGTERM (a long-running command's cue to close cleanly), then stops listening. */
export function untilStopped(): Promise<void> {
  return new Promise((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

/** An abort signal that Ctrl-C fires once (printing `message`), until `dispose` removes the handler. */
export function cancelOnInterrupt(info: (line: string) => void, message: string): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSignal = (): void => {
    info(message);
    controller.abort();
  };
  process.once('SIGINT', onSignal);
  return { signal: controller.signal, dispose: () => void process.removeListener('SIGINT', onSignal) };
}
