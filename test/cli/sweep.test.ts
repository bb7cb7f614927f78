// Leftovers of writes cut off by a kill: the CLI promises to sweep them when it opens a home.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { main } from '../../src/cli/main.js';
import { blobPath, resolveHome } from '../../src/home/index.js';
import { Capture, killMidWrite, tempDir, tempNames } from '../helpers/fixtures.js';

test(
  'a blob temp file left by a killed write is swept the next time the CLI opens the home',
  async (t) => {
    const home = resolveHome(path.join(tempDir(t, 'cli-sweep'), 'home'), {});
    const blob = blobPath(home, 'ab'.repeat(32), 'jpg');
    const { signal } = await killMidWrite(blob, 256);
    assert.equal(signal, 'SIGKILL');
    assert.equal(tempNames(path.dirname(blob)).length, 1);

    const before = process.exitCode;
    try {
      const code = await main(['node', 'skulens', '--home', home.root, 'projects', 'list', '--json'], { stdout: new Capture(), stderr: new Capture() });
      assert.equal(code, 0);
    } finally {
      process.exitCode = before;
    }
    assert.deepEqual(fs.readdirSync(path.dirname(blob)), []);
  },
);
