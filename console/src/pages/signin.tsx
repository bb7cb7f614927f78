// Sign in with an API key's id and secret (from `skulens keys create`); kept in sessionStorage only.
import { useState } from 'preact/hooks';
import { whoAmI, type Session } from '../api.js';

export function SignInPage({ onSignedIn }: { onSignedIn: (session: Session) => void }) {
  const [keyId, setKeyId] = useState('');
  const [secret, setSecret] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError('');
    try {
      onSignedIn(await whoAmI(keyId.trim(), secret.trim()));
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="signin">
      <form onSubmit={submit} class="card">
        <h1>skulens console</h1>
        <p class="hint">Sign in with an API key: <code>skulens keys create &lt;name&gt; --role train</code> prints its id and secret. They stay in this tab only.</p>
        <label>
          Key id
          <input name="keyId" autoComplete="username" value={keyId} onInput={(e) => setKeyId(e.currentTarget.value)} required autoFocus />
        </label>
        <label>
          Secret
          <input name="secret" type="password" autoComplete="current-password" value={secret} onInput={(e) => setSecret(e.currentTarget.value)} required />
        </label>
        {error && <p class="error" role="alert">{error}</p>}
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
