// Versions: status, F1, backbone; start, stop, delete; links to evaluation and Try it; the server's
// batch runs.
import { useState } from 'preact/hooks';
import { ApiError, call, currentSession, may } from '../api.js';
import { ErrorLine, pct, useAsync } from '../components.js';
import { useVersions } from '../versions.js';

interface Batch {
  BatchId: string;
  ProjectVersionArn: string;
  Source: string;
  ResultsPath: string;
  Format: 'jsonl' | 'csv';
  Status: string;
  Total: number | null;
  Processed: number;
}

/** Downloads a batch's results (fetched with the key: a plain link cannot send it). */
async function download(batch: Batch): Promise<void> {
  const session = currentSession()!;
  const response = await fetch(batch.ResultsPath, { headers: { authorization: `Bearer ${session.keyId}:${session.secret}` } });
  if (!response.ok) throw new ApiError(response.status, 'Error', `results: HTTP ${response.status}`);
  const link = document.createElement('a');
  link.href = URL.createObjectURL(await response.blob());
  link.download = `${batch.BatchId}.${batch.Format}`;
  link.click();
}

export function VersionsPage({ project }: { project: string }) {
  const [nonce, setNonce] = useState(0);
  const versions = useVersions(project, false, nonce);
  const [error, setError] = useState('');
  const batches = useAsync(async () => {
    const response = await fetch('/v1/batches', { headers: { authorization: `Bearer ${currentSession()!.keyId}:${currentSession()!.secret}` } });
    if (!response.ok) throw new ApiError(response.status, 'Error', `batches: HTTP ${response.status}`);
    return ((await response.json()) as { Batches: Batch[] }).Batches;
  }, [nonce]);
  const act = async (operation: string, arn: string) => {
    setError('');
    if (operation === 'DeleteProjectVersion' && !confirm('Delete this version and its files?')) return;
    try {
      await call(operation, { ProjectVersionArn: arn, ...(operation === 'StartProjectVersion' ? { MinInferenceUnits: 1 } : {}) });
      setNonce(nonce + 1);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const href = (page: string) => `#/p/${encodeURIComponent(project)}/${page}`;
  return (
    <section>
      <h1>Versions</h1>
      <ErrorLine error={error || versions.error} />
      {versions.value?.length === 0 && <p class="hint">No versions yet.</p>}
      <div class="scroll">
        <table class="versions">
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">Status</th>
              <th scope="col">F1</th>
              <th scope="col">Backbone</th>
              <th scope="col">Created</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {versions.value?.map((v) => (
              <tr key={v.ProjectVersionArn}>
                <th scope="row">{v.VersionName}</th>
                <td>
                  <span class={`status ${v.Status.toLowerCase()}`}>{v.Status.toLowerCase().replace(/_/g, ' ')}</span>
                  {v.Status === 'TRAINING_FAILED' && v.StatusMessage && <div class="hint">{v.StatusMessage}</div>}
                </td>
                <td>{pct(v.EvaluationResult?.F1Score)}</td>
                <td>{v.BackboneId}</td>
                <td>{new Date(v.CreationTimestamp * 1000).toLocaleString()}</td>
                <td class="actions">
                  {v.EvaluationResult && <a href={href(`eval/${v.VersionName}`)}>Evaluation</a>}
                  {v.Status === 'RUNNING' && <a href={href('try')}>Try it</a>}
                  {may('train') && ['TRAINING_COMPLETED', 'STOPPED'].includes(v.Status) && (
                    <button type="button" onClick={() => act('StartProjectVersion', v.ProjectVersionArn)}>
                      Start {v.VersionName}
                    </button>
                  )}
                  {may('train') && v.Status === 'RUNNING' && (
                    <button type="button" onClick={() => act('StopProjectVersion', v.ProjectVersionArn)}>
                      Stop
                    </button>
                  )}
                  {may('train') && !['RUNNING', 'STARTING', 'TRAINING_IN_PROGRESS'].includes(v.Status) && (
                    <button type="button" class="danger" onClick={() => act('DeleteProjectVersion', v.ProjectVersionArn)}>
                      Delete
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <section class="card">
        <h2>Batch runs</h2>
        <p class="hint">
          Start one with <code>POST /v1/batches</code> (described in <code>GET /v1/openapi.json</code>); results download from <code>/v1/batches/&lt;id&gt;/results</code>.
        </p>
        <ErrorLine error={batches.error} />
        {batches.value?.every((b) => !b.ProjectVersionArn.includes(`project/${project}/`)) && <p class="hint">No batch runs of {project} on this server.</p>}
        <ul class="list">
          {batches.value
            ?.filter((b) => b.ProjectVersionArn.includes(`project/${project}/`))
            .map((b) => (
              <li key={b.BatchId} class="row">
                <code>{b.BatchId}</code> {/version\/([^/]+)/.exec(b.ProjectVersionArn)?.[1]} · {b.Source} · {b.Status.toLowerCase()} {b.Processed}/{b.Total ?? '?'}
                {may('train') && (
                  <button type="button" class="link" onClick={() => download(b).catch((e: Error) => setError(e.message))}>
                    Download results ({b.Format})
                  </button>
                )}
              </li>
            ))}
        </ul>
      </section>
    </section>
  );
}
