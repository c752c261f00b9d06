/// <reference lib="dom" />
/** Calls to the JSON API with the bearer token, when there is one. */

const TOKEN_KEY = 'sipcap.token';

export class ApiError extends Error {
  /** `field`: the parameter a 400 names (shown next to its input). */
  constructor(
    readonly status: number,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export function storedToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function storeToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token.trim());
}

/** A `?token=` in the address is taken once into sessionStorage and removed from the address bar. */
export function takeTokenFromAddress(): void {
  const params = new URLSearchParams(location.search);
  const token = params.get('token');
  if (token === null) return;
  storeToken(token);
  params.delete('token');
  const rest = params.toString();
  history.replaceState(null, '', location.pathname + (rest ? `?${rest}` : '') + location.hash);
}

async function request(path: string): Promise<Response> {
  const headers: Record<string, string> = {};
  const token = storedToken();
  if (token) headers.authorization = `Bearer ${token}`;
  const r = await fetch(path, { headers, credentials: 'same-origin' });
  if (!r.ok) {
    let message = `${r.status} ${r.statusText}`;
    let field: string | undefined;
    try {
      const body = (await r.json()) as { message?: string; field?: string };
      if (body.message) message = body.message;
      field = body.field;
    } catch {
      // not JSON: keep the status line
    }
    throw new ApiError(r.status, message, field);
  }
  return r;
}

export async function getJson<T>(path: string): Promise<T> {
  return (await (await request(path)).json()) as T;
}

/** Fetches a file with the token and hands it to the browser as a download. */
export async function download(path: string, fileName: string): Promise<void> {
  const blob = await (await request(path)).blob();
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
