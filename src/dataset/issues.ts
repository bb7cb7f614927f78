// The kinds of import issue the health report knows, as frozen data: which error codes each covers,
// how serious it is, why it matters and what to do. Import records issues; check reports them.

export interface IssueKind {
  severity: 'error' | 'warning' | 'info';
  /** A plural noun phrase: "3 <title>". */
  title: string;
  why: string;
  action: string;
}

export const ISSUE_KINDS = Object.freeze({
  unreadable: { severity: 'warning', title: 'unreadable file(s), left out', why: 'they cannot be decoded, so they were not imported', action: 'open them; replace or delete the broken ones' },
  truncated: { severity: 'warning', title: 'truncated image(s), left out', why: 'the file ends early (an interrupted copy or download)', action: 'copy them again from the original' },
  'unsupported-format': { severity: 'warning', title: 'file(s) in an unsupported format, left out', why: 'only JPEG, PNG, WebP, AVIF, TIFF and GIF photos are read', action: 'convert them to JPEG or PNG, or remove them from the dataset' },
  animated: { severity: 'warning', title: 'animated image(s), left out', why: 'a model sees one still photo; which frame counts is ambiguous', action: 'export the frame you mean as a JPEG or PNG' },
  'too-small': { severity: 'warning', title: 'image(s) under 64 px on a side, left out', why: 'too little detail to learn from (Rekognition\'s minimum too)', action: 'use larger originals' },
  'too-large': { severity: 'warning', title: 'image(s) over 4096 px on a side or 15 MB, left out', why: 'beyond the limits skulens (and Rekognition) accept; a huge header may be a decompression bomb', action: 'downscale them to at most 4096 px and 15 MB' },
  'missing-file': { severity: 'warning', title: 'referenced file(s) missing, left out', why: 'the CSV or manifest names files that do not exist', action: 'fix the paths or add the files' },
  'path-escapes-root': { severity: 'error', title: 'path(s) outside the dataset root, refused', why: 'a CSV or manifest may only name files inside its own folder (or s3:// URIs); absolute paths, ../ and outbound symlinks could read anything on this machine', action: 'use paths relative to the CSV or manifest, inside its folder' },
  'bad-line': { severity: 'warning', title: 'bad line(s) in a CSV or manifest, left out', why: 'the line could not be read (malformed JSON, missing source-ref or path, unknown label attribute, bad label)', action: 'fix the named lines and import again' },
  'exact-duplicate': { severity: 'info', title: 'exact duplicate file(s) under the same label, kept once', why: 'byte-identical copies add nothing and would be counted twice', action: 'nothing to do; delete the copies to tidy the source' },
} satisfies Record<string, IssueKind>);

export type IssueKindName = keyof typeof ISSUE_KINDS;

const BY_CODE: Readonly<Record<string, IssueKindName>> = Object.freeze({
  ERR_IMAGE_UNREADABLE: 'unreadable',
  ERR_IMAGE_TRUNCATED: 'truncated',
  ERR_IMAGE_FORMAT_UNSUPPORTED: 'unsupported-format',
  ERR_IMAGE_HEIC: 'unsupported-format',
  ERR_IMAGE_ANIMATED: 'animated',
  ERR_IMAGE_TOO_SMALL: 'too-small',
  ERR_IMAGE_TOO_LARGE: 'too-large',
  ERR_S3_OBJECT_TOO_LARGE: 'too-large',
  ERR_PATH_NOT_FOUND: 'missing-file',
  ERR_S3_NOT_FOUND: 'missing-file',
  ERR_DATASET_PATH_ESCAPES: 'path-escapes-root',
  ERR_DATASET_CSV_INVALID: 'bad-line',
  ERR_DATASET_MANIFEST_INVALID: 'bad-line',
  ERR_S3_URI_INVALID: 'bad-line',
});

/** The issue kind of a skipped file's error code (unknown codes count as unreadable). */
export function issueKindOf(code: string): IssueKindName {
  return BY_CODE[code] ?? 'unreadable';
}
