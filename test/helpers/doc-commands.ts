// Finds the `skulens ...` commands a Markdown page shows (in code blocks and in inline code) and parses
// each with the real commander program, its actions replaced by no-ops: a documented command that the
// CLI would refuse (an unknown command, an option it lacks, one argument too many) is reported.
import type { Command } from 'commander';
import { CommanderError } from 'commander';
import { buildProgram, main } from '../../src/cli/main.js';
import { Capture } from './fixtures.js';

export interface DocCommand {
  /** 1-based line of the page where the command starts. */
  line: number;
  /** The command as written, from `skulens` on. */
  text: string;
}

/** Cuts a shell line into the commands it runs (`;`, `&&`, `||`), each up to a pipe, redirection or comment. */
function shellCommands(line: string): string[] {
  return line
    .split(/\s*(?:;|&&|\|\|)\s*/)
    .map((part) => part.replace(/\s+(?:#|\|\s|>|2>).*$/, '').trim())
    .map((part) => part.replace(/^(?:\$\s+)?(?:[A-Z_][A-Z0-9_]*=\S*\s+)*(?:npx\s+)?/, ''))
    .filter((part) => /^skulens(?:\s|$)/.test(part));
}

/**
 * Every `skulens ...` command on a Markdown page: each line of a fenced code block (a trailing `\`
 * joins the next line), and each inline code span that starts with `skulens`.
 */
export function docCommands(markdown: string): DocCommand[] {
  const found: DocCommand[] = [];
  const lines = markdown.split('\n');
  let fenced = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced;
      continue;
    }
    if (fenced) {
      let joined = line;
      const start = i;
      while (/\\\s*$/.test(joined) && i + 1 < lines.length) joined = joined.replace(/\\\s*$/, ' ') + lines[++i]!.trim();
      for (const text of shellCommands(joined)) found.push({ line: start + 1, text });
      continue;
    }
    for (const span of line.matchAll(/`(skulens(?:\s[^`]*)?)`/g)) {
      // In a table cell `\|` is a written `|`.
      for (const text of shellCommands(span[1]!.replace(/\\\|/g, '|'))) found.push({ line: i + 1, text });
    }
  }
  return found;
}

/** Shell-like words: whitespace-separated, with '...' and "..." quoting. */
function words(text: string): string[] {
  return [...text.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]!);
}

/**
 * The argument lists a synopsis stands for: `<name>` is a word, `[...]` is given, `...` repeats once,
 * and `a|b|c` is each of a, b and c (so every documented choice is parsed).
 */
export function variants(text: string, limit = 512): string[][] {
  let lists: string[][] = [[]];
  for (const word of words(text).slice(1)) {
    const plain = word.replace(/[[\]<>]/g, '').replace(/\.\.\.$/, '');
    if (plain === '' || plain === '...') continue;
    const choices = plain.includes('|') && !plain.includes('://') ? plain.split('|').filter((c) => c !== '') : [plain];
    lists = lists.flatMap((list) => choices.map((choice) => [...list, choice])).slice(0, limit);
  }
  return lists;
}

/** The real program with every action replaced by a no-op, so parsing runs and nothing else does. */
function parsingProgram(): Command {
  const { program } = buildProgram({ stdout: new Capture(), stderr: new Capture() });
  // Only the leaves: a group given an action would take `datasets frobnicate` as an argument.
  const silence = (command: Command): void => {
    if (command.commands.length === 0) command.action(() => undefined);
    command.commands.forEach(silence);
  };
  program.commands.forEach(silence);
  return program;
}

/**
 * True when every word names a command under the one before (`datasets import`), or there is none
 * (`skulens` itself): a mention of a command, not a run of it.
 */
function namesCommandOnly(program: Command, args: readonly string[]): boolean {
  let command = program;
  for (const word of args) {
    const sub = command.commands.find((c) => c.name() === word);
    if (!sub) return false;
    command = sub;
  }
  return true;
}

/**
 * Why the CLI refuses `args`, or undefined when it parses. A mere mention of a command (`skulens train`
 * in prose) is checked as `skulens train --help`: the command must exist. Help and version output pass
 * only when the words ask for them (`datasets check --version v3` would print the version instead).
 */
export async function refusal(args: readonly string[]): Promise<string | undefined> {
  const program = parsingProgram();
  const asked = namesCommandOnly(program, args) ? [...args, '--help'] : args;
  try {
    await program.parseAsync(['node', 'skulens', ...asked]);
    return undefined;
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    if (error.code === 'commander.helpDisplayed' && asked.some((w) => w === '--help' || w === '-h')) return undefined;
    if (error.code === 'commander.version' && asked.length === 1) return undefined;
    if (error.code === 'commander.version') return `the program's --version took the command over (it printed the version)`;
    return error.message.replace(/\s*\n\s*/g, ' ');
  }
}

/** The failures a command run in an empty home may end with: the project, version or file it names is not there. */
const ABSENT = /\[(ERR_PROJECT_NOT_FOUND|ERR_VERSION_NOT_FOUND|ERR_PATH_NOT_FOUND)\]\n$/;

/** The command `args` names when its first argument is a project or a version (so it stops at them in an empty home). */
function namesProjectOrVersion(args: readonly string[]): boolean {
  let command = parsingProgram();
  for (const word of args) {
    const sub = command.commands.find((c) => c.name() === word);
    if (!sub) break;
    command = sub;
  }
  return ['project', 'version'].includes(command.registeredArguments[0]?.name() ?? '');
}

/**
 * Runs a concrete command (no placeholders or choices) on a project or version for real, in `home`
 * where nothing exists: its options must pass the command's own checks (an option of another
 * training mode, a bad value), so it may fail only on the missing project, version or file.
 */
export async function runRefusal(args: readonly string[], home: string): Promise<string | undefined> {
  if (!namesProjectOrVersion(args) || namesCommandOnly(parsingProgram(), args)) return undefined;
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await main(['node', 'skulens', '--home', home, ...args], { stdout, stderr });
  if (code === 1 && ABSENT.test(stderr.text)) return undefined;
  return `exit ${code}: ${stderr.text.trim().split('\n').pop() ?? ''}`;
}

/** Whether a command is written out in full: one argument list, no `<placeholder>` or `[optional]`. */
const concrete = (text: string): boolean => !/[<>[\]]/.test(text) && variants(text).length === 1;

/**
 * `file:line: command -> reason` for each command on the page that the CLI refuses; concrete ones are
 * also run in `home` (an empty home; relative paths resolve in the current folder, so run it in a temp one).
 */
export async function refusedCommands(markdown: string, file: string, home: string): Promise<string[]> {
  const failures: string[] = [];
  for (const command of docCommands(markdown)) {
    for (const args of variants(command.text)) {
      const reason = (await refusal(args)) ?? (concrete(command.text) ? await runRefusal(args, home) : undefined);
      if (reason !== undefined) {
        failures.push(`${file}:${command.line}: skulens ${args.join(' ')} -> ${reason}`);
        break;
      }
    }
  }
  return failures;
}
