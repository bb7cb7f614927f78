// What the engine reports while it works: the same messages the PyTorch engine prints (finetune's
// protocol), so progress bars, logs and reports read both.
export interface EpochRecord {
  epoch: number;
  trainLoss: number;
  valAccuracy: number;
  valLoss: number;
  seconds: number;
  best: boolean;
}

export type EngineEvent =
  | { type: 'ready'; runtime: string; parameters: number; trainable: number; train: number; val: number; device: string }
  | { type: 'cut'; tensor: string; shape: number[] }
  | { type: 'phase'; phase: 'cache' | 'export' }
  | { type: 'plan'; requestedEpochs: number; epochs: number; stepSeconds: number; expectedSeconds: number; fits: boolean }
  | { type: 'progress'; epoch: number; epochs: number; step: number; steps: number; loss: number; lr: number; imagesPerSecond: number; threads: number; elapsed: number }
  | ({ type: 'epoch'; epochs: number } & EpochRecord);
