// `skulens projects create [--labels single|multi|groups]|list|delete [--yes]`
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { LabelTypeSchema } from '../../labels/index.js';
import type { CliContext } from '../context.js';
import { confirmDeletion } from '../confirm.js';
import { parseOption } from '../options.js';

export function registerProjects(program: Command, context: () => CliContext): void {
  const projects = program.command('projects').description('create, list and delete projects');
  projects
    .command('create <name>')
    .description('create a project: a named container of datasets and model versions')
    .option('--labels <type>', 'label type, fixed for the project: single (one label per photo), multi (any number), groups (group:value labels, one value per group)', 'single')
    .action(async (name: string, options: { labels: string }) => {
      const ctx = context();
      const labelType = parseOption(LabelTypeSchema, options.labels, '--labels');
      const project = (await ctx.registry()).projects.create(name, labelType);
      ctx.print(`Created project ${project.name}${labelType === 'single' ? '' : ` (${labelType} labels)`}`);
    });
  projects
    .command('list')
    .option('--json', 'print JSON')
    .description('list projects')
    .action(async (options: { json?: boolean }) => {
      const ctx = context();
      const list = (await ctx.registry()).projects.list();
      if (options.json) ctx.print(JSON.stringify(list));
      else if (list.length === 0) ctx.print('No projects yet. Create one with `skulens projects create <name>`.');
      else for (const p of list) ctx.print(`${p.name}\t${p.createdAt}`);
    });
  projects
    .command('delete <name>')
    .description('delete a project with its dataset entries and versions (imported image blobs stay in the home); asks first on a terminal')
    .option('--yes', 'delete without asking (needed where there is no terminal to ask on)')
    .action(async (name: string, options: { yes?: boolean }) => {
      const ctx = context();
      const registry = await ctx.registry();
      const project = registry.projects.get(name);
      const photos = registry.entries.counts(project.id).reduce((sum, row) => sum + row.count, 0);
      await confirmDeletion(ctx, `Project "${name}" (${photos} dataset entries, ${registry.versions.list(project.id).length} model versions)`, options.yes);
      registry.projects.delete(name);
      // Its version folders go too: a project created later under this name starts again at v1.
      await fs.rm(path.join(ctx.home.projects, name), { recursive: true, force: true });
      ctx.print(`Deleted project ${name}`);
    });
}
