/**
 * The dashboard's one door to the API: JSON over fetch, errors turned into sentences that say what to do.
 * Every page goes through `getJson`/`sendJson`; the admin token (if any) rides along as a bearer token.
 */

const TOKEN_KEY = 'marketpipe.token';

/** An API answer that was not 2xx, with the server's `{error, message}` when it sent one. */
class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

export function getToken(): string | null {
  try {
    return localStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function setToken(token: string | null): void {
  if (token) localStorage.setItem(TOKEN_KEY, token);
  else localStorage.removeItem(TOKEN_KEY);
}

function headers(json: boolean): Record<string, string> {
  const h: Record<string, string> = { accept: 'application/json' };
  if (json) h['content-type'] = 'application/json';
  const token = getToken();
  if (token) h.authorization = `Bearer ${token}`;
  return h;
}

async function parse<T>(res: Response, what: string): Promise<T> {
  const text = await res.text();
  let body: unknown = null;
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = null;
    }
  }
  if (!res.ok) {
    const b = (body ?? {}) as { error?: unknown; message?: unknown };
    const code = typeof b.error === 'string' ? b.error : `http_${res.status}`;
    const message =
      typeof b.message === 'string' && b.message
        ? b.message
        : res.status === 404
          ? `${what} is not available on this server (404) — is marketpipe serve up to date?`
          : `${what} failed with HTTP ${res.status}`;
    throw new ApiError(res.status, code, message);
  }
  if (body === null && text) throw new ApiError(res.status, 'bad_json', `${what} did not answer JSON`);
  return body as T;
}

/** GET a JSON document; `what` names it in error messages (defaults to the path). */
export async function getJson<T>(path: string, what = path): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, { headers: headers(false) });
  } catch {
    throw new ApiError(0, 'offline', `cannot reach the API for ${what} — is marketpipe serve running?`);
  }
  return parse<T>(res, what);
}

/** POST/PUT/DELETE with a JSON body. */
export async function sendJson<T>(method: string, path: string, body?: unknown, what = path): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers: headers(body !== undefined),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'offline', `cannot reach the API for ${what} — is marketpipe serve running?`);
  }
  return parse<T>(res, what);
}

/** A one-line message for any thrown value. */
export function errorText(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/** Query string from defined values only. */
export function qs(params: Record<string, string | number | undefined | null>): string {
  const parts = Object.entries(params)
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  return parts.length > 0 ? `?${parts.join('&')}` : '';
}
