// The staff session: log in, log out, who am I — and keeping the browser's
// tabs in step. All tabs share the session cookie, but each tab has its own
// sessionStorage, so a tab opened later asks the others for the CSRF token
// over a BroadcastChannel, and a login or logout in one tab reaches the rest.

import { api, csrf, ApiError } from './api.js';

const CHANNEL = 'centrala-session';
const ASK_TIMEOUT_MS = 300;

const channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel(CHANNEL) : null;
const listeners = { login: new Set(), logout: new Set() };

if (channel) {
  channel.addEventListener('message', (event) => {
    const msg = event.data || {};
    if (msg.type === 'csrf-request') {
      const token = csrf.get();
      if (token) channel.postMessage({ type: 'csrf', token });
    } else if (msg.type === 'login' && typeof msg.token === 'string') {
      csrf.set(msg.token);
      for (const fn of listeners.login) fn();
    } else if (msg.type === 'logout') {
      csrf.clear();
      for (const fn of listeners.logout) fn();
    }
  });
}

// fn() runs when another tab logs in (the cookie now belongs to that login).
export function onLoginElsewhere(fn) {
  listeners.login.add(fn);
}

// fn() runs when another tab logs out (the cookie's session has ended).
export function onLogoutElsewhere(fn) {
  listeners.logout.add(fn);
}

export function hasCsrfToken() {
  return Boolean(csrf.get());
}

// Asks the other open tabs for the CSRF token; resolves true when one answered.
export function borrowCsrfToken(timeoutMs = ASK_TIMEOUT_MS) {
  if (csrf.get()) return Promise.resolve(true);
  if (!channel) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onMessage = (event) => {
      const msg = event.data || {};
      if (msg.type === 'csrf' && typeof msg.token === 'string' && msg.token) {
        csrf.set(msg.token);
        done(true);
      }
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    function done(ok) {
      clearTimeout(timer);
      channel.removeEventListener('message', onMessage);
      resolve(ok);
    }
    channel.addEventListener('message', onMessage);
    channel.postMessage({ type: 'csrf-request' });
  });
}

// The logged-in user (GET /api/v1/me), or null when there is no session.
export async function currentUser() {
  try {
    return await api.get('/api/v1/me', { notifySessionLost: false });
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      csrf.clear();
      return null;
    }
    throw e;
  }
}

export async function login(username, password) {
  const res = await api.post('/api/v1/auth/login', { username, password }, { notifySessionLost: false });
  csrf.set(res.csrf_token);
  if (channel) channel.postMessage({ type: 'login', token: res.csrf_token });
  return res.user;
}

// Ends the session on the server. A session that had already ended counts as
// logged out; any other failure is thrown and the user stays logged in.
// A refused CSRF token (another tab logged in meanwhile) is replaced with one
// borrowed from the other tabs and the logout tried once more.
export async function logout() {
  const attempt = async () => {
    try {
      await api.post('/api/v1/auth/logout', undefined, { notifySessionLost: false });
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 401)) throw e;
    }
  };
  try {
    await attempt();
  } catch (e) {
    if (!(e instanceof ApiError && e.code === 'csrf_token_invalid')) throw e;
    csrf.clear();
    if (!(await borrowCsrfToken())) throw e;
    await attempt();
  }
  csrf.clear();
  if (channel) channel.postMessage({ type: 'logout' });
}
