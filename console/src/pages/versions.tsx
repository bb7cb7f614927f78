// Versions: status, mode, F1, backbone; start, stop, delete, export download; links to evaluation and
// Try it; each version's batch runs on this server (start one on a running version, download results).
import { useState } from 'preact/hooks';
import { ApiError, call, currentSession, may } from '../api.js';
import { ErrorLine, pct } from '../components.js';
import { useVersions, type VersionDescription } from '../versions.js';
import { BatchRuns } from './batch-runs.js';

/** Saves what GET `url` answers as `filename` (fetched with the key: a plain link cannot send it). */
async function download(url: string, filename: string): Promise<void> {
  const session = currentSession()!;
  const response = await fetch(url, { headers: { authorization: `Bearer ${session.keyId}:${session.secret}` } });
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    throw new ApiError(response.status, body.__type ?? 'Error', body.Message ?? `${filename}: HTTP ${response.status}`);
  }
  const link = document.createElement('a');
  link.href = URL.createObjectURL(await response.blob());
  link.download = filename;
  link.click();
}

const exportUrl = (v: VersionDescription) => `/v1/versions/export?ProjectVersionArn=${encodeURIComponent(v.ProjectVersionArn)}`;

export function VersionsPage({ project }: { project: string }) {
  const [nonce, setNonce] = useState(0);
  const versions = useVersions(project, false, nonce);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState('');
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
  const save = (url: string, filename: string) => {
    setError('');
    setBusy(filename);
    download(url, filename)
      .catch((e: Error) => setError(e.message))
      .finally(() => setBusy(''));
  };
  const href = (page: string) => `#/p/${encodeURIComponent(project)}/${page}`;
  return (
    <section>
      <h1>Versions</h1>
      <ErrorLine error={error || versions.error} />
      {busy && (
        <p class="hint" role="status">
          Exporting {busy}…
        </p>
      )}
      {versions.value?.length === 0 && <p class="hint">No versions yet.</p>}
      <div class="scroll">
        <table class="versions">
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">Status</th>
              <th scope="col">Mode</th>
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
                <td>{v.TrainingMode ?? 'frozen'}</td>
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
                  {may('train') && v.EvaluationResult && (
                    <button type="button" class="link" title="model.onnx, labels.json and README.md in one zip" onClick={() => save(exportUrl(v), `${project}-${v.VersionName}.zip`)}>
                      Download {v.VersionName}
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
      {versions.value && <BatchRuns project={project} versions={versions.value} download={download} />}
    </section>
  );
}
