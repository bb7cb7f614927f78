// `skulens review settings|list|confirm|correct|dismiss`: the queue of uncertain served predictions
// (captured when a project opts in) and a person's answers, which join the training set.
import os from 'node:os';
import type { Command } from 'commander';
import { answerReview, captureSettings, reviewQueue, updateCaptureSettings, type ReviewAnswer } from '../../review/index.js';
import type { CliContext } from '../context.js';
import { intOption, numberOption, parseOption } from '../options.js';

const actor = (): string => `cli:${os.userInfo().username}`;
const Id = intOption(1, 2 ** 31 - 1);

export function registerReview(program: Command, context: () => CliContext): void {
  const review = program.command('review').description('uncertain predictions kept for a person to answer (opt in per project)');
  review
    .command('settings <project>')
    .description('show or change when served predictions are kept for review')
    .option('--enable', 'keep uncertain predictions of this project (DetectCustomLabels and batches)')
    .option('--disable', 'stop keeping them')
    .option('--min-confidence <p>', 'keep an answer whose top probability (0-1) is below this')
    .option('--min-margin <p>', 'keep an answer whose margin over the second label (0-1) is below this')
    .option('--max-mb <n>', 'at most this many MB of pending images per project')
    .option('--retention-days <n>', 'drop pending captures older than this many days')
    .option('--json', 'print JSON')
    .action(async (project: string, o: { enable?: boolean; disable?: boolean; minConfidence?: string; minMargin?: string; maxMb?: string; retentionDays?: string; json?: boolean }) => {
      const ctx = context();
      const registry = await ctx.registry();
      const changes = {
        enabled: o.enable ? true : o.disable ? false : undefined,
        minConfidence: o.minConfidence === undefined ? undefined : parseOption(numberOption(0, 1), o.minConfidence, '--min-confidence'),
        minMargin: o.minMargin === undefined ? undefined : parseOption(numberOption(0, 1), o.minMargin, '--min-margin'),
        maxBytes: o.maxMb === undefined ? undefined : Math.round(parseOption(numberOption(0, 1024 ** 2), o.maxMb, '--max-mb') * 1024 ** 2),
        retentionDays: o.retentionDays === undefined ? undefined : parseOption(numberOption(0, 3650), o.retentionDays, '--retention-days'),
      };
      const changed = Object.values(changes).some((v) => v !== undefined);
      const settings = changed ? updateCaptureSettings(registry, project, changes) : captureSettings(registry, registry.projects.get(project).id);
      if (o.json) ctx.print(JSON.stringify(settings));
      else
        ctx.print(
          `${project}: capture ${settings.enabled ? 'on' : 'off'}; keeps answers with top probability < ${settings.minConfidence} or margin < ${settings.minMargin}; ` +
            `at most ${(settings.maxBytes / 1024 ** 2).toFixed(0)} MB pending, kept ${settings.retentionDays} days`,
        );
    });
  review
    .command('list <project>')
    .description('the pending queue, most uncertain first')
    .option('--limit <n>', 'at most this many', '50')
    .option('--json', 'print JSON')
    .action(async (project: string, o: { limit: string; json?: boolean }) => {
      const ctx = context();
      const items = await reviewQueue(await ctx.registry(), ctx.home, project, { limit: parseOption(Id, o.limit, '--limit') });
      if (o.json) ctx.print(JSON.stringify(items));
      else if (items.length === 0) ctx.print(`Nothing to review in ${project}.`);
      else for (const i of items) ctx.print([i.id, `uncertainty ${i.uncertainty.toFixed(3)}`, `${i.topLabel ?? '-'} ${(i.confidence * 100).toFixed(1)}%`, i.version, i.source, i.createdAt].join('\t'));
    });
  const answer = (name: string, description: string, make: (label?: string) => ReviewAnswer, withLabel = false): void => {
    review
      .command(`${name} <project> <id>${withLabel ? ' <label>' : ''}`)
      .description(description)
      .action(async (project: string, id: string, label?: string) => {
        const ctx = context();
        const { item, entry } = await answerReview(await ctx.registry(), ctx.home, project, parseOption(Id, id, '<id>'), make(label), actor());
        ctx.print(entry ? `Review item ${item.id} ${item.status}: entry ${entry.id} (${entry.label}) joined the training set.` : `Review item ${item.id} dismissed.`);
      });
  };
  answer('confirm', "the model's top label is right: the photo joins the training set under it", () => ({ action: 'confirm' }));
  answer('correct', 'the photo is <label>: it joins the training set under that label', (label) => ({ action: 'correct', label: label! }), true);
  answer('dismiss', 'drop the photo from the queue (its stored image is deleted)', () => ({ action: 'dismiss' }));
}
