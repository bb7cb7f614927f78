// Projects: list (with their label type and datasets' state), create with a label type, delete.
import { useEffect, useState } from 'preact/hooks';
import { call, may } from '../api.js';
import { ErrorLine, useAsync } from '../components.js';

interface ProjectDescription {
  ProjectArn: string;
  ProjectName: string;
  CreationTimestamp: number;
  Datasets: { DatasetType: string; Status: string }[];
  LabelType?: 'multi' | 'groups';
}

const LABEL_TYPES = [
  ['single', 'Single: one label per photo ("running shoe")'],
  ['multi', 'Multi: any number of labels per photo ("red", "leather", "sale")'],
  ['groups', 'Groups: one value per attribute group ("brand:arla", "type:milk")'],
] as const;

export function ProjectsPage() {
  const [reload, setReload] = useState(0);
  // A detect key may not list projects (they show datasets): it is told so instead of being refused.
  const projects = useAsync(() => (may('train') ? call<{ ProjectDescriptions: ProjectDescription[] }>('DescribeProjects', {}) : Promise.resolve(undefined)), [reload]);
  const [name, setName] = useState('');
  const [labelType, setLabelType] = useState<string>('single');
  const [error, setError] = useState('');
  useEffect(() => setError(''), [name]);
  const create = async (event: Event) => {
    event.preventDefault();
    try {
      // Sent only for a type other than the API's default (single).
      await call('CreateProject', { ProjectName: name.trim(), ...(labelType !== 'single' ? { LabelType: labelType } : {}) });
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
          <fieldset class="label-type">
            <legend>Label type (fixed for the project's life)</legend>
            {LABEL_TYPES.map(([id, text]) => (
              <label key={id} class="radio">
                <input type="radio" name="labelType" value={id} checked={labelType === id} onChange={() => setLabelType(id)} /> {text}
              </label>
            ))}
          </fieldset>
          <button type="submit">Create project</button>
        </form>
      )}
      <ErrorLine error={error || projects.error} />
      {!may('train') && <p class="hint">This key (role detect) may detect and describe versions, not list projects: open a project as #/p/&lt;name&gt;/versions.</p>}
      {projects.value && projects.value.ProjectDescriptions.length === 0 && <p class="hint">No projects yet.</p>}
      <ul class="list">
        {projects.value?.ProjectDescriptions.map((p) => (
          <li key={p.ProjectArn} class="card row">
            <a class="big" href={`#/p/${encodeURIComponent(p.ProjectName)}/dataset`}>
              {p.ProjectName}
            </a>
            <span class="hint">
              {p.LabelType ?? 'single'}-label · created {new Date(p.CreationTimestamp * 1000).toLocaleString()} · {p.Datasets.map((d) => `${d.DatasetType.toLowerCase()} ${d.Status.toLowerCase().replace(/_/g, ' ')}`).join(', ') || 'no images yet'}
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
