// `skulens demo [--data DIR]`: the whole pipeline on a generated catalogue (or any folder per
// label): import -> check -> train -> evaluate -> predict, printing each step's report.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { checkDataset, formatHealthSummary } from '../../dataset/index.js';
import { formatGenericBaseline, generateSyntheticCatalogue, genericBaseline } from '../../demo/index.js';
import { formatReport } from '../../evaluate/index.js';
import { versionId, type Registry } from '../../registry/index.js';
import { Predictor } from '../../serve/index.js';
import type { CliContext } from '../context.js';
import { Seed } from '../../params.js';
import { parseOption } from '../options.js';
import { defaultBalanceStrategy, runImport } from './datasets.js';
import { runMode } from './train.js';
import { DEFAULT_MODE } from '../../jobs/index.js';

export function registerDemo(program: Command, context: () => CliContext): void {
  program
    .command('demo')
    .description('generate a synthetic product catalogue and run the whole pipeline on it (or on --data DIR)')
    .option('--data <dir>', 'use this folder-per-label dataset instead of the synthetic one')
    .option('--project <name>', 'project to use (default: demo, or the --data folder name)')
    .option('--backbone <id>', 'backbone id (see `skulens backbones list`)')
    .option('--seed <n>', 'seed of the synthetic data and of training', '7')
    .action(async (options: { data?: string; project?: string; backbone?: string; seed: string }) => {
      const ctx = context();
      const seed = parseOption(Seed, options.seed, '--seed');
      const registry = await ctx.registry();
      let data = options.data;
      if (!data) {
        data = path.join(ctx.home.root, 'demo', `catalogue-seed-${seed}`);
        if (!(await isDir(data))) {
          ctx.info(`1/5 Generating a synthetic catalogue of product photos in ${data}`);
          const catalogue = await generateSyntheticCatalogue(data, { seed });
          ctx.info(`    ${catalogue.files} photos of ${catalogue.labels.length} products: ${catalogue.labels.join(', ')}`);
        } else ctx.info(`1/5 Using the synthetic catalogue in ${data}`);
      } else ctx.info(`1/5 Using the dataset in ${path.resolve(data)}`);
      const project = options.project ?? projectNameFor(options.data);
      if (!registry.projects.find(project)) registry.projects.create(project);

      ctx.info(`\n2/5 Importing into project "${project}"`);
      await runImport(ctx, project, data);

      ctx.info('\n3/5 Checking the dataset');
      ctx.info(formatHealthSummary(checkDataset(registry, project, { imbalanceStrategy: defaultBalanceStrategy })));

      ctx.info('\n4/5 Training');
      // The default mode, as `skulens train` trains it: a newcomer sees the model they will really get.
      const result = await runMode(ctx, project, DEFAULT_MODE, { backbone: options.backbone, seed: String(seed) });
      ctx.print(formatReport(result.report));

      ctx.info('\n5/5 Predicting a few test images');
      await showPredictions(ctx, registry, project, result.version.name);
      ctx.info('\nGeneric labels beside the custom model');
      ctx.print(formatGenericBaseline(await genericBaseline(registry, ctx.home, project), { accuracy: result.report.accuracy, version: versionId(result.version) }));
      const id = versionId(result.version);
      ctx.print(
        `\nDone: ${id} reached accuracy ${result.report.accuracy.toFixed(3)} and macro-F1 ${result.report.macroF1.toFixed(3)} ` +
          `on ${result.report.numTest} test images in ${result.trainSeconds.toFixed(1)} s.\n` +
          `Next: skulens evaluate ${id} --json | skulens predict ${id} <image-or-folder> | skulens versions list ${project}`,
      );
    });
}

async function showPredictions(ctx: CliContext, registry: Registry, project: string, version: string): Promise<void> {
  const predictor = await Predictor.load(registry, ctx.home, { project, name: version });
  try {
    const test = registry.entries.list(registry.projects.get(project).id, { split: 'test' });
    const picks = predictor.manifest.labels.map((label) => test.find((e) => e.label === label)).filter((e) => e !== undefined);
    for (const entry of picks.slice(0, 5)) {
      const { CustomLabels } = await predictor.detect({ path: path.resolve(ctx.home.root, entry.blob) });
      ctx.print(JSON.stringify({ Image: entry.source, TrueLabel: entry.label, CustomLabels }));
    }
  } finally {
    await predictor.close();
  }
}

function projectNameFor(data: string | undefined): string {
  if (!data) return 'demo';
  const name = path.basename(path.resolve(data)).replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[^A-Za-z0-9]+/, '');
  return name.slice(0, 64) || 'demo';
}

async function isDir(dir: string): Promise<boolean> {
  try {
    return (await fs.stat(dir)).isDirectory();
  } catch {
    return false;
  }
}
