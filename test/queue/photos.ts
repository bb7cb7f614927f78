// Photos for the queue tests: solid colours the tiny backbone tells apart, each a slightly different
// size (so each has its own content hash), in two sub-folders, plus one file that is not an image.
import path from 'node:path';
import { solidPng } from '../backbone/fixtures.js';
import { put } from '../helpers/fixtures.js';

/** `count` PNGs cycling red, green, blue (sizes 10-16 px wide), plus `a/broken.jpg`; returns every path. */
export async function photoFolder(dir: string, count: number): Promise<string[]> {
  const colours: [number, number, number][] = [[230, 20, 20], [20, 230, 20], [20, 20, 230]];
  const files: string[] = [];
  for (let i = 0; i < count; i++) files.push(put(path.join(dir, i % 2 ? 'b' : 'a', `img-${String(i).padStart(3, '0')}.png`), await solidPng(10 + (i % 7), 10 + Math.floor(i / 7), colours[i % 3]!)));
  files.push(put(path.join(dir, 'a', 'broken.jpg'), 'not an image'));
  return files;
}
