// `skulens backbones list|pull`
import type { Command } from 'commander';
import { getBackbone, listBackbones, pullBackbone } from '../../backbone/index.js';
import type { CliContext } from '../context.js';
import { startProgress } from '../progress.js';

export function registerBackbones(program: Command, context: () => CliContext): void {
  const backbones = program.command('backbones').description('image backbones that turn photos into embeddings');
  backbones
    .command('list')
    .option('--json', 'print JSON')
    .description('every backbone row and whether its weights are present')
    .action((options: { json?: boolean }) => {
      const ctx = context();
      const rows = listBackbones(ctx.home.models);
      if (options.json) {
        ctx.print(JSON.stringify(rows));
        return;
      }
      for (const { spec, present, location } of rows) {
        ctx.print(`${spec.id.padEnd(24)} ${present ? 'present' : 'missing'}  ${String(spec.dim).padStart(5)}-d  ${spec.runtime.padEnd(10)} ${location}`);
        ctx.print(`${' '.repeat(25)}${spec.description}`);
      }
    });
  backbones
    .command('pull <id>')
    .description("download a backbone's weights into the models folder and verify their sha256")
    .action(async (id: string) => {
      const ctx = context();
      const progress = startProgress(ctx.io.stderr, 'download');
      const file = await pullBackbone(getBackbone(id, ctx.home.models), ctx.home.models, {
        onProgress: (received, total) => progress.update(received, total ?? received),
      });
      progress.stop();
      ctx.print(`Backbone ${id} is ready at ${file}`);
    });
}
