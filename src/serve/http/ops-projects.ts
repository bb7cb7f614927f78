// Project operations: CreateProject, DescribeProjects, DeleteProject.
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { SkulensError } from '../../errors.js';
import type { Project } from '../../registry/index.js';
import { datasetArn, parseProjectArn, projectArn, type DatasetType } from '../../registry/index.js';
import { LabelTypeSchema } from '../../labels/index.js';
import { epochSeconds, nextToken, parseToken } from './wire.js';
import { operation, type ApiContext, type Operation } from './operation.js';

const DatasetStatusSchema = z.enum(['CREATE_IN_PROGRESS', 'CREATE_COMPLETE', 'CREATE_FAILED', 'UPDATE_IN_PROGRESS', 'UPDATE_COMPLETE', 'UPDATE_FAILED']);

export const DatasetMetadataSchema = z.object({
  CreationTimestamp: z.number().describe('epoch seconds'),
  DatasetType: z.enum(['TRAIN', 'TEST']),
  DatasetArn: z.string(),
  Status: DatasetStatusSchema,
  StatusMessage: z.string().optional(),
});

/** The datasets of a project: a side of its split that has entries or an import under way. */
export function projectDatasets(ctx: ApiContext, project: Project): z.input<typeof DatasetMetadataSchema>[] {
  const counts = ctx.registry.entries.counts(project.id);
  const out: z.input<typeof DatasetMetadataSchema>[] = [];
  for (const type of ['TRAIN', 'TEST'] as DatasetType[]) {
    const split = type === 'TRAIN' ? 'train' : 'test';
    const state = ctx.work.importState(project.name, split);
    const hasEntries = counts.some((row) => row.split === split);
    if (!state && !hasEntries) continue;
    out.push({
      CreationTimestamp: epochSeconds(state?.createdAt ?? project.createdAt),
      DatasetType: type,
      DatasetArn: datasetArn(project, type),
      Status: state?.status ?? 'CREATE_COMPLETE',
      ...(state?.message ? { StatusMessage: ctx.shown(state.message) } : {}),
    });
  }
  return out;
}

/** A multi or groups project says so; a single-label one answers exactly as before. */
function labelTypeField(ctx: ApiContext, project: Project): { LabelType?: 'multi' | 'groups' } {
  const type = ctx.registry.projects.labelType(project.id);
  return type === 'single' ? {} : { LabelType: type };
}

const ProjectDescriptionSchema = z.object({
  ProjectArn: z.string(),
  ProjectName: z.string(),
  CreationTimestamp: z.number().describe('epoch seconds'),
  Status: z.literal('CREATED'),
  Datasets: z.array(DatasetMetadataSchema),
  LabelType: LabelTypeSchema.optional().describe('skulens extension: present for multi and groups projects'),
});

export const projectOperations: Record<string, Operation> = {
  CreateProject: operation({
    role: 'train',
    summary: 'Creates a project: a named container of a dataset (train and test sides) and model versions.',
    input: z.object({
      ProjectName: z.string().min(1).max(255),
      Feature: z.string().optional(),
      AutoUpdate: z.string().optional(),
      LabelType: LabelTypeSchema.optional().describe('skulens extension: single (default; one label per image), multi (any number) or groups (group:value labels, one value per group); fixed for the project\'s life'),
    }),
    output: z.object({ ProjectArn: z.string() }),
    handle: (ctx, input) => ({ ProjectArn: projectArn(ctx.registry.projects.create(input.ProjectName, input.LabelType)) }),
  }),

  DescribeProjects: operation({
    role: 'train',
    summary: 'Lists projects with their datasets, optionally only the named ones; paginated.',
    input: z.object({
      ProjectNames: z.array(z.string()).max(10).optional(),
      NextToken: z.string().optional(),
      MaxResults: z.number().int().min(1).max(100).optional(),
      Features: z.array(z.string()).optional(),
    }),
    output: z.object({ ProjectDescriptions: z.array(ProjectDescriptionSchema), NextToken: z.string().optional() }),
    handle: (ctx, input) => {
      const all = ctx.registry.projects.list().filter((p) => !input.ProjectNames || input.ProjectNames.includes(p.name));
      const offset = parseToken(input.NextToken);
      const page = all.slice(offset, offset + (input.MaxResults ?? 100));
      return {
        ProjectDescriptions: page.map((project) => ({
          ProjectArn: projectArn(project),
          ProjectName: project.name,
          CreationTimestamp: epochSeconds(project.createdAt),
          Status: 'CREATED' as const,
          Datasets: projectDatasets(ctx, project),
          ...labelTypeField(ctx, project),
        })),
        NextToken: nextToken(offset + page.length, all.length),
      };
    },
  }),

  DeleteProject: operation({
    role: 'train',
    summary: 'Deletes a project, its dataset entries and its versions. Refused while a version trains or is started.',
    input: z.object({ ProjectArn: z.string() }),
    output: z.object({ Status: z.literal('DELETING') }),
    handle: async (ctx, input) => {
      const project = ctx.registry.projects.get(parseProjectArn(input.ProjectArn));
      const busy = ctx.registry.versions.list(project.id).find((v) => v.status === 'TRAINING_IN_PROGRESS' || ctx.host.holds(v.id));
      if (busy) throw new SkulensError('ERR_PROJECT_IN_USE', { project: project.name, detail: `version ${busy.name} is ${busy.status}; stop it (or wait for the training) first` });
      const importing = (['train', 'test'] as const).find((split) => ctx.work.importState(project.name, split)?.status.endsWith('IN_PROGRESS'));
      if (importing) throw new SkulensError('ERR_PROJECT_IN_USE', { project: project.name, detail: `an import into its ${importing} dataset is still running` });
      ctx.registry.projects.delete(project.name);
      await fs.rm(path.join(ctx.home.projects, project.name), { recursive: true, force: true });
      return { Status: 'DELETING' as const };
    },
  }),
};
