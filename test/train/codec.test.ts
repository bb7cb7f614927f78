import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isSkulensError } from '../../src/errors.js';
import { decodeHead, encodeHead, type LogisticHead, type MlpHead } from '../../src/train/index.js';

const logistic: LogisticHead = { kind: 'logistic', dim: 3, numClasses: 2, weights: Float32Array.of(0.1, -2.5, 3e-8, 7, -0, 1e30), bias: Float32Array.of(-1e4, 0.25) };
const mlp: MlpHead = {
  kind: 'mlp', dim: 2, hidden: 3, numClasses: 2,
  w1: Float32Array.of(1, 2, 3, 4, 5, 6), b1: Float32Array.of(-1, 0, 1), w2: Float32Array.of(0.5, -0.5, 0.125, 9, 8, 7), b2: Float32Array.of(0.1, 0.2),
};

function isCorrupt(error: unknown): boolean {
  return isSkulensError(error, 'ERR_ARTEFACT_CORRUPT') && error.details.path === 'head';
}

test('a logistic head is 24 header bytes plus 4 bytes per number', () => {
  assert.equal(encodeHead(logistic).length, 24 + 4 * (6 + 2));
  assert.deepEqual(Array.from(encodeHead(logistic).subarray(0, 8)), [0x53, 0x4b, 0x48, 0x44, 1, 0, 0, 0]);
});

test('encode then decode round-trips logistic and MLP heads exactly', () => {
  assert.deepEqual(decodeHead(encodeHead(logistic)), logistic);
  assert.deepEqual(decodeHead(encodeHead(mlp)), mlp);
});

test('decodeHead reads bytes that sit at an unaligned offset of a larger buffer', () => {
  const bytes = encodeHead(mlp);
  const padded = new Uint8Array(bytes.length + 3);
  padded.set(bytes, 1);
  assert.deepEqual(decodeHead(padded.subarray(1, 1 + bytes.length)), mlp);
});

test('decodeHead rejects truncated bytes', () => {
  const bytes = encodeHead(logistic);
  assert.throws(() => decodeHead(bytes.subarray(0, bytes.length - 1)), isCorrupt);
  assert.throws(() => decodeHead(bytes.subarray(0, 10)), isCorrupt);
  assert.throws(() => decodeHead(new Uint8Array(0)), isCorrupt);
});

test('decodeHead rejects a wrong signature, an unknown version and a non-finite number', () => {
  const badMagic = encodeHead(logistic);
  badMagic[0] = 0x00;
  const badVersion = encodeHead(logistic);
  badVersion[4] = 2;
  const withNaN = encodeHead(logistic);
  new DataView(withNaN.buffer).setFloat32(24, Number.NaN, true);
  for (const bytes of [badMagic, badVersion, withNaN]) assert.throws(() => decodeHead(bytes), isCorrupt);
});

test('encodeHead refuses a head whose arrays do not match its shape', () => {
  assert.throws(() => encodeHead({ ...logistic, dim: 4 }), (error) => isSkulensError(error, 'ERR_ARGUMENT_INVALID'));
});
