// Test fixtures made on the spot: solid-colour images and a tiny ONNX model (GlobalAveragePool +
// Flatten) serialised with a ten-line protobuf writer, so no model file or protobuf library is needed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';

/** A fresh temp folder, removed when the process exits. */
export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `skulens-${prefix}-`));
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** PNG of one colour. */
export function solidPng(width: number, height: number, rgb: [number, number, number]): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } }).png().toBuffer();
}

/**
 * Photo `n` of a colour: the colour jittered by n, with a dark square at a place that depends on n, so that
 * no two photos are near-duplicates and a backbone that averages pixels still tells the colours apart.
 */
export async function colourPhoto(rgb: [number, number, number], n: number): Promise<Buffer> {
  const jitter = (n * 7) % 23;
  const square = await solidPng(24, 20, [20, 20, 20]);
  const background = await solidPng(96, 80, [rgb[0] + jitter, rgb[1] + ((jitter * 3) % 17), rgb[2] + ((jitter * 5) % 13)]);
  return sharp(background).composite([{ input: square, left: (n * 13) % 72, top: (n * 29) % 60 }]).png().toBuffer();
}

// --- minimal protobuf writer (varint and length-delimited fields are all ONNX needs here) ---
type Field = [number, number | bigint | string | Uint8Array];

function varint(value: number | bigint): number[] {
  let v = BigInt(value);
  const out: number[] = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) byte |= 0x80;
    out.push(byte);
  } while (v > 0n);
  return out;
}

function message(fields: Field[]): Uint8Array {
  const bytes: number[] = [];
  for (const [field, value] of fields) {
    if (typeof value === 'number' || typeof value === 'bigint') {
      bytes.push(...varint(field << 3), ...varint(value));
    } else {
      const body = typeof value === 'string' ? new TextEncoder().encode(value) : value;
      bytes.push(...varint((field << 3) | 2), ...varint(body.length), ...body);
    }
  }
  return Uint8Array.from(bytes);
}

const FLOAT = 1;

function valueInfo(name: string, dims: number[]): Uint8Array {
  const shape = message(dims.map((d): Field => [1, message([[1, d]])]));
  const tensorType = message([[1, FLOAT], [2, shape]]);
  return message([[1, name], [2, message([[1, tensorType]])]]);
}

/**
 * The backbone row of {@link tinyOnnxModel} stored at `tiny/model.onnx` in a models folder: an 8 px
 * squashed NCHW input whose `scale` the test picks, so embeddings are hand-computable.
 */
export function tinyBackboneRow(scale: 'raw255' | { mean: [number, number, number]; std: [number, number, number] }, description = 'GlobalAveragePool of the scaled input') {
  return {
    id: 'tiny',
    description,
    runtime: 'onnx',
    input: { name: 'input', size: 8, layout: 'nchw', resize: 'squash', scale },
    tap: 'embedding',
    pool: 'none',
    dim: 3,
    weights: { source: 'file', file: 'tiny/model.onnx' },
  } as const;
}

/**
 * ONNX model (IR 7, opset 13): `input` float [1,3,size,size] -> GlobalAveragePool -> Flatten -> `embedding` [1,3].
 * Its embedding of a solid-colour image is that colour's three scaled channel values.
 */
/** Installs the tiny backbone (tinyOnnxModel(8)) as `tiny` in `modelsDir`, with `row` as its backbone row. */
export function installTinyBackbone(modelsDir: string, row: ReturnType<typeof tinyBackboneRow>): void {
  fs.mkdirSync(path.join(modelsDir, 'tiny'), { recursive: true });
  fs.writeFileSync(path.join(modelsDir, 'tiny', 'model.onnx'), tinyOnnxModel(8));
  fs.writeFileSync(path.join(modelsDir, 'tiny.backbone.json'), JSON.stringify(row));
}

export function tinyOnnxModel(size = 8): Uint8Array {
  const pool = message([[1, 'input'], [2, 'pooled'], [3, 'pool'], [4, 'GlobalAveragePool']]);
  const flatten = message([[1, 'pooled'], [2, 'embedding'], [3, 'flatten'], [4, 'Flatten']]);
  const graph = message([
    [1, pool],
    [1, flatten],
    [2, 'tiny'],
    [11, valueInfo('input', [1, 3, size, size])],
    [12, valueInfo('embedding', [1, 3])],
  ]);
  return message([
    [1, 7], // ir_version
    [2, 'skulens-test'], // producer_name
    [7, graph],
    [8, message([[1, ''], [2, 13]])], // opset_import: default domain, version 13
  ]);
}
