#!/usr/bin/env node
// Entry point of the `skulens` command: runs the compiled CLI (built by `npm ci` through `prepare`).
import { main } from '../dist/cli/main.js';

main(process.argv).catch((error) => {
  process.stderr.write(`skulens: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
