// The Python child process that fine-tunes: finding a python with PyTorch (optional, detected),
// starting the engine on a job file, turning its JSON Lines into typed messages, and cancelling it.
// Nothing else in skulens runs Python; serving a fine-tuned version needs none.
import { spawn } from 'node:child_process';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { SkulensError } from '../errors.js';
import { CANCEL_LINE, parseEngineLine, type EngineDone, type EngineMessage } from './protocol.js';


/**
 * The engine script. Resolved from this module's folder to `src/finetune/engine`, which works both
 * from src/ (tsx) and from dist/ (the package ships src/, and tsc does not copy .py files).
 */
export const ENGINE_SCRIPT = fileURLToPath(new URL('../../src/finetune/engine/skulens_finetune.py', import.meta.url));

/** How to install the engine, for error messages and docs. */
export const INSTALL_HINT =
  'Install PyTorch and onnx for it: `apt-get install python3-torch python3-onnx` (Debian/Ubuntu, then it is /usr/bin/python3) ' +
  'or `pip install torch onnx`; or set SKULENS_PYTHON to a python that has them';

/** What {@link detectEngine} found. */
export interface EngineInfo {
  python: string;
  pythonVersion: string;
  torch: string;
  onnx: string;
}

/** Pythons to try, in order: SKULENS_PYTHON or the given one alone, else Debian's, then the first on PATH. */
export function pythonCandidates(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): string[] {
  const chosen = explicit ?? env.SKULENS_PYTHON;
  if (chosen) return [chosen];
  return ['/usr/bin/python3', 'python3'];
}

const PROBE_TIMEOUT_MS = 120_000;

/**
 * Finds a python that can import torch and onnx by running the engine's `--probe`.
 *
 * @throws SkulensError ERR_FINETUNE_ENGINE_MISSING naming each python tried and saying how to install.
 */
export async function detectEngine(explicit?: string): Promise<EngineInfo> {
  const failures: string[] = [];
  for (const python of pythonCandidates(explicit)) {
    const messages: EngineMessage[] = [];
    const outcome = await runChild(python, [ENGINE_SCRIPT, '--probe'], (m) => messages.push(m), undefined, PROBE_TIMEOUT_MS);
    const probe = messages.find((m) => m.type === 'probe');
    if (probe?.type === 'probe') return { python, pythonVersion: probe.python, torch: probe.torch, onnx: probe.onnx };
    const error = messages.find((m) => m.type === 'error');
    failures.push(`${python}: ${error?.type === 'error' ? error.message : outcome.spawnError ?? lastLine(outcome.stderr) ?? `exit code ${outcome.code}`}`);
  }
  throw new SkulensError('ERR_FINETUNE_ENGINE_MISSING', { detail: failures.join('; '), hint: INSTALL_HINT });
}

/** Options of {@link runEngine}. */
export interface RunEngineOptions {
  onMessage?: (message: EngineMessage) => void;
  /** Aborting sends a cancel line; an engine that has not stopped 15 s later is killed. */
  signal?: AbortSignal;
}

/**
 * Runs the engine on a job file until it is done.
 *
 * @returns the engine's `done` message.
 * @throws SkulensError ERR_TRAINING_CANCELLED (details.version 'engine') when cancelled; ERR_FINETUNE_FAILED
 *   with the engine's own error or the tail of its stderr; ERR_FINETUNE_ENGINE_MISSING when an import failed.
 */
export async function runEngine(python: string, jobFile: string, options: RunEngineOptions = {}): Promise<EngineDone> {
  const done = await runEngineJob(python, jobFile, options);
  if (done.type !== 'done') throw new SkulensError('ERR_FINETUNE_FAILED', { detail: `the engine answered ${done.type} to a fine-tune job` });
  return done;
}

async function runEngineJob(python: string, jobFile: string, options: RunEngineOptions): Promise<EngineDone> {
  let done: EngineDone | undefined;
  let failure: Extract<EngineMessage, { type: 'error' }> | undefined;
  const outcome = await runChild(
    python,
    [ENGINE_SCRIPT, '--job', jobFile],
    (message) => {
      if (message.type === 'done') done = message;
      if (message.type === 'error') failure = message;
      options.onMessage?.(message);
    },
    options.signal,
  );
  if (options.signal?.aborted || outcome.cancelled) throw new SkulensError('ERR_TRAINING_CANCELLED', { version: 'engine' });
  if (failure?.code === 'engine-missing') throw new SkulensError('ERR_FINETUNE_ENGINE_MISSING', { detail: `${python}: ${failure.message}`, hint: INSTALL_HINT });
  if (failure) throw new SkulensError('ERR_FINETUNE_FAILED', { detail: failure.message });
  if (!done || outcome.code !== 0) {
    const how = outcome.spawnError ?? (outcome.signal ? `killed by ${outcome.signal}` : `exit code ${outcome.code}`);
    throw new SkulensError('ERR_FINETUNE_FAILED', { detail: `the engine stopped (${how}) ${lastLine(outcome.stderr) ?? ''}`.trim() });
  }
  return done;
}

interface ChildOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  spawnError?: string;
  cancelled: boolean;
}

const STDERR_KEEP = 8192;
const KILL_AFTER_CANCEL_MS = 15_000;

function runChild(
  command: string,
  args: string[],
  onMessage: (message: EngineMessage) => void,
  signal: AbortSignal | undefined,
  timeoutMs?: number,
): Promise<ChildOutcome> {
  return new Promise((resolve) => {
    // -u: unbuffered, so progress lines arrive as they are printed.
    const child = spawn(command, ['-u', ...args], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
    let stderr = '';
    let spawnError: string | undefined;
    let cancelled = false;
    const timers: NodeJS.Timeout[] = [];
    const cancel = (): void => {
      cancelled = true;
      child.stdin.write(CANCEL_LINE, () => undefined);
      timers.push(setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_CANCEL_MS));
    };
    if (signal?.aborted) cancel();
    signal?.addEventListener('abort', cancel, { once: true });
    if (timeoutMs) timers.push(setTimeout(() => child.kill('SIGKILL'), timeoutMs));
    child.stdin.on('error', () => undefined); // the engine may exit before reading a cancel line
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_KEEP);
    });
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      const message = parseEngineLine(line);
      if (message) onMessage(message);
      else if (line.trim()) stderr = `${stderr}${line}\n`.slice(-STDERR_KEEP);
    });
    child.on('error', (error) => {
      spawnError = (error as NodeJS.ErrnoException).code === 'ENOENT' ? `${command} was not found` : error.message;
    });
    child.on('close', (code, sig) => {
      for (const timer of timers) clearTimeout(timer);
      signal?.removeEventListener('abort', cancel);
      resolve({ code, signal: sig, stderr, spawnError, cancelled });
    });
  });
}

function lastLine(text: string): string | undefined {
  const lines = text.trim().split('\n').filter(Boolean);
  return lines.length ? lines[lines.length - 1] : undefined;
}
