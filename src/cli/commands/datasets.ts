// `skulens datasets import|export|check|distribute|relabel|remove|keep|history`
import os from 'node:os';
import type { Command } from 'commander';
import { z } from 'zod';
import { SkulensError } from '../../errors.js';
import type { Entry, Registry, Split } from '../../registry/index.js';
import { latestTrained, mislabelledRanking, type MislabelledRanking } from '../../review/index.js';
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
    .description('the health report: label counts, imbalance, files left out at import, duplicates, leakage, near-duplicate clusters; after a training, the likely mislabelled photos')
    .option('--json', 'print JSON')
    .option('--mislabelled <n>', 'list at most this many likely mislabelled photos (0: none)', '20')
    .option('--version <name>', 'rank with this version (default: the latest trained one)')
    .action(async (project: string, options: { json?: boolean; mislabelled: string; version?: string }) => {
      const ctx = context();
      const registry = await ctx.registry();
      const summary = checkDataset(registry, project, { imbalanceStrategy: defaultBalanceStrategy });
      const limit = parseOption(z.coerce.number().int().min(0).max(100_000), options.mislabelled, '--mislabelled');
      const ranking = await rankingAfterTraining(ctx, registry, project, limit, options.version);
      if (options.json) ctx.print(JSON.stringify(ranking ? { ...summary, mislabelled: ranking } : summary));
      else ctx.print(formatHealthSummary(summary) + (ranking ? `\n${formatRanking(ranking, project)}` : ''));
      if (summary.findings.some((f) => f.severity === 'error')) ctx.exitCode = 2;
    });
  datasets
    .command('relabel <project> <entry> <label>')
    .description('give one photo another label (entry: its id or sha256); the change is recorded with who and when')
    .action(async (project: string, ref: string, label: string) => {
      const ctx = context();
      const registry = await ctx.registry();
      const entry = entryOf(registry, project, ref);
      const now = registry.entries.relabel(entry.projectId, entry.id, parseOption(z.string().trim().min(1).max(256), label, '<label>'), cliChange());
      ctx.print(`Relabelled ${entry.source}: ${entry.label} -> ${now.label} (entry ${now.id})`);
    });
  datasets
    .command('remove <project> <entry>')
    .description('take one photo out of the dataset (entry: its id or sha256); recorded, and its stored image is kept while a version may use it')
    .action(async (project: string, ref: string) => {
      const ctx = context();
      const registry = await ctx.registry();
      const entry = entryOf(registry, project, ref);
      registry.entries.remove(entry.projectId, entry.id, cliChange());
      ctx.print(`Removed ${entry.source} (${entry.label}, entry ${entry.id})`);
    });
  datasets
    .command('keep <project> <entry>')
    .description('say a flagged photo is labelled right, so the mislabelled list stops showing it')
    .action(async (project: string, ref: string) => {
      const ctx = context();
      const registry = await ctx.registry();
      const entry = entryOf(registry, project, ref);
      registry.entries.keep(entry.projectId, entry.id, cliChange());
      ctx.print(`Kept ${entry.source} as ${entry.label} (entry ${entry.id})`);
    });
  datasets
    .command('history <project>')
    .description('every relabel, removal, keep and reviewed addition of the dataset, oldest first')
    .option('--json', 'print JSON')
    .action(async (project: string, options: { json?: boolean }) => {
      const ctx = context();
      const registry = await ctx.registry();
      const changes = registry.entries.changes(registry.projects.get(project).id);
      if (options.json) ctx.print(JSON.stringify(changes));
      else for (const c of changes) ctx.print([c.at, c.action, c.sha256.slice(0, 12), c.oldLabel ?? '-', c.newLabel ?? '-', c.actor, c.origin, c.entry?.source ?? ''].join('\t'));
    });
  datasets
    .command('distribute <project>')
    .description('re-draw the seeded stratified 80/20 split of images that came without a test set (imports never move a photo; this does)')
    .option('--seed <n>', "split seed, kept as the project's for later imports (default: the project's, 42 until set)")
    .action(async (project: string, options: { seed?: string }) => {
      const ctx = context();
      const registry = await ctx.registry();
      distributeAutoSplit(registry, registry.projects.get(project).id, options.seed === undefined ? undefined : parseOption(Seed, options.seed, '--seed'));
      ctx.print(formatHealthSummary(checkDataset(registry, project, { imbalanceStrategy: defaultBalanceStrategy })));
    });
}

/** Who made a CLI change: the operating-system user. */
function cliChange(): { actor: string; origin: 'cli' } {
  return { actor: `cli:${os.userInfo().username}`, origin: 'cli' };
}

/** An entry of `project` by id (digits) or sha256 (a photo with one label). */
function entryOf(registry: Registry, project: string, ref: string): Entry {
  const { id } = registry.projects.get(project);
  if (/^\d+$/.test(ref)) return registry.entries.get(id, Number(ref));
  const entries = registry.entries.ofImage(id, ref.toLowerCase());
  if (entries.length === 1) return entries[0]!;
  if (entries.length === 0) throw new SkulensError('ERR_ENTRY_NOT_FOUND', { entry: ref });
  throw new SkulensError('ERR_ARGUMENT_INVALID', { field: '<entry>', detail: `the photo ${ref} has ${entries.length} labels (${entries.map((e) => `entry ${e.id}: ${e.label}`).join(', ')}); name the entry by id` });
}

/** The ranking of the latest (or named) trained version, or null before any training or with a limit of 0. */
async function rankingAfterTraining(ctx: CliContext, registry: Registry, project: string, limit: number, version?: string): Promise<MislabelledRanking | null> {
  if (limit === 0) return null;
  const { id } = registry.projects.get(project);
  if (!version && (!latestTrained(registry, id) || registry.projects.labelType(id) !== 'single')) return null;
  return mislabelledRanking(registry, ctx.home, project, { version, limit });
}

function formatRanking(ranking: MislabelledRanking, project: string): string {
  const lines = [
    `Likely mislabelled (${ranking.version}; ${ranking.flagged} of ${ranking.photos} training photos flagged, showing ${ranking.ranked.length}; from ${ranking.method}):`,
    ...ranking.ranked.map((p) => `  ${String(p.rank).padStart(3)}. entry ${p.entryId}  ${p.label} -> ${p.suggested}?  (p ${p.selfConfidence.toPrecision(2)} vs ${p.suggestedConfidence.toFixed(3)})  ${p.source}`),
  ];
  if (ranking.ranked.length > 0) lines.push(`  Fix with \`skulens datasets relabel ${project} <entry> <label>\`, \`datasets remove\` or \`datasets keep\`; then retrain.`);
  return lines.join('\n');
}
