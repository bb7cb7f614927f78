// `skulens versions list <project>` and `skulens evaluate <version>`
import type { Command } from 'commander';
import { formatReport, type EvaluationReport } from '../../evaluate/index.js';
import { readVersionJson, versionArn, versionId, type Version } from '../../registry/index.js';
import type { CliContext } from '../context.js';

function metricsLine(version: Version): string {
  const m = version.metrics as { accuracy?: number; macroF1?: number } | null;
  return m?.accuracy === undefined ? '' : `accuracy ${m.accuracy.toFixed(3)}  macro-F1 ${(m.macroF1 ?? 0).toFixed(3)}`;
}

export function registerVersions(program: Command, context: () => CliContext): void {
  program
    .command('versions')
    .description('model versions of a project')
    .command('list <project>')
    .option('--json', 'print JSON')
    .action(async (project: string, options: { json?: boolean }) => {
      const ctx = context();
      const registry = await ctx.registry();
      const versions = registry.versions.list(registry.projects.get(project).id);
      if (options.json) {
        ctx.print(JSON.stringify(versions.map((v) => ({ ...v, id: versionId(v), arn: versionArn(v) }))));
        return;
      }
      if (versions.length === 0) ctx.print(`No versions yet. Train one with \`skulens train ${project}\`.`);
      for (const v of versions) {
        ctx.print([versionId(v), v.status, v.backbone, v.createdAt, metricsLine(v) || v.statusMessage || ''].join('\t'));
      }
    });

  program
    .command('evaluate <version>')
    .description('show the evaluation of a version (<project>/v<N> or its ARN) on its test split')
    .option('--json', "print the evaluation summary in Rekognition's shape")
    .action(async (ref: string, options: { json?: boolean }) => {
      const ctx = context();
      const registry = await ctx.registry();
      const version = registry.versions.resolve(ref);
      if (!version.dir) {
        ctx.print(`${versionId(version)} is ${version.status}${version.statusMessage ? `: ${version.statusMessage}` : ''}; it has no evaluation.`);
        ctx.exitCode = 1;
        return;
      }
      if (options.json) ctx.print(JSON.stringify(await readVersionJson(ctx.home, version.dir, 'evaluation.json'), null, 2));
      else ctx.print(formatReport((await readVersionJson(ctx.home, version.dir, 'report.json')) as EvaluationReport));
    });
}
