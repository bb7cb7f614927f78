// What every dataset source (folder, CSV, manifest; on disk or in S3) hands the importer: a list of
// images to read, each with its labels, plus the lines or files it refused while listing.
import type { Split } from '../../registry/index.js';

/** A label given to an image, with the source's extra fields for it (CSV columns, manifest metadata). */
export interface LabelAssignment {
  label: string;
  metadata: Record<string, string> | null;
}

/** One image a source names. */
export interface SourceItem {
  /** What reports and entries name: an absolute path or an s3:// URI. */
  ref: string;
  /** Line of the CSV or manifest that named it; null for a folder. */
  line: number | null;
  /** One or more labels (a manifest line may carry several). */
  labels: LabelAssignment[];
  /** The split the source gives, if any. */
  split: Split | null;
  /** Reads the bytes; rejects with a coded SkulensError. */
  read(): Promise<Buffer>;
}

/** A file or line left out, with its code and a reason that names it. */
export interface SkippedFile {
  file: string;
  code: string;
  reason: string;
  /** Line of a CSV or manifest, when the problem is a line. */
  line?: number;
}

export interface SourceListing {
  /** The source as given, normalised (absolute path or s3:// URI): import issues are kept per origin. */
  origin: string;
  items: SourceItem[];
  /** Lines or files refused while listing (bad lines, paths escaping the root). */
  rejected: SkippedFile[];
  /** One line each about things left out on purpose (stray files, hidden folders). */
  notices: string[];
  /** Nested folders read as a hierarchy: each label with the folders above it, nearest first. */
  hierarchy?: { label: string; parents: string[] }[];
}
