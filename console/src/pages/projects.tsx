// Projects: list (with their datasets' state), create, delete.
import { useEffect, useState } from 'preact/hooks';
import { call, may } from '../api.js';
import { ErrorLine, useAsync } from '../components.js';

interface ProjectDescription {
  ProjectArn: string;
  ProjectName: string;
  CreationTimestamp: number;
  Datasets: { DatasetType: string; Status: string }[];
}

export function ProjectsPage() {
  const [reload, setReload] = useState(0);
  const projects = useAsync(() => call<{ ProjectDescriptions: ProjectDescription[] }>('DescribeProjects', {}), [reload]);
  const [name, setName] = useState('');
  const [error, setError] = useState('');
  useEffect(() => setError(''), [name]);
  const create = async (event: Event) => {
    event.preventDefault();
    try {
      await call('CreateProject', { ProjectName: name.trim() });
      location.hash = `#/p/${encodeURIComponent(name.trim())}/dataset`;
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const remove = async (project: string) => {
    if (!confirm(`Delete project ${project}, its images and its versions?`)) return;
    try {
      await call('DeleteProject', { ProjectArn: project });
      setReload(reload + 1);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <section>
      <h1>Projects</h1>
      {may('train') && (
        <form class="row card" onSubmit={create}>
          <label>
            New project
            <input name="project" placeholder="shoes" pattern="[A-Za-z0-9._\-]{1,64}" title="1-64 letters, digits, - _ or ." value={name} onInput={(e) => setName(e.currentTarget.value)} required />
          </label>
          <button type="submit">Create project</button>
          <p class="hint">One label per image (single-label classification).</p>
        </form>
      )}
      <ErrorLine error={error || projects.error} />
      {projects.value && projects.value.ProjectDescriptions.length === 0 && <p class="hint">No projects yet.</p>}
      <ul class="list">
        {projects.value?.ProjectDescriptions.map((p) => (
          <li key={p.ProjectArn} class="card row">
            <a class="big" href={`#/p/${encodeURIComponent(p.ProjectName)}/dataset`}>
              {p.ProjectName}
            </a>
            <span class="hint">
              created {new Date(p.CreationTimestamp * 1000).toLocaleString()} · {p.Datasets.map((d) => `${d.DatasetType.toLowerCase()} ${d.Status.toLowerCase().replace(/_/g, ' ')}`).join(', ') || 'no images yet'}
            </span>
            {may('train') && (
              <button type="button" class="danger" onClick={() => remove(p.ProjectName)}>
                Delete
              </button>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
