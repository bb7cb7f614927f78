// `skulens datasets import|export|check|distribute`
import type { Command } from 'commander';
import { z } from 'zod';
import type { Split } from '../../registry/index.js';
import { DatasetFormatSchema, checkDataset, distributeAutoSplit, exportDataset, formatHealthSummary, importDataset, type DatasetImportOptions, type ImportReport } from '../../dataset/index.js';
import { chooseBalance } from '../../train/index.js';
import type { CliContext } from '../context.js';
import { Seed } from '../../params.js';
import { parseOption } from '../options.js';
import { startProgress } from '../progress.js';

/** Imports with a progress bar and one line per skipped file; shared with `skulens demo`. */
export async function runImport(ctx: CliContext, project: string, source: string, split?: Split | 'auto', options: Omit<DatasetImportOptions, 'split'> = {}): Promise<ImportReport> {
  const registry = await ctx.registry();
  const progress = startProgress(ctx.io.stderr, 'import');
  const started = Date.now();
  const report = await importDataset(registry, ctx.home, project, source, {
    ...options,
    storage: ctx.s3,
    onProgress: (done, total) => progress.update(done, total),
    split,
  });
  progress.stop();
  for (const notice of report.notices) ctx.info(`note: ${notice}`);
  for (const skipped of report.skipped) ctx.info(`skipped: ${skipped.reason} [${skipped.code}]`);
  const labels = Object.entries(report.labels);
  ctx.info(
    `Imported ${report.imported} new image(s) from ${report.source} (${report.format}) into "${project}" in ${((Date.now() - started) / 1000).toFixed(1)} s ` +
      `(${report.duplicates} already there, ${report.skipped.length} skipped); the project now has ${labels.length} labels.`,
  );
  return report;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** What `skulens train` with its default `--balance auto` will do for these training labels (logistic head). */
export function defaultBalanceStrategy(y: Int32Array, numClasses: number): string {
  // The reason repeats the ratio the report already shows; the name is what a person needs.
  const { strategy } = chooseBalance(y, numClasses, 'logistic');
  const names = { weights: 'class weights (balanced)', oversample: 'oversampling', undersample: 'undersampling', none: 'no rebalancing' } as const;
  return `${names[strategy]}, chosen by --balance auto`;
}

export function registerDatasets(program: Command, context: () => CliContext): void {
  const datasets = program.command('datasets').description('import, check and export labelled photos');
  datasets
    .command('import <project> <source>')
    .description('import a folder per label, a CSV (path,label, or path,labels with several labels separated by |) or a Ground Truth manifest; a local path or s3://bucket/prefix or s3://bucket/key.manifest')
    .option('--format <format>', 'folder | csv | manifest (default: from the source: a folder or prefix, *.csv, *.manifest / *.jsonl)')
    .option('--split <split>', 'train | test | auto: put every image in this split (default: as the source says, else auto 80/20)', 'layout')
    .option('--path-column <name>', 'CSV column holding image paths', 'path')
    .option('--label-column <name>', 'CSV column holding labels', 'label')
    .option('--label-attribute <name>', 'manifest label attribute to read (repeatable; default: every image-classification attribute)', collect)
    .option('--nested', 'folders inside folders are a hierarchy: the folder holding an image is its label, the folders above its parents (sets the project taxonomy)')
    .option('--json', 'print the import report as JSON on stdout')
    .action(async (project: string, source: string, options: { json?: boolean; split: string; format?: string; pathColumn: string; labelColumn: string; labelAttribute?: string[]; nested?: boolean }) => {
      const ctx = context();
      const split = parseOption(z.enum(['train', 'test', 'auto', 'layout']), options.split, '--split');
      const format = options.format === undefined ? undefined : parseOption(DatasetFormatSchema, options.format, '--format');
      const report = await runImport(ctx, project, source, split === 'layout' ? undefined : split, {
        format,
        columns: { path: parseOption(z.string().min(1), options.pathColumn, '--path-column'), label: parseOption(z.string().min(1), options.labelColumn, '--label-column') },
        labelAttributes: options.labelAttribute,
        nested: options.nested,
      });
      if (options.json) ctx.print(JSON.stringify(report));
    });
  datasets
    .command('export <project>')
    .description('write the dataset as a Ground Truth manifest or CSV, images copied to images/ beside it (or uploaded beside an s3:// key)')
    .requiredOption('--out <file>', 'the manifest or CSV to write: a local path or s3://bucket/key')
    .option('--format <format>', 'manifest | csv', 'manifest')
    .option('--json', 'print the export report as JSON on stdout')
    .action(async (project: string, options: { out: string; format: string; json?: boolean }) => {
      const ctx = context();
      const format = parseOption(z.enum(['manifest', 'csv']), options.format, '--format');
      const report = await exportDataset(await ctx.registry(), ctx.home, project, options.out, { format, storage: ctx.s3 });
      ctx.info(`Exported ${report.entries} entries (${report.images} images) of "${project}" to ${report.out} as a ${format}.`);
      if (options.json) ctx.print(JSON.stringify(report));
    });
  datasets
    .command('check <project>')
    .description('the health report: label counts, imbalance, files left out at import, duplicates, leakage, near-duplicate clusters')
    .option('--json', 'print JSON')
    .action(async (project: string, options: { json?: boolean }) => {
      const ctx = context();
      const summary = checkDataset(await ctx.registry(), project, { imbalanceStrategy: defaultBalanceStrategy });
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
      distributeAutoSplit(registry, registry.projects.get(project).id, parseOption(Seed, options.seed, '--seed'));
      ctx.print(formatHealthSummary(checkDataset(registry, project, { imbalanceStrategy: defaultBalanceStrategy })));
    });
}
