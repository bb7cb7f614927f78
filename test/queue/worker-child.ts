// Child process for the queue tests: a `skulens worker` whose detector waits argv[4] ms per image, so
// the parent can SIGKILL it mid-chunk. Args: home, redis URL, delay ms, lock ms. Prints "ready", then
// "image <n>" after each prediction and "chunk <id>" after each finished chunk.
import { workerProcessors, type ClosableDetector } from '../../src/batch/index.js';
import { resolveHome } from '../../src/home/index.js';
import { Predictor } from '../../src/predict/index.js';
import { startQueueWorker } from '../../src/queue/index.js';
import { Registry } from '../../src/registry/index.js';

const [homeDir, redis, delay, lockMs] = process.argv.slice(2) as [string, string, string, string];
const home = resolveHome(homeDir, {});
const registry = Registry.open(home.database);
let predicted = 0;
const slow = async (arn: string): Promise<ClosableDetector> => {
  const predictor = await Predictor.load(registry, home, registry.versions.resolve(arn), { workers: 1 });
  return {
    async detect(...args: Parameters<Predictor['detect']>) {
      await new Promise((resolve) => setTimeout(resolve, Number(delay)));
      const prediction = await predictor.detect(...args);
      process.stdout.write(`image ${++predicted}\n`);
      return prediction;
    },
    close: () => predictor.close(),
  };
};
const { processors } = workerProcessors({ registry, home, loadDetector: slow });
await startQueueWorker(redis, processors, {
  lockMs: Number(lockMs),
  onEvent: (event) => {
    if (event.type === 'completed') process.stdout.write(`chunk ${event.id}\n`);
  },
});
process.stdout.write('ready\n');
