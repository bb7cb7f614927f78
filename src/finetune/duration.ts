// Parses the human durations that fine-tuning budgets are given in at the edges (CLI, bench):
// "90", "90s", "30m", "1.5h".
import { SkulensError } from '../errors.js';

/**
 * Seconds in a duration such as "30m".
 *
 * @example
 * parseDuration('30m', '--budget'); // 1800
 * @throws SkulensError ERR_ARGUMENT_INVALID naming `field`.
 */
export function parseDuration(text: string, field = 'budget'): number {
  const match = /^(\d+(?:\.\d+)?)\s*(s|m|h)?$/.exec(text.trim());
  const seconds = match ? Number(match[1]) * (match[2] === 'h' ? 3600 : match[2] === 'm' ? 60 : 1) : NaN;
  if (!(seconds > 0)) throw new SkulensError('ERR_ARGUMENT_INVALID', { field, detail: `"${text}"; use seconds or a number with s, m or h, e.g. 30m` });
  return seconds;
}
