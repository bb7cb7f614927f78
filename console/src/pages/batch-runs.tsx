// The versions page's batch runs: a project's batches on this server, grouped by version, a form that
// starts one on a running version (a folder under the server's import roots, or an s3:// prefix), and
// their results to download. Polled while one runs.
import { useState } from 'preact/hooks';
import { ApiError, currentSession, may } from '../api.js';
import { ErrorLine, ProgressBar, usePoll } from '../components.js';
import type { VersionDescription } from '../versions.js';

export interface Batch {
  BatchId: string;
  ProjectVersionArn: string;
  Source: string;
  ResultsPath: string;
  Format: 'jsonl' | 'csv';
  Status: string;
  StatusMessage?: string;
  Total: number | null;
  Processed: number;
  Failed: number;
}

async function request<T>(method: 'GET' | 'POST', url: string, body?: unknown): Promise<T> {
  const session = currentSession()!;
  const response = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${session.keyId}:${session.secret}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(response.status, answer.__type ?? 'Error', answer.Message ?? `${url}: HTTP ${response.status}`);
  return answer as T;
}

const versionName = (arn: string) => /version\/([^/]+)/.exec(arn)?.[1] ?? arn;

export function BatchRuns({ project, versions, download }: { project: string; versions: VersionDescription[]; download: (url: string, filename: string) => Promise<void> }) {
  const [batches, setBatches] = useState<Batch[]>();
  const [error, setError] = useState('');
  const [source, setSource] = useState('');
  const [format, setFormat] = useState<'jsonl' | 'csv'>('jsonl');
  const running = versions.filter((v) => v.Status === 'RUNNING');
  const [version, setVersion] = useState('');
  const load = () =>
    request<{ Batches: Batch[] }>('GET', '/v1/batches').then(
      (answer) => setBatches(answer.Batches.filter((b) => b.ProjectVersionArn.includes(`project/${project}/`))),
      (e: Error) => setError(e.message),
    );
  const busy = (batches ?? []).some((b) => b.Status === 'IN_PROGRESS');
  const every = busy ? 1000 : 30_000;
  usePoll(load, every, true, [project, every]);
  const start = async (event: Event) => {
    event.preventDefault();
    setError('');
    try {
      await request('POST', '/v1/batches', { ProjectVersionArn: version || running[0]!.ProjectVersionArn, Source: source.trim(), Format: format });
      setSource('');
      await load();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const byVersion = new Map<string, Batch[]>();
  for (const b of batches ?? []) byVersion.set(versionName(b.ProjectVersionArn), [...(byVersion.get(versionName(b.ProjectVersionArn)) ?? []), b]);
  return (
    <section class="card" aria-labelledby="batches-title">
      <h2 id="batches-title">Batch runs</h2>
      {may('train') && running.length > 0 && (
        <form class="row" onSubmit={start}>
          <label>
            Batch version
            <select value={version || running[0]!.ProjectVersionArn} onChange={(e) => setVersion(e.currentTarget.value)}>
              {running.map((v) => (
                <option key={v.ProjectVersionArn} value={v.ProjectVersionArn}>
                  {v.VersionName}
                </option>
              ))}
            </select>
          </label>
          <label class="grow">
            Source
            <input name="source" placeholder="a folder under the server's import roots, or s3://bucket/prefix" value={source} onInput={(e) => setSource(e.currentTarget.value)} required />
          </label>
          <label>
            Results
            <select value={format} onChange={(e) => setFormat(e.currentTarget.value as 'jsonl' | 'csv')}>
              <option value="jsonl">JSON Lines</option>
              <option value="csv">CSV</option>
            </select>
          </label>
          <button type="submit">Run batch</button>
        </form>
      )}
      {may('train') && running.length === 0 && <p class="hint">Start a version to run a batch with it (POST /v1/batches does the same from a script).</p>}
      <ErrorLine error={error} />
      {batches?.length === 0 && <p class="hint">No batch runs of {project} on this server.</p>}
      {[...byVersion].map(([name, runs]) => (
        <div key={name}>
          <h3>{name}</h3>
          <ul class="list">
            {runs.map((b) => (
              <li key={b.BatchId} class="row batch">
                <span>
                  <code>{b.BatchId.slice(0, 8)}</code> {b.Source} · <span class={`status ${b.Status.toLowerCase()}`}>{b.Status.toLowerCase().replace(/_/g, ' ')}</span> {b.Processed}/{b.Total ?? '?'} images
                  {b.Failed > 0 && `, ${b.Failed} failed`}
                  {b.StatusMessage && <span class="hint"> · {b.StatusMessage}</span>}
                </span>
                {b.Status === 'IN_PROGRESS' && <ProgressBar fraction={b.Total ? b.Processed / b.Total : 0} label={`Batch ${b.BatchId} progress`} />}
                {may('train') && (
                  <button type="button" class="link" onClick={() => download(b.ResultsPath, `${b.BatchId}.${b.Format}`).catch((e: Error) => setError(e.message))}>
                    Download results ({b.Format})
                  </button>
                )}
              </li>
            ))}
          </ul>
        </div>
      ))}
    </section>
  );
}
