// Starts a job child (job-child.ts) and follows it: messages in, cancel out, and a clear failure when
// it dies without a result. Children run at a lower CPU priority, so requests served by this process
// (detects) go first when the cores are busy.
import { fork, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { SkulensError, type ErrorCode, ERRORS } from '../errors.js';
import type { ChildMessage, JobRequest, WireError } from './job-protocol.js';

const FROM_SOURCE = import.meta.url.endsWith('.ts');
/** How much lower than the server a child runs (nice value added, 0-19). */
const CHILD_NICENESS = 10;

/** A running job child. */
export interface JobChild {
  readonly pid: number | undefined;
  /** Asks the job to stop (it cleans up and exits). */
  cancel(): void;
  /** Tells the job the server is closing (a training records that it failed, an import is cancelled). */
  shutdown(): void;
  /** Resolves when the child has exited. */
  readonly exited: Promise<void>;
}

/** Turns a failure sent by a child back into the SkulensError it was (or ERR_JOB_CHILD_FAILED). */
export function fromWire(error: WireError, job: string): SkulensError {
  if (error.code && Object.hasOwn(ERRORS, error.code)) return new SkulensError(error.code as ErrorCode, error.details ?? {});
  return new SkulensError('ERR_JOB_CHILD_FAILED', { job, detail: error.message });
}

/**
 * Forks a child for `job`; `onMessage` gets each message, `onExit` the exit (after the last message),
 * with the tail of the child's stderr when it ended badly.
 */
export function startJobChild(job: JobRequest, env: NodeJS.ProcessEnv, onMessage: (message: ChildMessage) => void, onExit: (code: number | null, stderrTail: string) => void): JobChild {
  const entry = fileURLToPath(new URL(FROM_SOURCE ? './job-child.ts' : './job-child.js', import.meta.url));
  const execArgv = FROM_SOURCE ? ['--import', import.meta.resolve('tsx')] : [];
  const child: ChildProcess = fork(entry, [], { execArgv, env, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  try {
    if (child.pid !== undefined) os.setPriority(child.pid, Math.min(19, os.getPriority(process.pid) + CHILD_NICENESS));
  } catch {
    // Not allowed to change priorities here: the child runs at the server's priority.
  }
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
  });
  child.on('message', (message: ChildMessage) => onMessage(message));
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code) => {
      onExit(code, stderr.trim());
      resolve();
    });
    child.once('error', (error) => {
      stderr += `\n${error.message}`;
    });
  });
  child.send({ type: 'run', job });
  return {
    pid: child.pid,
    exited,
    cancel() {
      if (child.connected) child.send({ type: 'cancel' });
    },
    shutdown() {
      if (child.connected) child.send({ type: 'shutdown' });
    },
  };
}
