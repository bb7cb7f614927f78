import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { getBackbone, listBackbones, openEmbedder, pullBackbone, type BackboneSpec } from '../../src/backbone/index.js';
import { solidPng, tempDir, tinyBackboneRow, tinyOnnxModel } from './fixtures.js';
import { OPTIONAL_INSTALLED } from '../helpers/fixtures.js';

const MODEL = tinyOnnxModel(8);
const MODEL_SHA = createHash('sha256').update(MODEL).digest('hex');
const ROW = tinyBackboneRow({ mean: [10, 20, 30], std: [2, 4, 8] });

let server: http.Server;
let baseUrl: string;
before(async () => {
  server = http.createServer((request, response) => {
    if (request.url === '/tiny.onnx') {
      response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': MODEL.length });
      response.end(MODEL);
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

function rowWith(weights: Partial<BackboneSpec['weights']>): BackboneSpec {
  return { ...ROW, input: { ...ROW.input, scale: { mean: [10, 20, 30], std: [2, 4, 8] } }, weights: { ...ROW.weights, ...weights } } as BackboneSpec;
}

test('a user row with a tiny ONNX model embeds a solid colour to its hand-computed unit vector', async () => {
  const modelsDir = tempDir('models');
  fs.mkdirSync(path.join(modelsDir, 'tiny'));
  fs.writeFileSync(path.join(modelsDir, 'tiny', 'model.onnx'), MODEL);
  fs.writeFileSync(path.join(modelsDir, 'tiny.backbone.json'), JSON.stringify(ROW));

  const spec = getBackbone('tiny', modelsDir);
  const embedder = await openEmbedder(spec, { modelsDir, workers: 1 });
  try {
    const vector = await embedder.embed({ bytes: await solidPng(16, 12, [200, 100, 50]) });
    // Channel means (200-10)/2 = 95, (100-20)/4 = 20, (50-30)/8 = 2.5, then divided by their L2 norm.
    const norm = Math.hypot(95, 20, 2.5);
    const expected = [95 / norm, 20 / norm, 2.5 / norm];
    assert.equal(vector.length, 3);
    vector.forEach((value, i) => assert.ok(Math.abs(value - expected[i]!) < 1e-3, `${i}: ${value} vs ${expected[i]}`));
  } finally {
    await embedder.close();
  }
});

test('listBackbones reports built-in and user rows and whether their weights are present', () => {
  const modelsDir = tempDir('models');
  fs.writeFileSync(path.join(modelsDir, 'tiny.backbone.json'), JSON.stringify(ROW));
  const before = listBackbones(modelsDir);
  assert.equal(before.find((row) => row.spec.id === 'tiny')?.present, false);
  assert.equal(before.find((row) => row.spec.id === 'centernet-mbv3-coco')?.present, OPTIONAL_INSTALLED);
  fs.mkdirSync(path.join(modelsDir, 'tiny'));
  fs.writeFileSync(path.join(modelsDir, 'tiny', 'model.onnx'), MODEL);
  const now = listBackbones(modelsDir).find((row) => row.spec.id === 'tiny');
  assert.equal(now?.present, true);
  assert.equal(now?.location, path.join(modelsDir, 'tiny', 'model.onnx'));
});

test('pullBackbone downloads from a local HTTP server, checks the pinned sha256 and reports progress', async () => {
  const modelsDir = tempDir('models');
  const seen: [number, number | null][] = [];
  const file = await pullBackbone(rowWith({ url: `${baseUrl}/tiny.onnx`, sha256: MODEL_SHA }), modelsDir, {
    onProgress: (received, total) => seen.push([received, total]),
  });
  assert.equal(file, path.join(modelsDir, 'tiny', 'model.onnx'));
  assert.deepEqual(fs.readFileSync(file), Buffer.from(MODEL));
  assert.deepEqual(seen.at(-1), [MODEL.length, MODEL.length]);
  assert.deepEqual(fs.readdirSync(path.join(modelsDir, 'tiny')), ['model.onnx']);
});

test('pullBackbone with a wrong sha256 throws ERR_BACKBONE_CHECKSUM and leaves no file behind', async () => {
  const modelsDir = tempDir('models');
  await assert.rejects(pullBackbone(rowWith({ url: `${baseUrl}/tiny.onnx`, sha256: '0'.repeat(64) }), modelsDir), {
    code: 'ERR_BACKBONE_CHECKSUM',
  });
  assert.deepEqual(fs.readdirSync(path.join(modelsDir, 'tiny')), []);
});

test('an unpinned row records the hash at its first pull and a changed file then fails to load', async () => {
  const modelsDir = tempDir('models');
  const spec = rowWith({ url: `${baseUrl}/tiny.onnx` });
  const file = await pullBackbone(spec, modelsDir);
  assert.equal(fs.readFileSync(`${file}.sha256`, 'utf8').trim(), MODEL_SHA);
  fs.appendFileSync(file, 'tampered');
  await assert.rejects(openEmbedder(spec, { modelsDir, workers: 1 }), { code: 'ERR_BACKBONE_CHECKSUM' });
});

test('pullBackbone without a url, or from a url that answers 404, says what went wrong', async () => {
  const modelsDir = tempDir('models');
  await assert.rejects(pullBackbone(rowWith({}), modelsDir), (error: Error & { code?: string }) => {
    return error.code === 'ERR_BACKBONE_MISSING' && error.message.includes('copy the file there by hand');
  });
  await assert.rejects(pullBackbone(rowWith({ url: `${baseUrl}/nothing.onnx` }), modelsDir), (error: Error & { code?: string }) => {
    return error.code === 'ERR_BACKBONE_DOWNLOAD' && error.message.includes('HTTP 404');
  });
});
