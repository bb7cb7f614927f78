// Turns what was dropped into an upload form: zips as they are, photos under a typed label, and
// dropped folders (label folders, or train/ and test/ of them) zipped here with fflate (stored, not
// compressed: photos do not shrink) so that the server sees one zip with their layout.
import { zipSync } from 'fflate';

const IMAGE = /\.(jpe?g|png|webp|avif|tiff?|gif|heic|heif)$/i;

async function readEntry(entry: FileSystemEntry, prefix: string, out: Record<string, Uint8Array>): Promise<void> {
  if (entry.isFile) {
    if (!IMAGE.test(entry.name)) return;
    const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
    out[`${prefix}${entry.name}`] = new Uint8Array(await file.arrayBuffer());
    return;
  }
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) break;
    for (const child of batch) await readEntry(child, `${prefix}${entry.name}/`, out);
  }
}

/** The dropped folders as one zip, or undefined when no folder was dropped. */
export async function zipDroppedFolders(items: DataTransferItemList | undefined): Promise<File | undefined> {
  if (!items) return undefined;
  const entries = [...items].map((item) => item.webkitGetAsEntry?.()).filter((e): e is FileSystemEntry => Boolean(e?.isDirectory));
  if (entries.length === 0) return undefined;
  const files: Record<string, Uint8Array> = {};
  // One dropped folder is the dataset's root (its label folders inside); several are label folders themselves.
  for (const entry of entries) await readEntry(entry, '', files);
  const zipped = zipSync(Object.fromEntries(Object.entries(files).map(([name, bytes]) => [entries.length === 1 ? name.slice(entries[0]!.name.length + 1) : name, [bytes, { level: 0 }]])));
  return new File([zipped], 'dropped-folders.zip', { type: 'application/zip' });
}

/** The form of POST /v1/datasets/upload. */
export function uploadForm(files: File[], label: string): FormData {
  const form = new FormData();
  const photos = files.filter((f) => !/\.zip$/i.test(f.name));
  for (const zip of files.filter((f) => /\.zip$/i.test(f.name))) form.append('file', zip, zip.name);
  if (photos.length) {
    form.append('label', label);
    for (const photo of photos) form.append('file', photo, photo.name);
  }
  return form;
}
