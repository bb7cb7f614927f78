// `skulens labels add <version> <label> <images...>`: a few-shot label on top of a trained version,
// written as a new version without a full retrain.
import type { Command } from 'commander';
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
}
