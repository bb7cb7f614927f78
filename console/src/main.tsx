// The console's shell: sign-in gate, hash routes (#/p/<project>/<page>), the navigation and the
// signed-in key's role (pages hide what the role may not do).
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { currentSession, setSession } from './api.js';
import { DatasetPage } from './pages/dataset.js';
import { EvaluationPage } from './pages/evaluation.js';
import { ProjectsPage } from './pages/projects.js';
import { SignInPage } from './pages/signin.js';
import { TrainingPage } from './pages/training.js';
import { TryPage } from './pages/try.js';
import { VersionsPage } from './pages/versions.js';
import { ReviewPage } from './pages/review.js';
import { ComparePage } from './pages/compare.js';
import './style.css';

function useHash(): string {
  const [hash, setHash] = useState(location.hash.slice(1) || '/');
  useEffect(() => {
    const on = () => setHash(location.hash.slice(1) || '/');
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return hash;
}

const TABS = [
  ['dataset', 'Dataset'],
  ['train', 'Training'],
  ['versions', 'Versions'],
  ['eval', 'Evaluation'],
  ['try', 'Try it'],
  ['review', 'Review'],
  ['compare', 'Compare'],
] as const;

function ProjectNav({ project, page }: { project: string; page: string }) {
  return (
    <nav class="tabs" aria-label={`Project ${project}`}>
      {TABS.map(([id, title]) => (
        <a key={id} href={`#/p/${encodeURIComponent(project)}/${id}`} aria-current={page === id ? 'page' : undefined}>
          {title}
        </a>
      ))}
    </nav>
  );
}

function App() {
  const [session, setLocal] = useState(currentSession());
  const hash = useHash();
  const signOut = () => {
    setSession(undefined);
    setLocal(undefined);
  };
  if (!session) return <SignInPage onSignedIn={(s) => (setSession(s), setLocal(s))} />;
  const parts = hash.split('/').filter(Boolean).map(decodeURIComponent);
  const project = parts[0] === 'p' ? parts[1] : undefined;
  const page = parts[2] ?? 'dataset';
  let body;
  if (!project) body = <ProjectsPage />;
  else if (page === 'train') body = <TrainingPage project={project} />;
  else if (page === 'versions') body = <VersionsPage project={project} />;
  else if (page === 'eval') body = <EvaluationPage project={project} version={parts[3]} />;
  else if (page === 'try') body = <TryPage project={project} />;
  else if (page === 'review') body = <ReviewPage project={project} />;
  else if (page === 'compare') body = <ComparePage project={project} />;
  else body = <DatasetPage project={project} />;
  return (
    <div class="shell">
      <header class="top">
        <a class="brand" href="#/">skulens</a>
        {project && <span class="crumb">/ {project}</span>}
        <span class="who" title="The key this console is signed in with">
          {session.keyId} · {session.role}
        </span>
        <button type="button" class="link" onClick={signOut}>
          Sign out
        </button>
      </header>
      {project && <ProjectNav project={project} page={page} />}
      <main id="main">{body}</main>
    </div>
  );
}

render(<App />, document.getElementById('app')!);
