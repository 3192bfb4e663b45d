// The REST client: every call goes to /api/v1 with the signed-in token. Errors become ApiError with the
// API's {code, message, target}, so forms can put the message next to the field the API names.

const BASE = new URL('api/v1', document.baseURI).pathname;
const TOKEN_KEY = 'fleetjobs.token';
const ME_KEY = 'fleetjobs.me';

export class ApiError extends Error {
  constructor(status, code, message, target) {
    super(message || `Request failed (${status})`);
    this.name = 'ApiError';
    this.status = status;
    this.code = code || String(status);
    this.target = target || null;
  }
}

/** The tab's sign-in: kept in sessionStorage so it dies with the tab and never reaches other tabs. */
export const session = {
  get token() { return sessionStorage.getItem(TOKEN_KEY); },
  get me() {
    try { return JSON.parse(sessionStorage.getItem(ME_KEY)) || null; } catch { return null; }
  },
  save(token, me) {
    sessionStorage.setItem(TOKEN_KEY, token);
    sessionStorage.setItem(ME_KEY, JSON.stringify({ name: me.name, role: me.role }));
  },
  clear() {
    sessionStorage.removeItem(TOKEN_KEY);
    sessionStorage.removeItem(ME_KEY);
  },
};

let onUnauthorized = () => {};
/** The app decides what a 401 means (back to the login page); the client only reports it. */
export function setUnauthorizedHandler(fn) { onUnauthorized = fn; }

/** Builds "/path?a=1&b=2" from an object, leaving out empty values. */
export function withQuery(path, query = {}) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

/** Path segments are names chosen by users: always encode them. */
export function path(strings, ...values) {
  return strings.reduce((out, s, i) => out + s + (i < values.length ? encodeURIComponent(values[i]) : ''), '');
}

export async function request(method, url, { body, signal, token = session.token, raw = false } = {}) {
  const headers = { Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const target = url.startsWith('http') || url.startsWith(BASE) ? url : BASE + url;
  let response;
  try {
    response = await fetch(target, {
      method, headers, signal, body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, 'NetworkError', 'The agent cannot be reached. Check that it is running.', null);
  }
  if (raw) return response;
  if (response.status === 401) {
    onUnauthorized();
    throw new ApiError(401, 'Unauthorized', 'Your sign-in is no longer valid.', null);
  }
  const text = await response.text();
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch { data = text; }
  }
  if (!response.ok) {
    const err = data && data.error ? data.error : {};
    const fallback = response.status === 403
      ? 'Your role may not do this.'
      : `The agent answered ${response.status}.`;
    throw new ApiError(response.status, err.code, err.message || fallback, err.target);
  }
  return data;
}

export const api = {
  get: (url, opts) => request('GET', url, opts),
  put: (url, body, opts) => request('PUT', url, { ...opts, body }),
  post: (url, body, opts) => request('POST', url, { ...opts, body }),
  del: (url, opts) => request('DELETE', url, opts),

  /** One page of a list: {value, nextLink}. */
  list: (url, query, opts) => request('GET', withQuery(url, query), opts),

  /** Every item of a list, following nextLink (for small lists such as names in a select). */
  async all(url, query = {}, opts = {}, limit = 5000) {
    const items = [];
    let next = withQuery(url, { $top: 1000, ...query });
    while (next && items.length < limit) {
      const page = await request('GET', next, opts);
      items.push(...(page.value || []));
      next = page.nextLink || null;
    }
    return items;
  },
};

export const API_BASE = BASE;
