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
    .exitOverride()
    // Usage errors are printed by main() as one coded line (never the whole help); --help still prints it.
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s), outputError: () => undefined });
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

/** Commander's own outcomes that are not mistakes: --help, --version, and the help of a command group run bare. */
const USAGE_ERROR = (code: string): boolean => !['commander.helpDisplayed', 'commander.help', 'commander.version'].includes(code);

/** The command `argv` names (`datasets import`), found by walking the program's subcommands through its words. */
export function commandPath(program: Command, argv: readonly string[]): string {
  const names: string[] = [];
  let command = program;
  for (const word of argv.slice(2)) {
    if (command.commands.length === 0) break;
    const sub = command.commands.find((c) => c.name() === word || c.aliases().includes(word));
    if (sub) {
      names.push(sub.name());
      command = sub;
    }
  }
  return names.join(' ');
}

/** A commander usage error (too many arguments, an unknown option) as ERR_CLI_USAGE naming the command's help. */
function usageError(program: Command, argv: readonly string[], error: CommanderError): SkulensError {
  const detail = error.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ').replace(/\.$/, '');
  return new SkulensError('ERR_CLI_USAGE', { detail, command: ['skulens', commandPath(program, argv)].filter(Boolean).join(' ') }, { cause: error });
}

/** Runs the CLI on `argv` (process.argv shape). Resolves to the exit code. */
export async function main(argv: readonly string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin }): Promise<number> {
  const { program, context, dispose } = buildProgram(io);
  try {
    await program.parseAsync([...argv]);
    return context().exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (!USAGE_ERROR(error.code)) return error.exitCode;
      error = usageError(program, argv, error);
    }
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
