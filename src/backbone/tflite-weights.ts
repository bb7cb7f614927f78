// TFLite weight files as backbones: a row whose weight file ends in `.tflite` is converted to ONNX at
// first use (src/tflite) and the result cached in `<modelsDir>/converted/<sha256 of the .tflite>.onnx`,
// with the ONNX file's own sha256 recorded beside it and checked on every later load.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SkulensError } from '../errors.js';
import { writeFileAtomicSync } from '../home/index.js';
import { convertTflite, packedLabels, readTflite, TfliteFormatError } from '../tflite/index.js';
import { sha256Bytes, sha256File } from './hash.js';

/** True when a weight file is a TFLite model that skulens converts before running. */
export function isTfliteFile(file: string): boolean {
  return file.toLowerCase().endsWith('.tflite');
}

/** Where the conversion of a .tflite with this sha256 is cached (or would be). */
export function convertedPath(modelsDir: string, tfliteSha256: string): string {
  return path.join(modelsDir, 'converted', `${tfliteSha256}.onnx`);
}

async function cachedIfValid(file: string): Promise<boolean> {
  const record = `${file}.sha256`;
  if (!fs.existsSync(file) || !fs.existsSync(record)) return false;
  return (await sha256File(file)) === fs.readFileSync(record, 'utf8').trim();
}

function writeCache(file: string, onnx: Uint8Array): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  writeFileAtomicSync(file, onnx);
  writeFileAtomicSync(`${file}.sha256`, `${sha256Bytes(onnx)}\n`);
}

/**
 * The ONNX file a runtime opens for a verified `.tflite`: the cached conversion when it is intact,
 * else converted now and cached. A models folder that cannot be written (a read-only mount) caches in
 * the system's temp folder instead.
 *
 * @throws SkulensError ERR_BACKBONE_RUNTIME naming the operator or tensor that cannot be converted.
 */
export async function convertedOnnx(backbone: string, tflite: string, tfliteSha256: string, modelsDir: string): Promise<string> {
  const candidates = [convertedPath(modelsDir, tfliteSha256), convertedPath(path.join(os.tmpdir(), `skulens-${os.userInfo().uid}`), tfliteSha256)];
  for (const file of candidates) if (await cachedIfValid(file)) return file;
  let onnx: Uint8Array;
  try {
    onnx = convertTflite(readTflite(fs.readFileSync(tflite)), backbone).onnx;
  } catch (error) {
    if (!(error instanceof TfliteFormatError)) throw error;
    throw new SkulensError('ERR_BACKBONE_RUNTIME', { backbone, detail: `cannot convert ${tflite} to ONNX: ${error.message}` }, { cause: error });
  }
  for (const file of candidates) {
    try {
      writeCache(file, onnx);
      return file;
    } catch {
      // Try the next place; a models folder may be read-only.
    }
  }
  throw new SkulensError('ERR_BACKBONE_RUNTIME', { backbone, detail: `cannot write the converted model to ${candidates.join(' or ')}` });
}

/** Class names packed inside a .tflite (its metadata's labels file), or undefined. */
export function tfliteClassNames(tflite: string): string[] | undefined {
  try {
    return packedLabels(fs.readFileSync(tflite))?.labels;
  } catch (error) {
    if (error instanceof TfliteFormatError) return undefined;
    throw error;
  }
}
