// Label-set projects over the small project's photos for the fast path's groups and multi-label tests.
import fs from 'node:fs';
import path from 'node:path';
import { importDataset } from '../../src/dataset/index.js';
import type { HomeLayout } from '../../src/home/index.js';
import type { LabelType } from '../../src/labels/index.js';
import type { Registry } from '../../src/registry/index.js';

/** Project `name` of `type` over the small project's photos (root/data/<split>/<colour>/*.png), each photo labelled `labels[colour]`. */
export async function labelledProject(registry: Registry, home: HomeLayout, root: string, name: string, type: LabelType, labels: Record<string, string[]>): Promise<void> {
  registry.projects.create(name, type);
  const rows = ['path,labels,split'];
  for (const split of ['train', 'test']) {
    for (const colour of Object.keys(labels)) {
      for (const file of fs.readdirSync(path.join(root, 'data', split, colour)).sort()) rows.push(`data/${split}/${colour}/${file},${labels[colour]!.join('|')},${split}`);
    }
  }
  fs.writeFileSync(path.join(root, `${name}.csv`), rows.join('\n'));
  await importDataset(registry, home, name, path.join(root, `${name}.csv`));
}
