// ONNX Runtime sessions for graphs skulens builds in memory (the training engine's step and scoring
// graphs): intra-op threads default to the machine's cores, and the CUDA execution provider where the
// user installed onnxruntime-node's CUDA binaries.
import os from 'node:os';
import * as ort from 'onnxruntime-node';
import { SkulensError } from '../errors.js';

export type GraphDevice = 'cpu' | 'cuda';

export interface GraphSessionOptions {
  /** Intra-op threads; default the machine's cores. */
  threads?: number;
  device?: GraphDevice;
  /** Where onnxruntime writes a JSON profile of every op (a path prefix); off by default. */
  profile?: string;
}

/** A float32 tensor: values and dims. */
export interface Feed {
  data: Float32Array;
  dims: readonly number[];
}

export interface GraphSession {
  run(feeds: Record<string, Feed>, outputs: readonly string[]): Promise<Record<string, Float32Array>>;
  /** Ends profiling (when on) and returns the profile's file. */
  endProfiling(): string | undefined;
  release(): Promise<void>;
}

/** How to get the CUDA provider, for the error when it is missing. */
export const CUDA_HINT =
  'install onnxruntime-node\'s CUDA 12 binaries (`ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules/onnxruntime-node/script/install.js`, on a machine with the NVIDIA driver and CUDA 12) or train with --device cpu';

/**
 * Opens a model held in memory.
 *
 * @throws SkulensError ERR_ARGUMENT_INVALID (field device) when CUDA was asked for and cannot be loaded.
 */
export async function openGraphSession(model: Uint8Array, options: GraphSessionOptions = {}): Promise<GraphSession> {
  const device = options.device ?? 'cpu';
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(model, {
      intraOpNumThreads: options.threads ?? os.availableParallelism(),
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      executionProviders: device === 'cuda' ? ['cuda'] : ['cpu'],
      enableProfiling: options.profile !== undefined,
      profileFilePrefix: options.profile,
    });
  } catch (error) {
    if (device === 'cuda') throw new SkulensError('ERR_ARGUMENT_INVALID', { field: 'device', detail: `cuda: onnxruntime could not use it (${(error as Error).message.split('\n')[0]}); ${CUDA_HINT}` }, { cause: error });
    throw error;
  }
  let profileFile: string | undefined;
  return {
    async run(feeds, outputs) {
      const tensors = Object.fromEntries(Object.entries(feeds).map(([name, f]) => [name, new ort.Tensor('float32', f.data, f.dims)]));
      const out = await session.run(tensors, [...outputs]);
      return Object.fromEntries(outputs.map((name) => [name, out[name]!.data as Float32Array]));
    },
    endProfiling() {
      if (options.profile !== undefined && profileFile === undefined) profileFile = (session as unknown as { endProfiling(): string }).endProfiling?.() ?? undefined;
      return profileFile;
    },
    release: () => session.release(),
  };
}
