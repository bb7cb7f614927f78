// What the fast path's driver hands the ONNX Runtime engine and what it gets back: the
// served graph's file and its embedding output, the stacked head, the trained blocks, the held-out
// photos' logits and the training side of the export check.
import type { BackboneSpec, EmbedInput } from '../backbone/index.js';
import type { LogisticHead } from '../train/index.js';
import type { FastItem } from './fast.js';
import type { FastParams } from './fast-params.js';
import type { FastDone, FastHeads, HeadLayout } from './fast-protocol.js';
import type { MemberSplit } from './fast-validation.js';
import type { EngineMessage } from './protocol.js';

export interface FastEngineInput {
  /** The backbone at the trained input side, and its ONNX file. */
  spec: BackboneSpec;
  modelFile: string;
  params: FastParams;
  work: string;
  labels: readonly string[];
  train: readonly FastItem[];
  /** Every training photo's view files in the activation cache. */
  files: string[][];
  /** Photos whose views the cache lacked (computed below the cut before the engine runs). */
  missing: { item: FastItem; files: string[]; views: number[] }[];
  /** Where the backbone is cut: the cached activations' tensor and shape. */
  cut: { tensor: string; shape: number[] };
  /** Images the export is checked on. */
  check: EmbedInput[];
  splits: MemberSplit[];
  epochs: number;
  flipTest: boolean;
  /** Unix time in ms by which training must stop; null = none. */
  deadline: number | null;
  layout: HeadLayout;
  heads?: FastHeads;
  start?: { upper: string; head: LogisticHead; labels: readonly string[] };
  signal?: AbortSignal;
  onMessage?: (message: EngineMessage) => void;
  onProgress?: (phase: 'decode' | 'cache' | 'serve', done: number, total: number) => void;
}

export interface EngineOutcome {
  done: FastDone;
  onnxFile: string;
  upperFile: string;
  head: LogisticHead;
  /** Held-out photos' logits, each member's fold in member order. */
  valLogits: Float32Array;
  /** The check images' embeddings and logits as training computed them. */
  checkEmbeddings: Float32Array;
  checkLogits: Float32Array;
  /** The served graph's embedding output and pooling. */
  tap: { tap: string; pool: 'none' | 'mean-hw' };
}
