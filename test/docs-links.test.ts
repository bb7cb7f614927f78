// Every relative link in README.md and docs/*.md reaches a file of the repository, and every `#anchor`
// a heading of the page it names (GitHub's rule: lower case, punctuation dropped, spaces to hyphens),
// so moving a table to docs/benchmarks.md cannot leave the front door pointing at nothing.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from './helpers/fixtures.js';

const pages = ['README.md', ...fs.readdirSync(path.join(REPO_ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

/** GitHub's anchor of a heading. */
function slug(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
}

/** The anchors of a Markdown page's headings (outside code blocks). */
function anchors(markdown: string): Set<string> {
  const found = new Set<string>();
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*```/.test(line)) fenced = !fenced;
    const heading = /^#{1,6}\s+(.*)$/.exec(line);
    if (!fenced && heading) found.add(slug(heading[1]!));
  }
  return found;
}

/** `page: target` for each relative link of `page` whose file or anchor is not there. */
function brokenLinks(page: string): string[] {
  const text = fs.readFileSync(path.join(REPO_ROOT, page), 'utf8').replace(/```[\s\S]*?```/g, '');
  const broken: string[] = [];
  for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
    if (/^[a-z]+:/i.test(target!)) continue;
    const [file, anchor] = target!.split('#') as [string, string | undefined];
    const resolved = file === '' ? path.join(REPO_ROOT, page) : path.resolve(path.dirname(path.join(REPO_ROOT, page)), file);
    if (!fs.existsSync(resolved)) broken.push(`${page}: ${target}`);
    else if (anchor !== undefined && resolved.endsWith('.md') && !anchors(fs.readFileSync(resolved, 'utf8')).has(anchor)) broken.push(`${page}: ${target}`);
  }
  return broken;
}

test("an anchor is the heading in lower case, without punctuation, spaces as hyphens (GitHub's rule)", () => {
  assert.equal(slug("At Rekognition's limits"), 'at-rekognitions-limits');
  assert.equal(slug('The three figures: accuracy, coverage, answered precision'), 'the-three-figures-accuracy-coverage-answered-precision');
  assert.equal(slug('Fast path (PyTorch engine)'), 'fast-path-pytorch-engine');
});

test('every relative link in README.md and docs/*.md reaches a file, and its anchor a heading there', () => {
  assert.deepEqual(pages.flatMap(brokenLinks), []);
});
