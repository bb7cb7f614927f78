// The fields of the PyTorch engine's fine-tune job file: the network to load, the
// decoded images it reads, the labels and split, and the common training settings. Paths are absolute.

export interface EngineJobBase {
  /** ONNX backbone to start from, the image input's name, the embedding output and its pooling. */
  model: string;
  inputName: string;
  output: string;
  pool: 'none' | 'mean-hw';
  dim: number;
  numClasses: number;
  /** uint8 images, `count` x canvas x canvas x 3 (HWC); the centre crop of `size` px is what serving sees. */
  images: string;
  count: number;
  canvas: number;
  size: number;
  /** Per-channel mean and std in 0..255 pixel units: input = (pixel - mean) / std. */
  mean: [number, number, number];
  std: [number, number, number];
  /** Per training item: label index; and which items train and which validate. */
  labels: number[];
  train: number[];
  val: number[];
  epochs: number;
  lr: number;
  headLr: number;
  weightDecay: number;
  batchSize: number;
  labelSmoothing: number;
  dropout: number;
  balance: 'balanced' | 'sqrt' | 'none';
  /** Decay of the weights' exponential moving average (0 = off); the average is what is kept. */
  ema: number;
  seed: number;
  threads: number;
  /** Unix time in seconds by which training must have stopped, leaving time to score and export; null = none. */
  deadline: number | null;
  /** Folder the engine writes its outputs into. */
  out: string;
}
