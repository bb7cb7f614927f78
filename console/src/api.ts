// The console's only way to the server: the HTTP API, signed in with a key id and secret kept in
// sessionStorage (Bearer). Anything the console does, a script can do with the same calls.

export interface Session {
  keyId: string;
  secret: string;
  role: 'detect' | 'train' | 'admin';
}

const STORE = 'skulens.session';

export function loadSession(): Session | undefined {
  const text = sessionStorage.getItem(STORE);
  return text ? (JSON.parse(text) as Session) : undefined;
}

export function saveSession(session: Session | undefined): void {
  if (session) sessionStorage.setItem(STORE, JSON.stringify(session));
  else sessionStorage.removeItem(STORE);
}

/** An error answer of the API, in Rekognition's shape. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

function authorization(session: Pick<Session, 'keyId' | 'secret'>): string {
  return `Bearer ${session.keyId}:${session.secret}`;
}

async function answer<T>(response: Response): Promise<T> {
  const text = await response.text();
  const body = text ? JSON.parse(text) : {};
  if (!response.ok) throw new ApiError(response.status, body.__type ?? 'Error', body.Message ?? `HTTP ${response.status}`);
  return body as T;
}

/** Who a key is: its role, or an ApiError for a wrong id or secret. */
export async function whoAmI(keyId: string, secret: string): Promise<Session> {
  const body = await answer<{ Role: Session['role'] }>(await fetch('/v1/caller', { headers: { authorization: authorization({ keyId, secret }) } }));
  return { keyId, secret, role: body.Role };
}

let session: Session | undefined = loadSession();
export function setSession(next: Session | undefined): void {
  session = next;
  saveSession(next);
}
export function currentSession(): Session | undefined {
  return session;
}

/** True when the signed-in key may do `role`'s work. */
export function may(role: Session['role']): boolean {
  const order = ['detect', 'train', 'admin'];
  return session !== undefined && order.indexOf(session.role) >= order.indexOf(role);
}

/** POST /v1/<operation> with a JSON body. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each page types its own answers
export async function call<T = any>(operation: string, body: unknown = {}): Promise<T> {
  if (!session) throw new ApiError(403, 'AccessDeniedException', 'Not signed in');
  const response = await fetch(`/v1/${operation}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: authorization(session) },
    body: JSON.stringify(body),
  });
  return answer<T>(response);
}

/** A multipart upload with upload progress (fetch has none), answered as JSON. */
export function upload<T>(url: string, form: FormData, onProgress: (fraction: number) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('POST', url);
    if (session) request.setRequestHeader('authorization', authorization(session));
    request.upload.onprogress = (event) => event.lengthComputable && onProgress(event.loaded / event.total);
    request.onload = () => {
      const body = request.responseText ? JSON.parse(request.responseText) : {};
      if (request.status >= 200 && request.status < 300) resolve(body as T);
      else reject(new ApiError(request.status, body.__type ?? 'Error', body.Message ?? `HTTP ${request.status}`));
    };
    request.onerror = () => reject(new ApiError(0, 'NetworkError', 'The server could not be reached'));
    request.send(form);
  });
}

const thumbs = new Map<string, Promise<string>>();
let active = 0;
const waiting: (() => void)[] = [];

/** An object URL of a thumbnail (fetched with the key: an <img src> cannot send it), six at a time. */
export function thumbnail(sha256: string, size = 160): Promise<string> {
  const key = `${sha256}/${size}`;
  let found = thumbs.get(key);
  if (!found) {
    found = (async () => {
      if (active >= 6) await new Promise<void>((resolve) => waiting.push(resolve));
      active += 1;
      try {
        const response = await fetch(`/v1/thumbnails/${sha256}?size=${size}`, { headers: session ? { authorization: authorization(session) } : {} });
        if (!response.ok) throw new ApiError(response.status, 'Error', `thumbnail ${response.status}`);
        return URL.createObjectURL(await response.blob());
      } finally {
        active -= 1;
        waiting.shift()?.();
      }
    })();
    found.catch(() => thumbs.delete(key));
    thumbs.set(key, found);
  }
  return found;
}

/** The project name of an ARN (or the name itself). */
export function projectName(arnOrName: string): string {
  return /project\/([^/]+)/.exec(arnOrName)?.[1] ?? arnOrName;
}

export function base64Of(bytes: ArrayBuffer): string {
  let text = '';
  const view = new Uint8Array(bytes);
  for (let i = 0; i < view.length; i += 0x8000) text += String.fromCharCode(...view.subarray(i, i + 0x8000));
  return btoa(text);
}
