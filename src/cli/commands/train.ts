// `skulens train <project> [--mode fast|frozen|fine-tune]`: trains a new version (fast by default). The modes
// are the rows of TRAINING_MODES (src/jobs/modes.ts): each row's options are this command's flags, its
// schema checks their values once, and an option of another mode is refused in one line.
import type { Command } from 'commander';
import { z } from 'zod';
import { COMMON_OPTIONS, DEFAULT_MODE, MODE_NAMES, TRAINING_MODES, type ModeName, type ModeOption } from '../../jobs/index.js';
import type { CliContext } from '../context.js';
import { parseOption, refuseOptions } from '../options.js';
import { optionKey, trainCommand, type TrainCliOptions } from './train-run.js';

export { runMode, type TrainCliOptions } from './train-run.js';

/** On/off options are named by both their flags in refusals (`--tune/--no-tune`). */
const SWITCHES: Readonly<Record<string, string>> = Object.freeze(
  Object.fromEntries(MODE_NAMES.flatMap((name) => TRAINING_MODES[name].options.filter((o) => !o.value).map((o) => [optionKey(o.flag), `--${o.flag}/--no-${o.flag}`]))),
);

/** Every mode's options once per flag, with the modes that take it and each one's help. */
function flagTable(): { flag: string; value?: string; help: string; modes: ModeName[] }[] {
  const byFlag = new Map<string, { option: ModeOption; modes: ModeName[]; helps: string[] }>();
  for (const name of MODE_NAMES) {
    for (const option of TRAINING_MODES[name].options) {
      const row = byFlag.get(option.flag) ?? { option, modes: [], helps: [] };
      row.modes.push(name);
      row.helps.push(`${name}: ${option.help}`);
      byFlag.set(option.flag, row);
    }
  }
  return [...byFlag.values()].map(({ option, modes, helps }) => {
    // Modes that say the same thing about a flag share one line: "fast, fine-tune: ...".
    const texts = [...new Set(helps.map((h) => h.slice(h.indexOf(': ') + 2)))];
    const help = texts.map((text) => `${modes.filter((_, k) => helps[k]!.endsWith(`: ${text}`)).join(', ')}: ${text}`).join('; ');
    return { flag: option.flag, value: option.value, help, modes };
  });
}

/** The flags `mode` takes: the common ones, its own, and --redis for the frozen mode's embedding queue. */
function takes(mode: ModeName): string[] {
  return [...COMMON_OPTIONS, ...TRAINING_MODES[mode].options].map((o) => optionKey(o.flag)).concat(mode === 'frozen' ? ['redis'] : []);
}

/** The modes that take option `key`, for the refusal message. */
function modesTaking(key: string): string {
  return MODE_NAMES.filter((name) => takes(name).includes(key)).join(' or ');
}

export function registerTrain(program: Command, context: () => CliContext): void {
  const command = program
    .command('train <project>')
    .description('train a new model version on the project dataset and evaluate it on its test split')
    .option('--mode <mode>', `${MODE_NAMES.map((name) => `${name}${name === DEFAULT_MODE ? ' (default)' : ''}: ${TRAINING_MODES[name].summary}`).join('; ')}`);
  for (const o of COMMON_OPTIONS) command.option(`--${o.flag}${o.value ? ` <${o.value}>` : ''}`, o.help);
  for (const o of flagTable()) {
    command.option(`--${o.flag}${o.value ? ` <${o.value}>` : ''}`, o.help);
    if (!o.value) command.option(`--no-${o.flag}`, `${o.modes.join(', ')}: turn ${o.flag} off`);
  }
  command
    .option('--redis <url>', 'frozen: embed the images missing from the cache on `skulens worker --redis <url>` processes (same home or a shared path), then train here')
    .option('--json', 'print the result as JSON on stdout')
    .action(async (project: string, options: TrainCliOptions) => {
      const ctx = context();
      const name = parseOption(z.enum(MODE_NAMES as [ModeName, ...ModeName[]]), options.mode ?? DEFAULT_MODE, '--mode');
      const { mode: _mode, json: _json, ...given } = options;
      refuseOptions(given, takes(name), (flag, key) => `it does not apply to --mode ${name}; ${flag} is an option of --mode ${modesTaking(key)}`, SWITCHES);
      await trainCommand(ctx, project, name, options);
    });
}
