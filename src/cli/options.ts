// Parses command-line option values with zod, so a bad value gets a coded error naming the option.
import { z } from 'zod';
import { SkulensError } from '../errors.js';

export function parseOption<T>(schema: z.ZodType<T>, value: unknown, option: string): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new SkulensError('ERR_ARGUMENT_INVALID', { field: option, detail: result.error.issues.map((i) => i.message).join('; ') });
  }
  return result.data;
}

export const intOption = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
export const numberOption = (min: number, max: number) => z.coerce.number().min(min).max(max);
