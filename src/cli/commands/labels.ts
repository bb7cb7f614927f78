// `skulens labels add <version> <label> <images...>`: a few-shot label on top of a trained version,
// written as a new version without a full retrain. `skulens labels taxonomy <project> FILE --label-column C
// --levels A,B`: file the project's labels under parents (or `--show`, `--clear`).
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { SkulensError } from '../../errors.js';
import { parseTaxonomyCsv } from '../../labels/index.js';
import { AddLabelParamsSchema, addLabelVersion } from '../../jobs/index.js';
import { versionId } from '../../registry/index.js';
import type { CliContext } from '../context.js';
import { parseOptions } from '../options.js';
import { startProgress } from '../progress.js';

export function registerLabels(program: Command, context: () => CliContext): void {
  const labels = program.command('labels').description('labels of trained versions');
  labels
    .command('add <version> <label> <images...>')
    .description('add a label from a handful of photos (nearest class mean over embeddings); writes a new version, no full retrain')
    .option('--seed <n>', 'seed of the calibration subset', '1')
    .option('--json', 'print the result as JSON on stdout')
    .action(async (version: string, label: string, images: string[], options: { seed: string; json?: boolean }) => {
      const ctx = context();
      const params = parseOptions(AddLabelParamsSchema, { label, images, seed: options.seed });
      const registry = await ctx.registry();
      const ref = registry.versions.resolve(version);
      const bar = startProgress(ctx.io.stderr, 'embed');
      let result;
      try {
        result = await addLabelVersion(registry, ctx.home, ref, params, { onProgress: (done, total) => bar.update(done, total) });
      } finally {
        bar.stop();
      }
      const id = versionId(result.version);
      if (options.json) {
        ctx.print(JSON.stringify({ version: id, from: versionId({ project: ref.project, name: ref.name }), label, images: images.length, calibration: result.calibration }));
        return;
      }
      ctx.print(`Version ${id}: ${versionId({ project: ref.project, name: ref.name })} plus "${label}" from ${images.length} photo(s); the old labels' test accuracy is now ${result.report.accuracy.toFixed(3)}.`);
    });
  labels
    .command('taxonomy <project> [file]')
    .description("file the project's labels under parents from a CSV (a row per label, a column per level); every single-label version then answers the deepest label that clears its threshold, with Parents")
    .option('--label-column <name>', 'the CSV column holding the trained labels', 'label')
    .option('--levels <columns>', 'the CSV columns of the parents, nearest first, comma-separated (e.g. coarse_label,category)')
    .option('--show', "print the project's taxonomy as JSON")
    .option('--clear', "remove the project's taxonomy")
    .action(async (projectName: string, file: string | undefined, options: { labelColumn: string; levels?: string; show?: boolean; clear?: boolean }) => {
      const ctx = context();
      const registry = await ctx.registry();
      const project = registry.projects.get(projectName);
      if (options.show) return ctx.print(JSON.stringify(registry.taxonomies.get(project.id)));
      if (options.clear) {
        registry.taxonomies.clear(project.id);
        return ctx.print(`Removed the taxonomy of ${projectName}`);
      }
      if (!file) throw new SkulensError('ERR_ARGUMENT_INVALID', { field: 'file', detail: 'name a taxonomy CSV (or use --show / --clear)' });
      const type = registry.projects.labelType(project.id);
      if (type !== 'single') {
        throw new SkulensError('ERR_LABEL_TYPE_UNSUPPORTED', { operation: 'A taxonomy', labelType: type, project: projectName, detail: 'a hierarchy sums a softmax over one label per photo; give groups projects a group per level instead' });
      }
      const absolute = path.resolve(file);
      let text: string;
      try {
        text = await fs.readFile(absolute, 'utf8');
      } catch (error) {
        throw new SkulensError('ERR_PATH_NOT_FOUND', { path: absolute }, { cause: error });
      }
      const levels = (options.levels ?? '').split(',').map((l) => l.trim()).filter(Boolean);
      const taxonomy = parseTaxonomyCsv(text, absolute, { labelColumn: options.labelColumn, levels });
      registry.taxonomies.set(project.id, taxonomy);
      const known = new Set(registry.entries.counts(project.id).map((c) => c.label));
      const listed = Object.keys(taxonomy.parents).filter((label) => known.has(label)).length;
      ctx.print(`Taxonomy of ${projectName}: ${Object.keys(taxonomy.parents).length} labels under ${taxonomy.levels.slice(1).join(' > ')}; ${listed} of the project's ${known.size} labels are listed`);
    });
}
