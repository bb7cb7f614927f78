// Keeps server paths out of what key holders read: error messages and the status messages of datasets,
// versions and batches name files relative to their import root ("catalogue/boot/1.jpg"), an upload's
// files as "upload:<path in the upload>", the home as "<home>", and the server's other folders as
// "<server>". Paths a request named outside those folders are the client's own words and stay as sent.
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

interface Rule {
  prefix: string;
  shown(rest: string): string;
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** Characters that end a path inside a message. */
const END = `\\s"'\`,;)\\]`;

/** The folder skulens is installed in (models shipped with it live there). */
const PACKAGE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export interface RedactOptions {
  home: string;
  uploads: string;
  roots: readonly string[];
}

/**
 * A function that rewrites every server path in a text.
 *
 * @example
 * const redact = pathRedactor({ home: '/srv/skulens', uploads: '/srv/skulens/tmp/uploads', roots: ['/data/photos'] });
 * redact('Cannot read image /data/photos/boot/1.jpg'); // 'Cannot read image boot/1.jpg'
 */
export function pathRedactor(options: RedactOptions): (text: string) => string {
  const strip = (rest: string): string => rest.replace(/^\//, '');
  const rules: Rule[] = [
    { prefix: options.uploads, shown: (rest: string) => `upload:${strip(rest).split('/').slice(1).join('/')}` },
    ...options.roots.map((root) => ({ prefix: root, shown: (rest: string) => strip(rest) || '.' })),
    { prefix: options.home, shown: (rest: string) => `<home>${rest}` },
    ...[PACKAGE_DIR, os.tmpdir(), os.homedir(), process.cwd()].map((dir) => ({ prefix: dir, shown: (rest: string) => `<server>${rest}` })),
  ]
    .map((rule) => ({ ...rule, prefix: path.resolve(rule.prefix).replace(/\/+$/, '') }))
    // "/" or another one-segment folder would swallow every absolute path a client sent.
    .filter((rule) => rule.prefix.split('/').filter(Boolean).length >= 2)
    .sort((a, b) => b.prefix.length - a.prefix.length);
  if (rules.length === 0) return (text) => text;
  const pattern = new RegExp(`(${rules.map((r) => escape(r.prefix)).join('|')})(?=$|[/${END}])((?:/[^${END}]*)?)`, 'g');
  // The first rule of a prefix wins (an upload over an import root over the home over the server).
  const byPrefix = new Map<string, Rule>();
  for (const rule of rules) if (!byPrefix.has(rule.prefix)) byPrefix.set(rule.prefix, rule);
  return (text) => text.replace(pattern, (_whole, prefix: string, rest: string) => byPrefix.get(prefix)!.shown(rest));
}
