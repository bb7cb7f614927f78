// Versions: status, F1, backbone; start, stop, delete; links to evaluation and Try it; the server's
// batch runs.
import { useState } from 'preact/hooks';
import { ApiError, call, currentSession, may } from '../api.js';
import { ErrorLine, pct, useAsync } from '../components.js';
import { useVersions } from '../versions.js';

interface Batch {
  Id?: string;
  BatchId?: string;
  Status?: string;
  [key: string]: unknown;
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
          Start one with <code>POST /v1/batches</code> (see <a href="/v1/openapi.json">the API</a>); results download from <code>/v1/batches/&lt;id&gt;/results</code>.
        </p>
        <ErrorLine error={batches.error} />
        {batches.value?.length === 0 && <p class="hint">No batch runs on this server.</p>}
        <ul class="list">
          {batches.value?.map((b, i) => (
            <li key={i}>
              <code>{String(b.BatchId ?? b.Id ?? i)}</code> {String(b.Status ?? '')}
            </li>
          ))}
        </ul>
      </section>
    </section>
  );
}
