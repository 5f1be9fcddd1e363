// The staff login form: validation, submit, and the status and error
// live regions.

import { translate, clearTranslated } from './i18n.js';
import { errorMessage } from './errors.js';
import * as session from './session.js';

export function createLoginView({ onLoggedIn }) {
  const view = document.getElementById('login-view');
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
