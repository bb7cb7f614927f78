// A batch detector that keeps uncertain answers for review when the version's project opted in
// (src/review decides and stores); the image's path (or s3:// name) is recorded as the capture's source.
import type { EmbedInput } from '../backbone/index.js';
import type { HomeLayout } from '../home/index.js';
import type { DetectOptions, Prediction, Predictor } from '../predict/index.js';
import type { Registry } from '../registry/index.js';
import { detectWithCapture } from '../review/index.js';

/** Wraps a loaded predictor so each answer goes through the review capture; `close` closes the predictor. */
export function capturingDetector(registry: Registry, home: HomeLayout, predictor: Predictor): { detect(input: EmbedInput, options?: DetectOptions): Promise<Prediction>; close(): Promise<void> } {
  return {
    async detect(input, options = {}) {
      const { capture: _, ...answer } = await detectWithCapture(registry, home, predictor, input, options, input.path ?? input.name ?? 'batch');
      return answer;
    },
    close: () => predictor.close(),
  };
}
