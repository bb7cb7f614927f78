// Child process for the killed-import tests: imports argv[4] (a folder, CSV or manifest) into project
// argv[3] of home argv[2] with importDataset, printing "progress <done> <total>" per file. Each progress
// callback takes ~15 ms, so a parent that kills it after the first lines reliably lands mid-import.
import { importDataset } from '../../src/dataset/index.js';
import { resolveHome } from '../../src/home/index.js';
import { Registry } from '../../src/registry/index.js';

const [homeDir, project, source] = process.argv.slice(2) as [string, string, string];
const home = resolveHome(homeDir);
const registry = Registry.open(home.database);
if (!registry.projects.find(project)) registry.projects.create(project);
const report = await importDataset(registry, home, project, source, {
  onProgress: (done, total) => {
    process.stdout.write(`progress ${done} ${total}\n`);
    const until = Date.now() + 15;
    while (Date.now() < until); // slow, on purpose: see the header
  },
});
process.stdout.write(`done ${report.imported}\n`);
registry.close();
