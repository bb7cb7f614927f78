// zod schemas for the option values every edge shares (CLI flags, HTTP bodies, job parameters):
// a duration such as "90s", "30m" or "1.5h", and a random seed. One definition each, so that
// `--budget 200h` is refused the same way by every command and job.
import { z } from 'zod';
import { SkulensError } from './errors.js';

const UNIT_SECONDS = Object.freeze({ s: 1, m: 60, h: 3600 });
const DURATION_TEXT = /^(\d+(?:\.\d+)?)\s*(s|m|h)?$/;

/** Seconds in "90", "90s", "30m" or "1.5h"; NaN when the text is none of those. */
function durationSeconds(text: string): number {
  const match = DURATION_TEXT.exec(text.trim());
  return match ? Number(match[1]) * UNIT_SECONDS[(match[2] ?? 's') as keyof typeof UNIT_SECONDS] : NaN;
}

/**
 * A duration in seconds, given as a number of seconds or as text ("90", "90s", "30m", "1.5h"), at most `max` seconds.
 *
 * @example
 * Duration(24 * 3600).parse('30m'); // 1800
 */
export function Duration(max: number) {
  const limit = max % 3600 === 0 ? `${max / 3600}h` : `${max}s`;
  return z
    .union([z.number(), z.string()])
    .transform((value, ctx) => {
      const seconds = typeof value === 'number' ? value : durationSeconds(value);
      if (!(seconds > 0) || seconds > max) {
        ctx.addIssue({ code: 'custom', message: `"${value}" is not a duration from 1s to ${limit}; use seconds or a number with s, m or h, e.g. 30m` });
        return z.NEVER;
      }
      return seconds;
    });
}

/**
 * Seconds in a duration such as "30m", for scripts that read one outside a schema (up to 7 days).
 *
 * @example
 * parseDuration('30m', '--budget'); // 1800
 * @throws SkulensError ERR_ARGUMENT_INVALID naming `field`.
 */
export function parseDuration(text: string, field = 'duration'): number {
  const result = Duration(7 * 24 * 3600).safeParse(text);
  if (!result.success) throw new SkulensError('ERR_ARGUMENT_INVALID', { field, detail: result.error.issues.map((issue) => issue.message).join('; ') });
  return result.data;
}

/** Text that reads as a finite number becomes that number; anything else is left for the schema to refuse by name. */
function numberFromText(value: unknown): unknown {
  return typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)) ? Number(value) : value;
}

/** A number (or its text) from `min` to `max`; `"abc"` is refused as `"abc" is not a number from 0 to 1`, never as NaN. */
function numeric(min: number, max: number, integer: boolean) {
  const kind = integer ? 'a whole number' : 'a number';
  const what = min > 0 && min < 1e-300 ? `${kind} above 0, at most ${max}` : `${kind} from ${min} to ${max}`;
  const refuse = (iss: { input?: unknown }): string => `${JSON.stringify(iss.input)} is not ${what}`;
  const number = z.number({ error: refuse });
  return z.preprocess(numberFromText, (integer ? number.int({ error: refuse }) : number).min(min, { error: refuse }).max(max, { error: refuse }));
}

/** A random seed: an integer 0 to 2^31-1, given as a number or as text; default 1. */
export const Seed = numeric(0, 2 ** 31 - 1, true).default(1);

/** An integer option given as a number or as text. */
export const Int = (min: number, max: number) => numeric(min, max, true);

/** A number option given as a number or as text. */
export const Num = (min: number, max: number) => numeric(min, max, false);
