// CreateProjectVersion's training modes and their <Mode>Options, derived from TRAINING_MODES: each
// options object holds the mode's options under their HTTP field names, typed by the mode's own job
// schema (defaults left to the job), so the API accepts exactly what the job accepts, with the same
// bounds, and the OpenAPI document and the console's form show the same fields.
import { z } from 'zod';
import { SkulensError } from '../../errors.js';
import { DEFAULT_MODE, MODE_NAMES, TRAINING_MODES, type ModeName, type TrainingMode } from '../../jobs/index.js';

export const TrainingModeSchema = z.enum(MODE_NAMES);

/** The request field of a mode's options: "fine-tune" -> "FineTuneOptions". */
export function optionsField(mode: ModeName): string {
  return `${mode.replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase())}Options`;
}

/** The job schema's type of one option, optional at the edge (the job applies its default). */
function fieldSchema(mode: TrainingMode, key: string, help: string): z.ZodType {
  let type = mode.schema.shape[key] as z.ZodType | undefined;
  if (!type) throw new Error(`TRAINING_MODES.${mode.name}: option ${key} is not in its schema`);
  if (type instanceof z.ZodDefault || type instanceof z.ZodOptional) type = type.unwrap() as z.ZodType;
  return type.optional().describe(help);
}

/** One mode's <Mode>Options object: its options only, unknown fields refused. */
function optionsSchema(mode: TrainingMode) {
  return z.object(Object.fromEntries(mode.options.map((o) => [o.field, fieldSchema(mode, o.key, o.help)]))).strict();
}

/** Every mode's options field, for CreateProjectVersion's input. */
export const MODE_OPTIONS_INPUT: Record<string, z.ZodOptional<z.ZodType>> = Object.fromEntries(
  Object.values(TRAINING_MODES).map((mode) => [optionsField(mode.name), optionsSchema(mode).optional().describe(`skulens, with Mode ${mode.name}: ${mode.options.map((o) => o.field).join(', ')} (${mode.docs})`)]),
);

/** The Mode field's help: the modes and the default. */
export const MODE_HELP = `skulens: ${MODE_NAMES.map((name) => `${name}${name === DEFAULT_MODE ? ' (default)' : ''}: ${TRAINING_MODES[name].summary}`).join('; ')}`;

/**
 * A request's mode (the default when none) and its options as job parameters; options given for another
 * mode are refused, naming the field.
 */
export function modeParams(input: { Mode?: ModeName } & Record<string, unknown>): { mode: ModeName; params: Record<string, unknown> } {
  const mode = input.Mode ?? DEFAULT_MODE;
  const params: Record<string, unknown> = {};
  for (const other of MODE_NAMES) {
    const given = input[optionsField(other)] as Record<string, unknown> | undefined;
    if (given === undefined) continue;
    if (other !== mode) throw new SkulensError('ERR_ARGUMENT_INVALID', { field: optionsField(other), detail: `it applies to Mode ${other}, not ${mode}` });
    for (const o of TRAINING_MODES[mode].options) if (given[o.field] !== undefined) params[o.key] = given[o.field];
  }
  return { mode, params };
}

/** The modes as the console's training form reads them: fields, help and JSON schemas, the default first. */
export function modesDescription(): { Name: ModeName; Summary: string; Default: boolean; Docs: string; OptionsField: string; Options: { Field: string; Help: string; Schema: unknown }[] }[] {
  const order = [DEFAULT_MODE, ...MODE_NAMES.filter((m) => m !== DEFAULT_MODE)];
  return order.map((name) => {
    const mode = TRAINING_MODES[name];
    return {
      Name: name,
      Summary: mode.summary,
      Default: name === DEFAULT_MODE,
      Docs: mode.docs,
      OptionsField: optionsField(name),
      Options: mode.options.map((o) => ({ Field: o.field, Help: o.help, Schema: jsonSchemaOf(fieldSchema(mode, o.key, o.help)) })),
    };
  });
}

function jsonSchemaOf(schema: z.ZodType): unknown {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}
