// The CLI's edge: a command's raw option values go through the zod schema the job uses, once, and a
// ZodError becomes ERR_ARGUMENT_INVALID naming the option (`--budget`, not `budgetSeconds`) and what it allows.
import { z } from 'zod';
import { SkulensError } from '../errors.js';

/** `budgetSeconds` -> `--budget-seconds`; pass `flags` for keys whose flag differs (`{ budgetSeconds: '--budget' }`). */
export function flagOf(key: PropertyKey, flags: Readonly<Record<string, string>> = {}): string {
  const name = String(key);
  return flags[name] ?? `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** One ERR_ARGUMENT_INVALID for the first failing option of a ZodError (its other issues follow in the detail). */
export function argumentError(error: z.ZodError, flags: Readonly<Record<string, string>> = {}): SkulensError {
  const [first, ...rest] = error.issues;
  const field = first && first.path.length > 0 ? flagOf(first.path[0]!, flags) : 'options';
  const detail = [first, ...rest.filter((issue) => issue.path[0] === first?.path[0])].map((issue) => issue?.message).join('; ');
  return new SkulensError('ERR_ARGUMENT_INVALID', { field, detail }, { cause: error });
}

/**
 * Parses `raw` with `schema`; undefined values are left out so the schema's defaults apply.
 *
 * @example
 * parseOptions(TrainParamsSchema, { seed: '7', budgetSeconds: '5m' }, { budgetSeconds: '--budget' });
 * @throws SkulensError ERR_ARGUMENT_INVALID naming the option.
 */
export function parseOptions<S extends z.ZodType>(schema: S, raw: Readonly<Record<string, unknown>>, flags: Readonly<Record<string, string>> = {}): z.output<S> {
  const given = Object.fromEntries(Object.entries(raw).filter(([, value]) => value !== undefined));
  const result = schema.safeParse(given);
  if (!result.success) throw argumentError(result.error, flags);
  return result.data;
}

/** One option's value through a schema. @throws SkulensError ERR_ARGUMENT_INVALID naming `option`. */
export function parseOption<T>(schema: z.ZodType<T>, value: unknown, option: string): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new SkulensError('ERR_ARGUMENT_INVALID', { field: option, detail: result.error.issues.map((i) => i.message).join('; ') });
  return result.data;
}

/**
 * Refuses options that do not apply: each of `given` (option key -> value, undefined when not given)
 * that is not in `allowed` fails with a one-line reason.
 */
export function refuseOptions(given: Readonly<Record<string, unknown>>, allowed: readonly string[], reason: (flag: string, key: string) => string, flags: Readonly<Record<string, string>> = {}): void {
  for (const [key, value] of Object.entries(given)) {
    if (value === undefined || allowed.includes(key)) continue;
    const flag = flagOf(key, flags);
    throw new SkulensError('ERR_ARGUMENT_INVALID', { field: flag, detail: reason(flag, key) });
  }
}

export { Int as intOption, Num as numberOption } from '../params.js';
