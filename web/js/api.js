// A small fetch wrapper for the centrala REST API.
//
// The page authenticates with the HttpOnly session cookie (credentials:
// same-origin). Unsafe methods carry the X-CSRF-Token header with the
// csrf_token from login, kept in sessionStorage so a reload keeps working.
// Errors are thrown as ApiError with the server's error code, the HTTP status
// and, for 429, the Retry-After wait in seconds.

const CSRF_KEY = 'centrala.csrf';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export class ApiError extends Error {
  constructor(status, code, message, { retryAfter = null } = {}) {
    super(message || code);
    this.name = 'ApiError';
    this.status = status; // 0 when the server could not be reached
    this.code = code;
    this.retryAfter = retryAfter; // seconds, or null
  }
}

export const csrf = {
  get() {
    try {
      return window.sessionStorage.getItem(CSRF_KEY);
    } catch {
      return null;
    }
  },
  set(token) {
    try {
      if (token) window.sessionStorage.setItem(CSRF_KEY, token);
      else window.sessionStorage.removeItem(CSRF_KEY);
    } catch {
      // storage disabled: unsafe requests will ask for a new login
    }
  },
  clear() {
    csrf.set(null);
  },
};

// Retry-After is either seconds or an HTTP date.
export function parseRetryAfter(value, now = Date.now()) {
  if (value == null || value === '') return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  if (Number.isNaN(at)) return null;
  return Math.max(0, Math.ceil((at - now) / 1000));
}

const unauthenticatedListeners = new Set();

// Called with the ApiError when a request made with a session is refused
// because the session is gone (401 "unauthenticated"), so the app can show
// the login form. Login attempts themselves do not trigger it.
export function onSessionLost(fn) {
  unauthenticatedListeners.add(fn);
  return () => unauthenticatedListeners.delete(fn);
}

async function readBody(res, responseType) {
  const type = res.headers.get('Content-Type') || '';
  if (res.status === 204 || res.status === 205) return null;
  if (responseType === 'blob' && res.ok) return await res.blob();
  if (type.includes('application/json')) {
    try {
      return await res.json();
    } catch {
      return null;
    }
  }
  return await res.text();
}

// `raw` sends a Blob or File as it is (with `contentType`) instead of JSON;
// `responseType: 'blob'` returns a successful body as a Blob (downloads).
export async function request(method, path, { body, raw, contentType, responseType, headers = {}, signal, notifySessionLost = true } = {}) {
  const m = method.toUpperCase();
  const h = { Accept: 'application/json', ...headers };
  const init = { method: m, headers: h, credentials: 'same-origin', cache: 'no-store', signal };
  if (body !== undefined) {
    h['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  } else if (raw !== undefined) {
    h['Content-Type'] = contentType || 'application/octet-stream';
    init.body = raw;
  }
  if (!SAFE_METHODS.has(m)) {
    const token = csrf.get();
    if (token) h['X-CSRF-Token'] = token;
  }

  let res;
  try {
    res = await fetch(path, init);
  } catch (e) {
    if (e && e.name === 'AbortError') throw e;
    throw new ApiError(0, 'network_error', 'The server could not be reached.');
  }
  const data = await readBody(res, responseType);
  if (res.ok) return data;

  const err = data && typeof data === 'object' && data.error ? data.error : {};
  const error = new ApiError(res.status, err.code || `http_${res.status}`, err.message || res.statusText, {
    retryAfter: parseRetryAfter(res.headers.get('Retry-After')),
  });
  if (notifySessionLost && res.status === 401 && error.code === 'unauthenticated') {
    for (const fn of unauthenticatedListeners) fn(error);
  }
  throw error;
}

export const api = {
  get: (path, opts) => request('GET', path, opts),
  post: (path, body, opts) => request('POST', path, { ...opts, body }),
  put: (path, body, opts) => request('PUT', path, { ...opts, body }),
  patch: (path, body, opts) => request('PATCH', path, { ...opts, body }),
  delete: (path, opts) => request('DELETE', path, opts),
  // A file as the raw request body, typed by the browser.
  upload: (path, file, opts) => request('POST', path, { ...opts, raw: file, contentType: file.type || 'application/octet-stream' }),
  download: (path, opts) => request('GET', path, { ...opts, responseType: 'blob' }),
};
