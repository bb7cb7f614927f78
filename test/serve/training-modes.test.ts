// TRAINING_MODES is the one source of every mode's options: for each row, every option takes the same
// values at the CLI (`skulens train --<flag>`), at CreateProjectVersion (<Mode>Options.<Field>, a real
// server on loopback) and in the job (the mode's schema); the OpenAPI document names it; and
// CreateProjectVersion without Mode trains the mode `skulens train` trains without --mode.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { z } from 'zod';
import { DEFAULT_MODE, TRAINING_MODES, type ModeName, type ModeOption } from '../../src/jobs/index.js';
import { runCli } from '../helpers/cli.js';
import { stagedProject } from '../finetune/fast-fixtures.js';
import { call, startServer, until, type Running } from './helpers.js';

const MODES = Object.keys(TRAINING_MODES) as ModeName[];
const optionsField = (mode: ModeName): string => `${mode.replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase())}Options`;

/** Values on both sides of each bound of the job schema's own type, and a few that no number or enum takes. */
function probes(mode: ModeName, option: ModeOption): unknown[] {
  let type = TRAINING_MODES[mode].schema.shape[option.key] as z.ZodType;
  if (type instanceof z.ZodDefault || type instanceof z.ZodOptional) type = type.unwrap() as z.ZodType;
  const json = z.toJSONSchema(type, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  const found: unknown[] = ['', 'nope', '30m', 'all', 1.5];
  const walk = (node: Record<string, unknown>): void => {
    if (typeof node.minimum === 'number') found.push(node.minimum - 1, node.minimum);
    if (typeof node.maximum === 'number') found.push(node.maximum, node.maximum + 1);
    if (typeof node.exclusiveMinimum === 'number') found.push(node.exclusiveMinimum, node.exclusiveMinimum + 0.5);
    if (Array.isArray(node.enum)) found.push(...(node.enum as unknown[]));
    if (node.const !== undefined) found.push(node.const);
    if (node.type === 'boolean') found.push(true, false);
    for (const list of [node.anyOf, node.oneOf]) if (Array.isArray(list)) list.forEach((n) => walk(n as Record<string, unknown>));
  };
  walk(json);
  return [...new Set(found)];
}

describe('TRAINING_MODES at every edge', () => {
  let running: Running;
  let fixture: Awaited<ReturnType<typeof stagedProject>>;
  before(async () => {
    fixture = await stagedProject();
    running = await startServer(fixture, { SKULENS_PYTHON: '/nonexistent/python3' });
  });
  after(async () => {
    await running.server.close();
    fixture.registry.close();
  });

  for (const mode of MODES) {
    test(`${mode}: every option takes the same values at the CLI, the API and the job`, { timeout: 120_000 }, async () => {
      for (const option of TRAINING_MODES[mode].options) {
        for (const value of probes(mode, option)) {
          const job = (TRAINING_MODES[mode].schema.shape[option.key] as z.ZodType).safeParse(value).success;
          // An accepted request goes on to the project, which does not exist: validation came first.
          const http = await call(running, 'CreateProjectVersion', { ProjectArn: 'nope', Mode: mode, [optionsField(mode)]: { [option.field]: value } });
          const httpAccepts = http.body.__type === 'ResourceNotFoundException';
          if (!httpAccepts) assert.equal(http.body.__type, 'InvalidParameterException', JSON.stringify(http.body));
          assert.equal(httpAccepts, job, `${mode} ${optionsField(mode)}.${option.field} = ${JSON.stringify(value)}: API ${httpAccepts}, job ${job}`);
          if (!httpAccepts) assert.match(http.body.Message as string, new RegExp(option.field), `the refusal names ${option.field}`);
          // The CLI gives text, or a switch for an on/off option.
          if (!option.value && typeof value !== 'boolean') continue;
          const flag = option.value ? [`--${option.flag}`, String(value)] : [value ? `--${option.flag}` : `--no-${option.flag}`];
          const cli = await runCli(fixture.home.root, 'train', 'nope', '--mode', mode, ...flag);
          const cliAccepts = /ERR_PROJECT_NOT_FOUND/.test(cli.stderr);
          if (!cliAccepts) assert.match(cli.stderr, new RegExp(`--${option.flag}.*\\[ERR_ARGUMENT_INVALID\\]`), cli.stderr);
          // The CLI's text "1.5" or "30m" is the same value as the API's; only a number's text differs from the number.
          const jobText = (TRAINING_MODES[mode].schema.shape[option.key] as z.ZodType).safeParse(option.value ? String(value) : value).success;
          assert.equal(cliAccepts, jobText, `${mode} --${option.flag} ${String(value)}: CLI ${cliAccepts}, job ${jobText}`);
        }
      }
    });
  }

  test('Views 6, which the job refuses, is a coded 400 naming the field', async () => {
    const answer = await call(running, 'CreateProjectVersion', { ProjectArn: 'p', Mode: 'fast', FastOptions: { Views: 6 } });
    assert.equal(answer.status, 400);
    assert.equal(answer.headers.get('x-skulens-error-code'), 'ERR_REQUEST_INVALID');
    assert.match(answer.body.Message as string, /FastOptions\.Views/);
  });

  test('the OpenAPI document names every option of every mode', async () => {
    const response = await fetch(`${running.url}/v1/openapi.json`, { headers: { authorization: running.bearer } });
    const document = (await response.json()) as { paths: Record<string, { post: { requestBody: { content: { 'application/json': { schema: { properties: Record<string, any> } } } } } }> }; // eslint-disable-line @typescript-eslint/no-explicit-any
    const input = document.paths['/v1/CreateProjectVersion']!.post.requestBody.content['application/json'].schema.properties;
    assert.deepEqual(input.Mode.enum, MODES);
    for (const mode of MODES) {
      const fields = Object.keys(input[optionsField(mode)]?.properties ?? {});
      assert.deepEqual(fields, TRAINING_MODES[mode].options.map((o) => o.field), `${optionsField(mode)} in the OpenAPI document`);
    }
    const modes = await call(running, 'ListTrainingModes', {});
    assert.deepEqual(
      modes.body.Modes.map((m: { Name: string; Default: boolean }) => [m.Name, m.Default]),
      [DEFAULT_MODE, ...MODES.filter((m) => m !== DEFAULT_MODE)].map((m) => [m, m === DEFAULT_MODE]),
    );
  });

  test('CreateProjectVersion without Mode trains the mode skulens train trains without --mode', { timeout: 300_000 }, async () => {
    const created = await call(running, 'CreateProjectVersion', { ProjectArn: 'p', Backbone: 'staged-cnn', [optionsField(DEFAULT_MODE)]: { Cut: 4, Epochs: 1, Members: 1 } });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    const arn = created.body.ProjectVersionArn as string;
    const described = await until(async () => {
      const answer = await call(running, 'DescribeProjectVersions', { ProjectArn: 'p' });
      const found = (answer.body.ProjectVersionDescriptions as { ProjectVersionArn: string; Status: string; TrainingMode?: string }[]).find((d) => d.ProjectVersionArn === arn);
      assert.notEqual(found?.Status, 'TRAINING_FAILED', JSON.stringify(found));
      return found?.Status === 'TRAINING_COMPLETED' ? found : undefined;
    }, `${arn} to complete`, 240_000);
    const cli = await runCli(fixture.home.root, 'train', 'p', '--backbone', 'staged-cnn', '--cut', '4', '--epochs', '1', '--members', '1', '--json');
    assert.equal(cli.code, 0, cli.stderr);
    const printed = JSON.parse(cli.stdout) as { metrics: { mode: string } };
    assert.equal(described.TrainingMode, DEFAULT_MODE);
    assert.equal(printed.metrics.mode, DEFAULT_MODE);
  });
});
