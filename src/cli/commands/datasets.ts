// `skulens datasets import|check|distribute`
import type { Command } from 'commander';
import { z } from 'zod';
import type { Split } from '../../registry/index.js';
import { checkDataset, distributeAutoSplit, formatHealthSummary, importFolder, type ImportReport } from '../../dataset/index.js';
import type { CliContext } from '../context.js';
import { intOption, parseOption } from '../options.js';
import { startProgress } from '../progress.js';

/** Imports with a progress bar and one line per skipped file; shared with `skulens demo`. */
export async function runImport(ctx: CliContext, project: string, source: string, split?: Split | 'auto'): Promise<ImportReport> {
  const registry = await ctx.registry();
  const progress = startProgress(ctx.io.stderr, 'import');
  const report = await importFolder(registry, ctx.home, project, source, {
    onProgress: (done, total) => progress.update(done, total),
    split,
  });
  progress.stop();
  for (const notice of report.notices) ctx.info(`note: ${notice}`);
  for (const skipped of report.skipped) ctx.info(`skipped: ${skipped.reason} [${skipped.code}]`);
  const labels = Object.entries(report.labels);
  ctx.info(
    `Imported ${report.imported} new image(s) from ${report.source} into "${project}" (${report.duplicates} already there, ${report.skipped.length} skipped); ` +
      `the project now has ${labels.length} labels.`,
  );
  return report;
}

export function registerDatasets(program: Command, context: () => CliContext): void {
  const datasets = program.command('datasets').description('import and check labelled photos');
  datasets
    .command('import <project> <folder>')
    .description('import a folder per label (<root>/<label>/*.jpg) or <root>/{train,test}/<label>/*.jpg')
    .option('--split <split>', 'train | test | auto: put every image in this split (default: train/ and test/ sub-roots, else auto 80/20)', 'layout')
    .option('--json', 'print the import report as JSON on stdout')
    .action(async (project: string, folder: string, options: { json?: boolean; split: string }) => {
      const ctx = context();
      const split = parseOption(z.enum(['train', 'test', 'auto', 'layout']), options.split, '--split');
      const report = await runImport(ctx, project, folder, split === 'layout' ? undefined : split);
      if (options.json) ctx.print(JSON.stringify(report));
    });
  datasets
    .command('check <project>')
    .description('a short health summary: label counts, imbalance, duplicates and train/test leakage')
    .option('--json', 'print JSON')
    .action(async (project: string, options: { json?: boolean }) => {
      const ctx = context();
      const summary = checkDataset(await ctx.registry(), project);
      ctx.print(options.json ? JSON.stringify(summary) : formatHealthSummary(summary));
      if (summary.findings.some((f) => f.severity === 'error')) ctx.exitCode = 2;
    });
  datasets
    .command('distribute <project>')
    .description('re-draw the seeded stratified 80/20 split of images that came without a test set')
    .option('--seed <n>', 'split seed', '42')
    .action(async (project: string, options: { seed: string }) => {
      const ctx = context();
      const registry = await ctx.registry();
      distributeAutoSplit(registry, registry.getProject(project).id, parseOption(intOption(0, 2 ** 31 - 1), options.seed, '--seed'));
      ctx.print(formatHealthSummary(checkDataset(registry, project)));
    });
}
