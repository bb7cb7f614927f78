// The versions of a project (DescribeProjectVersions), polled while any is busy.
import { useEffect, useState } from 'preact/hooks';
import { call } from './api.js';
import { usePoll, type Async } from './components.js';

export interface VersionDescription {
  ProjectVersionArn: string;
  VersionName: string;
  CreationTimestamp: number;
  Status: string;
  StatusMessage?: string;
  BillableTrainingTimeInSeconds?: number;
  TrainingEndTimestamp?: number;
  EvaluationResult?: { F1Score: number };
  BackboneId: string;
}

const BUSY = /IN_PROGRESS|STARTING|STOPPING/;

/** Versions, newest first; polled every `ms` while one trains, starts or stops (or always with `always`). */
export function useVersions(project: string, always: boolean, nonce = 0): Async<VersionDescription[]> {
  const [state, setState] = useState<Async<VersionDescription[]>>({ loading: true });
  const load = () =>
    call<{ ProjectVersionDescriptions: VersionDescription[] }>('DescribeProjectVersions', { ProjectArn: project }).then(
      (answer) => setState({ value: answer.ProjectVersionDescriptions, loading: false }),
      (error: Error) => setState({ error: error.message, loading: false }),
    );
  // Once per project and after each action (nonce), then every second while a version is busy.
  useEffect(() => void load(), [project, nonce]);
  const busy = always || (state.value ?? []).some((v) => BUSY.test(v.Status));
  usePoll(load, 1000, busy, [project]);
  return state;
}
