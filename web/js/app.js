// Staff web app entry point (served at /).
//
// Views: "login" (the sign-in form) and "home" (who is logged in). The agent
// console (js/console.js) extends the home view: it mounts into #workspace
// once a user is known (see enterHome) and is torn down in leaveHome.

import { onSessionLost } from './api.js';
import { initI18n, setupLanguageSwitcher, onLanguageChange, translate, clearTranslated, t, has } from './i18n.js';
import { errorMessage } from './errors.js';
import { createConsole } from './console.js';
import { createTicketsPanel } from './tickets.js';
import { createLoginView } from './login.js';
import { buildStaffHeader } from './staff-header.js';
import * as session from './session.js';

const $ = (id) => document.getElementById(id);

const state = {
  view: null, // 'login' | 'home'
  user: null,
  loggingOut: false,
};

let loginView;
let agentConsole = null;
let ticketsPanel = null;

export function roleKey(role) {
  return has(`role.${role}`) ? `role.${role}` : null;
}

function setRole(el, role) {
  const key = roleKey(role);
  if (key) translate(el, key);
  else el.textContent = String(role ?? '');
}

function updateTitle() {
  document.title = t(state.view === 'home' ? 'session.pageTitle' : 'login.pageTitle');
}

function setView(name) {
  state.view = name;
  $('boot-status').hidden = true;
  $('home-view').hidden = name !== 'home';
  $('user-bar').hidden = name !== 'home';
  updateTitle();
}

function renderUser(user) {
  const name = user.display_name || user.username;
  $('user-bar-name').textContent = name;
  setRole($('user-bar-role'), user.role);
  translate($('home-title'), 'session.title', { name });
  $('user-display-name').textContent = user.display_name || '';
  $('user-username').textContent = user.username;
  setRole($('user-role'), user.role);
}

function mountConsole(user) {
  if (agentConsole && agentConsole.userId === String(user.id)) return;
  unmountConsole();
  // A case beside a chat opens in the cases panel below the console.
  agentConsole = createConsole({ root: $('workspace'), user, openCase: (id) => ticketsPanel?.open(id) });
  ticketsPanel = createTicketsPanel({ root: $('workspace'), user, selectedChat: () => agentConsole?.selectedChat() });
  $('home-view').classList.add('card--wide');
}

function unmountConsole() {
  ticketsPanel?.destroy();
  ticketsPanel = null;
  agentConsole?.destroy();
  agentConsole = null;
  $('home-view').classList.remove('card--wide');
  $('workspace').replaceChildren();
}

function enterHome(user, { focus = false } = {}) {
  state.user = user;
  loginView.hide();
  clearTranslated($('home-error'));
  renderUser(user);
  setView('home');
  mountConsole(user);
  if (focus) $('home-title').focus();
}

function leaveHome() {
  state.user = null;
  for (const id of ['user-bar-name', 'user-bar-role', 'home-title', 'user-display-name', 'user-username', 'user-role']) {
    clearTranslated($(id));
  }
  unmountConsole();
}

function toLogin(options = {}) {
  leaveHome();
  setView('login');
  loginView.show(options);
}

async function logout() {
  if (state.loggingOut) return;
  state.loggingOut = true;
  clearTranslated($('home-error'));
  try {
    if (agentConsole) {
      await Promise.race([agentConsole.goOffline(), new Promise((resolve) => setTimeout(resolve, 2000))]);
    }
    await session.logout();
    toLogin({ status: { key: 'login.loggedOut' }, focus: true });
  } catch (e) {
    if (e.code === 'csrf_token_invalid') {
      // This tab cannot prove it owns the session any more: the way back is a
      // fresh login, which replaces the cookie.
      toLogin({ error: errorMessage(e), focus: true });
    } else {
      translate($('home-error'), 'error.logoutFailed', { reason: errorMessage(e) });
    }
  } finally {
    state.loggingOut = false;
  }
}

// True when keyboard focus is inside one of the elements with these ids, so a
// view change made by another tab can carry focus over instead of losing it.
function focusWithin(...ids) {
  return ids.some((id) => $(id).contains(document.activeElement));
}

// Another tab logged in: the shared cookie now belongs to that login.
async function refreshFromServer() {
  try {
    const user = await session.currentUser();
    if (user) enterHome(user, { focus: focusWithin('login-view') });
    else if (state.view !== 'login') toLogin({ status: { key: 'login.sessionExpired' } });
  } catch {
    // keep what is shown; the next request will tell
  }
}

async function start() {
  buildStaffHeader();
  initI18n();
  setupLanguageSwitcher(document.querySelector('.lang-switcher'));
  onLanguageChange(updateTitle);

  loginView = createLoginView({ onLoggedIn: (user) => enterHome(user, { focus: true }) });
  $('logout-button').addEventListener('click', logout);

  onSessionLost(() => {
    if (state.view === 'home') toLogin({ status: { key: 'login.sessionExpired' }, focus: true });
  });
  session.onLogoutElsewhere(() => {
    if (state.view === 'home') {
      toLogin({ status: { key: 'login.loggedOutElsewhere' }, focus: focusWithin('home-view', 'user-bar') });
    }
  });
  session.onLoginElsewhere(refreshFromServer);

  let user;
  try {
    user = await session.currentUser();
  } catch (e) {
    toLogin({ error: errorMessage(e) });
    return;
  }
  if (!user) {
    toLogin();
    return;
  }
  // The cookie is shared by all tabs, the CSRF token is not: a new tab
  // borrows it from an open one, or asks for a fresh login.
  if (!session.hasCsrfToken() && !(await session.borrowCsrfToken())) {
    toLogin({ status: { key: 'login.reauth' }, username: user.username });
    return;
  }
  enterHome(user);
}

start();
