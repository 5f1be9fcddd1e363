// The staff login form: its markup (one copy for every staff page: the
// console at / and the wallboard build it into their empty
// <section id="login-view">), validation, submit, and the status and error
// live regions.

import { applyTranslations, translate, clearTranslated } from './i18n.js';
import { errorMessage } from './errors.js';
import * as session from './session.js';

function node(tag, attrs = {}, children = []) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === true) e.setAttribute(k, '');
    else e.setAttribute(k, v);
  }
  e.append(...children);
  return e;
}

// The login card's content, translated into the current language (texts
// follow later language switches through their data-i18n keys).
export function buildLoginMarkup(view) {
  const field = (children) => node('div', { class: 'field' }, children);
  view.replaceChildren(
    node('h1', { id: 'login-title', class: 'card__title', tabindex: '-1', 'data-i18n': 'login.title' }),
    node('p', { class: 'card__intro', 'data-i18n': 'login.intro' }),
    node('p', { id: 'login-status', class: 'message message--info', role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true' }),
    node('form', { id: 'login-form', class: 'form', method: 'post', novalidate: true }, [
      field([
        node('label', { class: 'field__label', for: 'username', 'data-i18n': 'login.username' }),
        node('input', {
          class: 'field__input', id: 'username', name: 'username', type: 'text', required: true, maxlength: '64',
          autocomplete: 'username', autocapitalize: 'none', autocorrect: 'off', spellcheck: 'false',
        }),
      ]),
      field([
        node('label', { class: 'field__label', for: 'password', 'data-i18n': 'login.password' }),
        node('input', {
          class: 'field__input', id: 'password', name: 'password', type: 'password', required: true, maxlength: '256',
          autocomplete: 'current-password',
        }),
        node('div', { class: 'field__extra' }, [
          node('input', { class: 'checkbox', id: 'show-password', type: 'checkbox', 'aria-controls': 'password' }),
          node('label', { for: 'show-password', 'data-i18n': 'login.showPassword' }),
        ]),
      ]),
      node('p', { id: 'login-error', class: 'message message--error', role: 'alert', 'aria-live': 'assertive', 'aria-atomic': 'true' }),
      node('button', { id: 'login-submit', class: 'button button--primary button--block', type: 'submit', 'data-i18n': 'login.submit' }),
    ]),
    node('p', { class: 'card__footnote', 'data-i18n': 'login.help' }),
  );
  applyTranslations(view);
}

export function createLoginView({ onLoggedIn }) {
  const view = document.getElementById('login-view');
  if (!view.querySelector('#login-form')) buildLoginMarkup(view);
  const form = document.getElementById('login-form');
  const username = document.getElementById('username');
  const password = document.getElementById('password');
  const showPassword = document.getElementById('show-password');
  const status = document.getElementById('login-status');
  const error = document.getElementById('login-error');
  let busy = false;
  let generation = 0; // bumped on every show() and submit

  function markInvalid(fields) {
    for (const input of [username, password]) {
      if (fields.includes(input)) {
        input.setAttribute('aria-invalid', 'true');
        input.setAttribute('aria-describedby', error.id);
      } else {
        input.removeAttribute('aria-invalid');
        input.removeAttribute('aria-describedby');
      }
    }
  }

  function showError(msg, fields = []) {
    translate(error, msg.key, msg.params);
    markInvalid(fields);
  }

  function clearMessages() {
    clearTranslated(error);
    clearTranslated(status);
    markInvalid([]);
  }

  function setPasswordVisible(visible) {
    showPassword.checked = visible;
    password.type = visible ? 'text' : 'password';
  }

  showPassword.addEventListener('change', () => setPasswordVisible(showPassword.checked));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (busy) return;
    generation += 1;
    clearMessages();

    const name = username.value.trim();
    const secret = password.value;
    const missing = [!name && username, !secret && password].filter(Boolean);
    if (missing.length) {
      const key = missing.length === 2 ? 'error.missingBoth' : name ? 'error.missingPassword' : 'error.missingUsername';
      showError({ key }, missing);
      missing[0].focus();
      return;
    }

    busy = true;
    form.setAttribute('aria-busy', 'true');
    translate(status, 'login.signingIn');
    try {
      const user = await session.login(name, secret);
      reset();
      onLoggedIn(user);
    } catch (e) {
      clearTranslated(status);
      const msg = errorMessage(e);
      if (e.code === 'invalid_credentials') {
        showError(msg, [username, password]);
        password.value = '';
        password.focus();
      } else {
        showError(msg);
      }
    } finally {
      busy = false;
      form.removeAttribute('aria-busy');
    }
  });

  function reset() {
    form.reset();
    setPasswordVisible(false);
    clearMessages();
  }

  return {
    // Shows the form. `status` / `error` are {key, params} messages;
    // `username` pre-fills the field; `focus` moves focus to the first empty field.
    show({ status: statusMsg, error: errorMsg, username: prefill, focus = false } = {}) {
      reset();
      if (prefill) username.value = prefill;
      view.hidden = false;
      if (focus) (username.value ? password : username).focus();
      // Fill the live regions a moment after they appear, so screen readers
      // announce the text rather than skip a region that was just hidden.
      const shown = ++generation;
      setTimeout(() => {
        if (shown !== generation || view.hidden) return;
        if (statusMsg) translate(status, statusMsg.key, statusMsg.params);
        if (errorMsg) showError(errorMsg);
      }, 100);
    },
    hide() {
      view.hidden = true;
      reset();
    },
  };
}
