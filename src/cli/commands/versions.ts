// `skulens versions list <project>`, `versions start|stop <version>`, `versions compare <a> <b>` and
// `skulens evaluate <version>`
import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import { SkulensError } from '../../errors.js';
import { formatReport, type EvaluationReport } from '../../evaluate/index.js';
import { readVersionJson, versionArn, versionId, type Registry, type Version } from '../../registry/index.js';
import { compareVersions, type VersionComparison } from '../../review/index.js';
import type { CliContext } from '../context.js';

function metricsLine(version: Version): string {
  const m = version.metrics as { accuracy?: number; macroF1?: number; coverage?: number; answeredPrecision?: number; untested?: string[]; thresholdsChosenOn?: string } | null;
  if (m?.accuracy === undefined) return '';
  const answered = m.coverage === undefined ? '' : `  coverage ${m.coverage.toFixed(3)}  answered precision ${(m.answeredPrecision ?? 0).toFixed(3)}`;
  const untested = m.untested?.length ? `  untested (no test images): ${m.untested.join(', ')}` : '';
  const edited = m.thresholdsChosenOn === 'test' ? '  (thresholds chosen on the test split: these figures flatter)' : '';
  return `accuracy ${m.accuracy.toFixed(3)}  macro-F1 ${(m.macroF1 ?? 0).toFixed(3)}${answered}${untested}${edited}`;
}

export function registerVersions(program: Command, context: () => CliContext): void {
  const versions = program.command('versions').description('model versions of a project');
  versions
    .command('compare <a> <b>')
    .description('compare two versions (<project>/<version>, or just <version> of the same project for the second) on the same test photos: per-label F1, fixed and broken photos, McNemar')
    .option('--json', 'print JSON')
    .option('--photos <n>', 'list at most this many fixed and broken photos each', '10')
    .action(async (a: string, b: string, options: { json?: boolean; photos: string }) => {
      const ctx = context();
      const registry = await ctx.registry();
      const va = registry.versions.resolve(a);
      const vb = registry.versions.resolveIn(va.project, b);
      const comparison = await compareVersions(registry, ctx.home, va, vb);
      ctx.print(options.json ? JSON.stringify(comparison) : formatComparison(comparison, Math.max(0, Number(options.photos) || 0)));
    });
  versions
    .command('start <version>')
    .description('keep a version running (<project>/<name> or its ARN): a `skulens serve` on this home loads it within a second, and again after every restart')
    .option('--wait <seconds>', 'how long to wait for a server to report it RUNNING', '60')
    .action(async (ref: string, options: { wait: string }) => {
      const ctx = context();
      const registry = await ctx.registry();
      const version = registry.versions.resolve(ref);
      if (!version.dir || !['TRAINING_COMPLETED', 'STOPPED', 'STARTING', 'RUNNING', 'STOPPING'].includes(version.status)) {
        throw new SkulensError('ERR_VERSION_NOT_READY', { version: versionId(version), status: version.status, wanted: 'TRAINING_COMPLETED or STOPPED' });
      }
      registry.versions.setKeepRunning(version.id, true);
      ctx.print(await follow(registry, version, 'RUNNING', waitSeconds(options.wait), (v) => `${versionId(v)} starts when \`skulens serve\` runs on this home (no server loaded it yet${v.statusMessage ? `; last: ${v.statusMessage}` : ''})`));
    });
  versions
    .command('stop <version>')
    .description('stop a version: a `skulens serve` on this home releases it within a second, and it stays stopped after restarts')
    .option('--wait <seconds>', 'how long to wait for a server to report it STOPPED', '30')
    .action(async (ref: string, options: { wait: string }) => {
      const ctx = context();
      const registry = await ctx.registry();
      const version = registry.versions.resolve(ref);
      registry.versions.setKeepRunning(version.id, false);
      ctx.print(await follow(registry, version, 'STOPPED', waitSeconds(options.wait), (v) => `${versionId(v)} stays stopped: no server released it yet (it is ${v.status}); the next server start leaves it stopped`));
    });
  versions
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
        const status = v.keepRunning && v.status !== 'RUNNING' && v.status !== 'STARTING' ? `${v.status} (starts with the server)` : v.status;
        ctx.print([versionId(v), status, v.backbone, v.createdAt, metricsLine(v) || v.statusMessage || ''].join('\t'));
      }
    });

  program
    .command('evaluate <version>')
    .description('show the evaluation of a version (<project>/<version> or its ARN) on its test split')
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

function waitSeconds(text: string): number {
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds < 0) throw new SkulensError('ERR_ARGUMENT_INVALID', { field: '--wait', detail: `expected seconds (0 or more), got "${text}"` });
  return seconds;
}

/** How long a running server takes to notice a desired state (its poll is 1 s) before we say none did. */
const NOTICE_MS = 3000;

/**
 * Waits until a server on the home brings `version` to `target`, and says what happened: the status it
 * reached, or `idle(version)` when no server acted within NOTICE_MS (or within `seconds`).
 */
async function follow(registry: Registry, version: Version, target: 'RUNNING' | 'STOPPED', seconds: number, idle: (v: Version) => string): Promise<string> {
  const started = Date.now();
  const before = version.status;
  let current = version;
  for (;;) {
    current = registry.versions.byId(version.id);
    const done = target === 'RUNNING' ? current.status === 'RUNNING' : !['STARTING', 'RUNNING', 'STOPPING'].includes(current.status);
    if (done) return `${versionId(current)} is ${current.status}`;
    const elapsed = Date.now() - started;
    // A load that failed leaves the version STOPPED and unwanted, with the reason.
    if (target === 'RUNNING' && !current.keepRunning) throw new SkulensError('ERR_VERSION_NOT_READY', { version: versionId(current), status: current.status, wanted: `RUNNING (${current.statusMessage ?? 'the server could not start it'})` });
    if (elapsed >= seconds * 1000 || (current.status === before && elapsed >= NOTICE_MS)) return idle(current);
    await sleep(200);
  }
}

const signed = (x: number | null): string => (x === null ? '   -  ' : `${x >= 0 ? '+' : ''}${x.toFixed(3)}`);

function formatComparison(c: VersionComparison, photos: number): string {
  const t = c.mcnemar;
  const test =
    t.method === 'none'
      ? 'McNemar: no photo changed its answer'
      : t.method === 'exact-binomial'
        ? `McNemar (exact binomial, ${t.b + t.c} discordant photos): p = ${t.pValue.toPrecision(3)}`
        : `McNemar (chi-square with continuity correction, ${t.b + t.c} discordant photos): chi2 = ${t.statistic!.toFixed(3)}, p = ${t.pValue.toPrecision(3)}`;
  const lines = [
    `${c.a} vs ${c.b} on ${c.testImages} test photos: accuracy ${c.accuracyA.toFixed(3)} -> ${c.accuracyB.toFixed(3)}`,
    `${c.fixed.length} fixed, ${c.broken.length} broken. ${test}`,
    c.verdict,
    '',
    'label\tF1 A\tF1 B\tdelta',
    ...c.labels.map((l) => `${l.label}\t${l.f1A?.toFixed(3) ?? '-'}\t${l.f1B?.toFixed(3) ?? '-'}\t${signed(l.delta)}`),
  ];
  for (const [name, list] of [['fixed', c.fixed], ['broken', c.broken]] as const) {
    if (list.length === 0 || photos === 0) continue;
    lines.push('', `${name}:`, ...list.slice(0, photos).map((p) => `  ${p.source}  truth ${p.truth}: ${p.a} -> ${p.b}`));
    if (list.length > photos) lines.push(`  ... and ${list.length - photos} more (--photos or --json)`);
  }
  return lines.join('\n');
}
