// The review loop's console pieces, shared by the dataset grid and the review page: relabel and remove
// one photo over the API (Rekognition's UpdateDatasetEntries, skulens's DeleteDatasetEntries), a label
// picker, and an image of the uncertain-prediction queue (fetched with the key, as thumbnails are).
import { useEffect, useState } from 'preact/hooks';
import { call, currentSession } from './api.js';

const datasetArns = new Map<string, Promise<Record<string, string>>>();

/** The project's dataset ARNs by type (TRAIN, TEST), from DescribeProjects, fetched once. */
function datasets(project: string): Promise<Record<string, string>> {
  let found = datasetArns.get(project);
  if (!found) {
    found = call<{ ProjectDescriptions: { Datasets: { DatasetArn: string; DatasetType: string }[] }[] }>('DescribeProjects', { ProjectNames: [project] }).then((a) =>
      Object.fromEntries((a.ProjectDescriptions[0]?.Datasets ?? []).map((d) => [d.DatasetType, d.DatasetArn])),
    );
    found.catch(() => datasetArns.delete(project));
    datasetArns.set(project, found);
  }
  return found;
}

/** Gives one photo (by content hash, in its split) another label, with a Ground Truth line. */
export async function relabelPhoto(project: string, sha256: string, split: string, label: string): Promise<void> {
  const arn = (await datasets(project))[split.toUpperCase()];
  const line = JSON.stringify({ 'source-ref': `sha256:${sha256}`, label: 0, 'label-metadata': { 'class-name': label, confidence: 1, 'human-annotated': 'yes' } });
  await call('UpdateDatasetEntries', { DatasetArn: arn, Changes: { GroundTruth: btoa(unescape(encodeURIComponent(line))) } });
}

/** Takes one photo's entry out of the dataset (recorded; its image is kept while a version may use it). */
export async function removePhoto(project: string, sha256: string, label: string): Promise<void> {
  await call('DeleteDatasetEntries', { ProjectArn: project, Images: [{ Sha256: sha256, Label: label }] });
}

/** A select of labels that calls `onPick` with the chosen one (the current label is not offered). */
export function LabelPicker({ labels, current, onPick, title = 'Relabel as…' }: { labels: string[]; current: string; onPick: (label: string) => void; title?: string }) {
  return (
    <select
      class="relabel"
      aria-label={`${title} (now ${current})`}
      value=""
      onChange={(e) => {
        const value = e.currentTarget.value;
        if (value) onPick(value);
      }}
    >
      <option value="">{title}</option>
      {labels
        .filter((l) => l !== current)
        .map((l) => (
          <option key={l} value={l}>
            {l}
          </option>
        ))}
    </select>
  );
}

/** An image of the uncertain-prediction queue, fetched with the key. */
export function QueueImage({ project, id, alt }: { project: string; id: number; alt: string }) {
  const [src, setSrc] = useState<string>();
  useEffect(() => {
    let live = true;
    const session = currentSession();
    fetch(`/v1/review-images/${encodeURIComponent(project)}/${id}`, { headers: session ? { authorization: `Bearer ${session.keyId}:${session.secret}` } : {} })
      .then((r) => (r.ok ? r.blob() : Promise.reject(new Error(String(r.status)))))
      .then((b) => live && setSrc(URL.createObjectURL(b)), () => undefined);
    return () => {
      live = false;
    };
  }, [project, id]);
  return src ? <img class="thumb" src={src} alt={alt} /> : <span class="thumb placeholder" role="img" aria-label={alt} />;
}
