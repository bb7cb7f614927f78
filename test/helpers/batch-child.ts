// Child process for the batch-resume test: runs `runBatch` for version argv[3] of home argv[2] over
// folder argv[4] into argv[5], slowed by argv[6] ms per image so the parent can SIGKILL it mid-run.
// Prints "processed <n>" after each written line and "done <json>" at the end.
import { runBatch } from '../../src/batch/index.js';
import { resolveHome } from '../../src/home/index.js';
import { Registry, parseVersionRef } from '../../src/registry/index.js';
import { Predictor } from '../../src/predict/index.js';

const [homeDir, ref, source, output, delay] = process.argv.slice(2) as [string, string, string, string, string];
const home = resolveHome(homeDir, {});
const registry = Registry.open(home.database);
const predictor = await Predictor.load(registry, home, parseVersionRef(ref), { workers: 1 });
const slow = {
  async detect(...args: Parameters<Predictor['detect']>) {
    await new Promise((resolve) => setTimeout(resolve, Number(delay)));
    return predictor.detect(...args);
  },
};
const result = await runBatch(slow, {
  source,
  output,
  concurrency: 2,
  onProgress: (p) => {
    if (p.processed > 0) process.stdout.write(`processed ${p.processed}\n`);
  },
});
process.stdout.write(`done ${JSON.stringify(result)}\n`);
await predictor.close();
registry.close();
