// Fine-tuning is optional: with no torch in the python it is pointed at, it fails with an error that
// says how to install it, before any version exists; backbones the engine cannot load are refused.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { isSkulensError } from '../../src/errors.js';
import { detectEngine } from '../../src/finetune/index.js';
import { fineTuneVersion } from '../../src/jobs/index.js';
import { smallProject, tempDir, torchPython } from './fixtures.js';

/** A python that cannot import torch: Debian's python3 with -S, which leaves out dist-packages. */
function pythonWithoutTorch(): string {
  const file = path.join(tempDir('no-torch'), 'python');
  fs.writeFileSync(file, '#!/bin/sh\nexec /usr/bin/python3 -S "$@"\n', { mode: 0o755 });
  return file;
}

const hasDebianPython = fs.existsSync('/usr/bin/python3');

test('a python without torch gives ERR_FINETUNE_ENGINE_MISSING saying how to install it', { skip: hasDebianPython ? false : 'no /usr/bin/python3' }, async () => {
  await assert.rejects(detectEngine(pythonWithoutTorch()), (error) => {
    assert.ok(isSkulensError(error, 'ERR_FINETUNE_ENGINE_MISSING'));
    assert.match(error.message, /No module named '(torch|numpy|onnx)'/);
    assert.match(error.message, /apt-get install python3-torch python3-onnx/);
    assert.match(error.message, /pip install torch onnx/);
    return true;
  });
});

test('a python that does not exist gives ERR_FINETUNE_ENGINE_MISSING naming it', async () => {
  await assert.rejects(detectEngine('/nonexistent/python3'), (error) => {
    assert.ok(isSkulensError(error, 'ERR_FINETUNE_ENGINE_MISSING'));
    assert.match(error.message, /\/nonexistent\/python3 was not found/);
    return true;
  });
});

test('fine-tuning with no torch fails before creating a version', { skip: hasDebianPython ? false : 'no /usr/bin/python3' }, async () => {
  const { home, registry } = await smallProject();
  try {
    await assert.rejects(fineTuneVersion(registry, home, 'p', { engine: 'torch', backbone: 'small-cnn', python: pythonWithoutTorch() }), (error) =>
      isSkulensError(error, 'ERR_FINETUNE_ENGINE_MISSING'),
    );
    assert.deepEqual(registry.listVersions(registry.getProject('p').id), []);
  } finally {
    registry.close();
  }
});

test('the TF.js default backbone is refused for fine-tuning with a pointer to an ONNX one', async () => {
  const { home, registry } = await smallProject();
  try {
    await assert.rejects(fineTuneVersion(registry, home, 'p', { engine: 'torch', backbone: 'centernet-mbv3-coco', python: torchPython() ?? 'python3' }), (error) => {
      assert.ok(isSkulensError(error, 'ERR_FINETUNE_BACKBONE_UNSUPPORTED'));
      assert.match(error.message, /mobilenet-v2-imagenet/);
      return true;
    });
  } finally {
    registry.close();
  }
});
