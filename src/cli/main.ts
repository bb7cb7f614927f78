// The `skulens` command line: builds the commander program and maps errors to one clear line.
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { z } from 'zod';
import { SkulensError } from '../errors.js';
import { argumentError } from './options.js';
import { CliContext, type CliIo } from './context.js';
import { registerBackbones } from './commands/backbones.js';
import { registerBatch } from './commands/batch.js';
import { registerDatasets } from './commands/datasets.js';
import { registerDemo } from './commands/demo.js';
import { registerKeys } from './commands/keys.js';
import { registerExport } from './commands/export.js';
import { registerGenericLabels } from './commands/labels-generic.js';
import { registerLabels } from './commands/labels.js';
import { registerPredict } from './commands/predict.js';
import { registerProjects } from './commands/projects.js';
import { registerServe } from './commands/serve.js';
import { registerTrain } from './commands/train.js';
import { registerVersions } from './commands/versions.js';
import { registerWorker } from './commands/worker.js';
import { registerReview } from './commands/review.js';

export const VERSION = '0.1.0';

/** Builds the program. `context` is created after options are parsed, so --home applies. */
export function buildProgram(io: CliIo): { program: Command; context: () => CliContext; dispose: () => void } {
  let ctx: CliContext | undefined;
  const program = new Command('skulens')
    .description('Custom labels for product photos: import, check, train, evaluate and predict, on your own machine.')
    .version(VERSION)
    .option('--home <dir>', 'where skulens keeps its data (default: $SKULENS_HOME or ~/.skulens)')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
  const context = (): CliContext => (ctx ??= new CliContext(program.opts<{ home?: string }>().home, io));
  registerProjects(program, context);
  registerDatasets(program, context);
  registerTrain(program, context);
  registerVersions(program, context);
  registerPredict(program, context);
  registerBatch(program, context);
  registerExport(program, context);
  registerGenericLabels(program, context);
  registerLabels(program, context);
  registerBackbones(program, context);
  registerDemo(program, context);
  registerServe(program, context);
  registerKeys(program, context);
  registerWorker(program, context);
  registerReview(program, context);
  return { program, context, dispose: () => ctx?.close() };
}

/** Runs the CLI on `argv` (process.argv shape). Resolves to the exit code. */
export async function main(argv: readonly string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const { program, context, dispose } = buildProgram(io);
  try {
    await program.parseAsync([...argv]);
    return context().exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    // A schema the command did not map itself (a job's own parse): still a coded line, never a stack.
    if (error instanceof z.ZodError) error = argumentError(error);
    if (error instanceof SkulensError) {
      io.stderr.write(`skulens: ${error.message} [${error.code}]\n`);
    } else {
      io.stderr.write(`skulens: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    }
    return 1;
  } finally {
    dispose();
  }
}

const invokedDirectly = process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
if (invokedDirectly) process.exitCode = await main(process.argv);
