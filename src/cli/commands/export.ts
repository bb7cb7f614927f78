// `skulens export <version> --out DIR`: model.onnx + labels.json + README.md that run without skulens.
import path from 'node:path';
import type { Command } from 'commander';
import { exportVersion } from '../../export/index.js';
import type { CliContext } from '../context.js';

export function registerExport(program: Command, context: () => CliContext): void {
  program
    .command('export <version>')
    .description('write a version as a self-contained ONNX file, labels.json and a README with onnxruntime snippets')
    .requiredOption('--out <dir>', 'folder to write into (created; its model.onnx, labels.json and README.md are replaced)')
    .option('--json', 'print the export manifest (labels.json) as JSON')
    .action(async (ref: string, options: { out: string; json?: boolean }) => {
      const ctx = context();
      const registry = await ctx.registry();
      const out = path.resolve(options.out);
      const { manifest, files } = await exportVersion(registry, ctx.home, registry.versions.resolve(ref), out);
      if (options.json) ctx.print(JSON.stringify(manifest));
      ctx.info(
        manifest.graph === 'full'
          ? `Exported ${manifest.version} (backbone ${manifest.backbone.id} and head in one graph) to ${out}: ${files.map((f) => path.basename(f)).join(', ')}.`
          : `Exported the head of ${manifest.version} to ${out}; backbone ${manifest.backbone.id} is ${manifest.backbone.runtime}, not ONNX, so labels.json references it instead (see README.md).`,
      );
    });
}
