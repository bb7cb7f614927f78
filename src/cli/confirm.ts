// Asking a person before a command destroys something: on a terminal a y/N question, elsewhere (a pipe,
// a script, a test) no question at all, so the command needs --yes and says so in one coded line.
import { createInterface } from 'node:readline/promises';
import { SkulensError } from '../errors.js';
import type { CliContext } from './context.js';

/**
 * Resolves when `what` may be deleted: `yes` was given, or a person on the terminal answered y.
 *
 * @example
 * await confirmDeletion(ctx, 'Project "shoes" (340 photos, 3 model versions)', options.yes);
 * @throws SkulensError ERR_NOT_CONFIRMED when there is no terminal to ask on, or the answer was not yes.
 */
export async function confirmDeletion(ctx: CliContext, what: string, yes: boolean | undefined): Promise<void> {
  if (yes) return;
  const { stdin, stderr } = ctx.io;
  if (!stdin?.isTTY || !stderr.isTTY) throw new SkulensError('ERR_NOT_CONFIRMED', { what, detail: 'there is no terminal to ask on' });
  const questions = createInterface({ input: stdin, output: stderr as unknown as NodeJS.WritableStream, terminal: true });
  try {
    const answer = await questions.question(`${what} will be deleted; this cannot be undone. Delete it? [y/N] `);
    if (!/^\s*y(es)?\s*$/i.test(answer)) throw new SkulensError('ERR_NOT_CONFIRMED', { what, detail: `the answer was "${answer.trim()}", not yes` });
  } finally {
    questions.close();
  }
}
