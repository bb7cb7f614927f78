// Child process for the abandoned-training test: opens the registry at argv[2], creates a
// TRAINING_IN_PROGRESS version of project argv[3] under its own pid, prints it, and exits.
import { Registry } from '../../src/registry/index.js';

const [database, project] = process.argv.slice(2) as [string, string];
const registry = Registry.open(database);
const version = registry.versions.create(registry.projects.get(project).id, { backbone: 'test-backbone', params: {}, seed: 1 });
process.stdout.write(`${JSON.stringify({ ...version, pid: process.pid })}\n`);
registry.close();
