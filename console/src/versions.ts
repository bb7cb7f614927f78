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
  EvaluationResult?: { F1Score: number; Accuracy?: number; Coverage?: number; AnsweredPrecision?: number; ThresholdsChosenOn?: string };
  BackboneId: string;
  TrainingMode?: 'frozen' | 'fast' | 'fine-tune';
  /** The evaluation summary in Rekognition's shape, with skulens' label-type extensions. */
  EvaluationSummary?: EvaluationSummary;
}

/** The parts of the evaluation summary the console reads. */
export interface EvaluationSummary {
  AggregatedEvaluationResults?: { Metrics: { Precision: number; Recall: number; F1Score: number } };
  LabelEvaluationResults?: { Label: string; NumberOfTestingImages: number; Metrics: { Threshold: number; Precision: number; Recall: number; F1Score: number } }[];
  MultiLabelEvaluationResults?: { Micro: Prf; Macro: Prf; ExactMatch: number; HammingLoss: number };
  GroupEvaluationResults?: { Group: string; Values: string[]; NumberOfTestingImages: number; Accuracy: number; AccuracyWhereValued: number; F1Score: number; ConfusionMatrix: { GroundTruthLabel: string; PredictedLabel: string; Value: number }[] }[];
  LevelEvaluationResults?: { Level: string; Depth: number; Nodes: number; NumberOfTestingImages: number; Accuracy: number }[];
  FallbackEvaluation?: { own: FallbackPoint; targets: FallbackPoint[]; calibratedOn: string };
  AnswerEvaluationResults?: {
    Accuracy: number;
    Coverage: number;
    AnsweredPrecision: number;
    UnknownRate: number;
    UntestedLabels: string[];
    UntrainedLabels?: { Labels: string[]; NumberOfTestingImages: number; CountedAsErrors: boolean };
    ThresholdsChosenOn: 'held-out training photos' | 'test';
  };
}

export interface Prf {
  Precision: number;
  Recall: number;
  F1Score: number;
}

export interface FallbackPoint {
  targetPrecision: number | null;
  labelCoverage: number;
  labelPrecision: number;
  parentCoverage: number;
  parentPrecision: number;
  unknown: number;
  byLevel: { level: string; answered: number; precision: number }[];
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
