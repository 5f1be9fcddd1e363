// The supervisor's editor of canned responses on /wallboard (not in TV
// mode): list and search them per queue and language, create, edit and
// delete. The server audits every change (canned_response_created /
// _updated / _deleted). Texts come from users: always textContent.

import { api, ApiError } from '../js/api.js';
import { errorMessage } from '../js/errors.js';
import { clearTranslated, language, t, translate } from '../js/i18n.js';

const $ = (id) => document.getElementById(id);
const SEARCH_DELAY_MS = 200;
const SHORTCUT = /^[a-z0-9_-]{1,32}$/;
const LANGS = ['pl', 'en', 'uk'];

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

// Characters as the server counts them (code points, not UTF-16 units).
function chars(s) {
  return [...s].length;
}

export function createCannedEditor() {
  const state = {
    queues: [],
    items: [],
    editing: null, // the item being edited, or {} for a new one, or null
    returnFocus: null,
    timer: null,
    loaded: false,
    seq: 0,
  };

  const fields = {
    title: $('cn-title'),
    body: $('cn-body'),
    queue: $('cn-queue'),
    lang: $('cn-lang'),
    shortcut: $('cn-shortcut'),
  };

  function queueName(id) {
    if (!id) return t('wb.canned.allQueues');
    return state.queues.find((q) => q.id === id)?.name ?? id;
  }

  function fillQueueSelects() {
    for (const [select, anyKey] of [[$('cf-queue'), 'wb.canned.filterAnyQueue'], [fields.queue, 'wb.canned.allQueues']]) {
      const chosen = select.value;
      const first = el('option', null, t(anyKey));
      first.value = '';
      select.replaceChildren(first);
      for (const q of state.queues) {
        const o = el('option', null, q.name);
        o.value = q.id;
        select.append(o);
      }
      select.value = chosen;
      if (select.selectedIndex < 0) select.value = '';
    }
  }

  function setFieldError(name, key, params) {
    const input = fields[name];
    const msg = $(`cn-${name}-error`);
    if (key) {
      input.setAttribute('aria-invalid', 'true');
      translate(msg, key, params);
    } else {
      input.removeAttribute('aria-invalid');
      clearTranslated(msg);
    }
  }

  function clearErrors() {
    for (const name of Object.keys(fields)) setFieldError(name, null);
    clearTranslated($('canned-error'));
  }

  // Client-side checks, the same limits as the server's; returns the first
  // invalid field or null.
  function validate() {
    clearErrors();
    let first = null;
    const fail = (name, key, params) => {
      setFieldError(name, key, params);
      first = first || fields[name];
    };
    const title = fields.title.value.trim();
    if (!title) fail('title', 'wb.canned.err.titleRequired');
    else if (chars(title) > 200) fail('title', 'wb.canned.err.titleLong', { max: 200 });
    if (!fields.body.value.trim()) fail('body', 'wb.canned.err.bodyRequired');
    const shortcut = fields.shortcut.value.trim();
    if (shortcut && !SHORTCUT.test(shortcut)) fail('shortcut', 'wb.canned.err.shortcut');
    return first;
  }

  function renderList() {
    const body = $('canned-body');
    body.replaceChildren();
    for (const item of state.items) {
      const tr = el('tr');
      tr.dataset.cannedId = item.id;
      const th = el('th', null, item.title);
      th.scope = 'row';
      const preview = el('td', 'canned-admin__preview', item.body);
      const actions = el('td', 'canned-admin__actions');
      const edit = el('button', 'button button--small', t('wb.canned.edit'));
      edit.type = 'button';
      edit.setAttribute('aria-label', t('wb.canned.editNamed', { title: item.title }));
      edit.addEventListener('click', () => openForm(item, edit));
      const del = el('button', 'button button--small', t('wb.canned.delete'));
      del.type = 'button';
      del.setAttribute('aria-label', t('wb.canned.deleteNamed', { title: item.title }));
      del.addEventListener('click', () => remove(item));
      actions.append(edit, del);
      tr.append(
        th,
        preview,
        el('td', null, queueName(item.queue)),
        el('td', null, t(`wb.canned.lang.${item.lang}`)),
        el('td', null, item.shortcut || '—'),
        actions,
      );
      body.append(tr);
    }
    $('canned-empty').hidden = state.items.length > 0;
    translate($('canned-count'), 'wb.canned.count', { n: state.items.length });
  }

  async function load() {
    const params = new URLSearchParams({ limit: '500' });
    const q = $('cf-q').value.trim();
    if (q) params.set('q', q);
    if ($('cf-queue').value) params.set('queue', $('cf-queue').value);
    if ($('cf-lang').value) params.set('lang', $('cf-lang').value);
    const seq = ++state.seq;
    try {
      const res = await api.get(`/api/v1/canned-responses?${params}`);
      if (seq !== state.seq) return; // a newer search answered first
      state.items = res.items;
      state.loaded = true;
      renderList();
    } catch (e) {
      const m = errorMessage(e);
      translate($('canned-error'), m.key, m.params);
    }
  }

  function scheduleLoad() {
    clearTimeout(state.timer);
    state.timer = setTimeout(load, SEARCH_DELAY_MS);
  }

  function openForm(item, opener) {
    state.editing = item || {};
    state.returnFocus = opener;
    clearErrors();
    clearTranslated($('canned-status'));
    const form = $('canned-form');
    form.hidden = false;
    if (item) {
      translate($('canned-form-title'), 'wb.canned.editTitle', { title: item.title });
      fields.title.value = item.title;
      fields.body.value = item.body;
      fields.queue.value = item.queue || '';
      fields.lang.value = item.lang;
      fields.shortcut.value = item.shortcut || '';
    } else {
      translate($('canned-form-title'), 'wb.canned.newTitle');
      form.reset();
      // A new response starts in the filter's queue and language, or Polish.
      fields.queue.value = $('cf-queue').value;
      fields.lang.value = $('cf-lang').value || (LANGS.includes(language()) ? language() : 'pl');
    }
    fields.title.focus();
  }

  function closeForm() {
    $('canned-form').hidden = true;
    state.editing = null;
    const back = state.returnFocus && state.returnFocus.isConnected ? state.returnFocus : $('canned-new');
    state.returnFocus = null;
    back.focus();
  }

  // The server's answer to a bad field, shown at that field in the page's language.
  function showServerError(e) {
    if (e instanceof ApiError && e.code === 'unknown_queue') {
      setFieldError('queue', 'wb.canned.err.queue');
      fields.queue.focus();
      return;
    }
    if (e instanceof ApiError && e.code === 'invalid_field') {
      const field = ['title', 'body', 'shortcut', 'lang'].find((f) => (e.message || '').startsWith(f));
      const keys = { title: 'wb.canned.err.titleLong', body: 'wb.canned.err.bodyLong', shortcut: 'wb.canned.err.shortcut', lang: 'wb.canned.err.lang' };
      if (field) {
        setFieldError(field, keys[field], { max: 200 });
        fields[field].focus();
        return;
      }
    }
    const m = errorMessage(e);
    translate($('canned-error'), m.key, m.params);
    $('canned-error').focus();
  }

  async function save(event) {
    event.preventDefault();
    const invalid = validate();
    if (invalid) {
      translate($('canned-error'), 'wb.canned.err.fix');
      invalid.focus();
      return;
    }
    const body = {
      title: fields.title.value.trim(),
      body: fields.body.value,
      queue: fields.queue.value || null,
      lang: fields.lang.value,
      shortcut: fields.shortcut.value.trim() || null,
    };
    const editing = state.editing;
    try {
      const saved = editing && editing.id
        ? await api.patch(`/api/v1/canned-responses/${encodeURIComponent(editing.id)}`, body)
        : await api.post('/api/v1/canned-responses', body);
      closeForm();
      translate($('canned-status'), editing && editing.id ? 'wb.canned.updated' : 'wb.canned.created', { title: saved.title });
      await load();
    } catch (e) {
      showServerError(e);
    }
  }

  async function remove(item) {
    // The browser's own dialog: keyboard and screen-reader friendly.
    if (!window.confirm(t('wb.canned.confirmDelete', { title: item.title }))) return;
    try {
      await api.delete(`/api/v1/canned-responses/${encodeURIComponent(item.id)}`);
      if (state.editing && state.editing.id === item.id) closeForm();
      translate($('canned-status'), 'wb.canned.deleted', { title: item.title });
      await load();
      $('canned-new').focus();
    } catch (e) {
      const m = errorMessage(e);
      translate($('canned-error'), m.key, m.params);
    }
  }

  $('cf-q').addEventListener('input', scheduleLoad);
  $('cf-queue').addEventListener('change', load);
  $('cf-lang').addEventListener('change', load);
  $('canned-filter').addEventListener('submit', (event) => {
    event.preventDefault();
    load();
  });
  $('canned-new').addEventListener('click', () => openForm(null, $('canned-new')));
  $('canned-form').addEventListener('submit', save);
  $('canned-cancel').addEventListener('click', closeForm);
  $('canned-form').addEventListener('keydown', (event) => {
    if (event.key === 'Escape') closeForm();
  });

  return {
    setQueues(queues) {
      state.queues = queues || [];
      fillQueueSelects();
      if (state.loaded) renderList();
      else load();
    },
    refresh: load,
    // After a language switch: names of queues and languages, labels.
    relabel() {
      fillQueueSelects();
      renderList();
      if (state.editing) {
        if (state.editing.id) translate($('canned-form-title'), 'wb.canned.editTitle', { title: state.editing.title });
        else translate($('canned-form-title'), 'wb.canned.newTitle');
      }
    },
  };
}
