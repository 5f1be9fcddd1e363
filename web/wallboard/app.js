// The supervisor's wallboard (served at /wallboard): per-queue tiles, the
// agents' table, charts, and the supervisor's actions. Live through the
// `stats` and `stats_sample` frames of /ws/agent (resynchronised after every
// reconnect: the server sends `stats` right after `hello`). `?tv=1` is the
// TV mode: large type, no controls.
//
// The login form and session code are the staff app's (web/js/). Everything
// that comes from users or the server is written with textContent.

import { api, onSessionLost } from '../js/api.js';
import { createAgentSocket } from '../js/agent-socket.js';
import { errorMessage } from '../js/errors.js';
import { createLoginView } from '../js/login.js';
import { buildStaffHeader } from '../js/staff-header.js';
import * as session from '../js/session.js';
import {
  addStrings,
  clearTranslated,
  initI18n,
  language,
  onLanguageChange,
  setupLanguageSwitcher,
  t,
  translate,
} from '../js/i18n.js';
import { STRINGS } from './strings.js';
import { barChart, lineChart } from './charts.js';
import { createCannedEditor } from './canned-editor.js';

addStrings(STRINGS);

const $ = (id) => document.getElementById(id);
const TV = new URLSearchParams(window.location.search).get('tv') === '1';
const HISTORY_MS = 8 * 60 * 60 * 1000;

const state = {
  user: null,
  socket: null,
  stats: null,
  statsAt: 0, // Date.now() when the last stats arrived, for the ticking waits
  samples: [], // [{at, queues:[{id, waiting, service_level_pct}]}]
  reports: { today: [], lastWeek: [], topics: [] },
  contacts: [],
  watching: null, // contact id
  timers: [],
  contactsRefresh: null,
};

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function fmtSeconds(s) {
  const v = Math.max(0, Math.round(Number(s) || 0));
  const m = Math.floor(v / 60);
  return `${m}:${String(v % 60).padStart(2, '0')}`;
}

function fmtNumber(v, digits = 0) {
  if (v === null || v === undefined) return '—';
  return new Intl.NumberFormat(language(), { maximumFractionDigits: digits, minimumFractionDigits: digits }).format(v);
}

function fmtTime(ms) {
  return new Intl.DateTimeFormat(language(), { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Warsaw' }).format(ms);
}

// Today's date in Warsaw as YYYY-MM-DD, and `days` before it.
function warsawDate(offsetDays = 0) {
  const d = new Date(Date.now() - offsetDays * 86400000);
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Warsaw' }).format(d);
}

function stateKey(s) {
  return `wb.state.${s}`;
}

function showError(e) {
  translate($('board-error'), errorMessage(e).key, errorMessage(e).params);
}

// ------------------------------------------------------------------ tiles

function metric(dl, labelKey, value, extraClass) {
  const row = el('div', `metric ${extraClass || ''}`);
  const dt = el('dt', 'metric__label');
  translate(dt, labelKey);
  const dd = el('dd', 'metric__value', value);
  row.append(dt, dd);
  dl.append(row);
  return dd;
}

function renderTiles() {
  const box = $('queue-tiles');
  const stats = state.stats;
  if (!stats) return;
  // All of today, also cases of chats that never reached a queue.
  if (stats.today) {
    translate($('board-today'), 'wb.todayCases', {
      cases: fmtNumber(stats.today.cases_opened),
      pct: fmtNumber(stats.today.fcr_pct, 1),
      closed: fmtNumber(stats.today.closed),
    });
  }
  box.replaceChildren();
  for (const q of stats.queues) {
    const tile = el('article', 'tile');
    tile.dataset.level = q.level || 'ok';
    tile.dataset.queue = q.id;
    const head = el('div', 'tile__head');
    const title = el('h3', 'tile__title', q.name);
    const badge = el('p', 'tile__level');
    // The level in words too, not colour alone.
    translate(badge, `wb.level.${q.level || 'ok'}`);
    head.append(title, badge);
    tile.append(head);
    if (q.alerts?.length) {
      const why = el('p', 'tile__alerts');
      why.textContent = q.alerts.map((a) => t(`wb.alert.${a.metric}`)).join(', ');
      tile.append(why);
    }
    const dl = el('dl', 'tile__metrics');
    metric(dl, 'wb.q.waiting', fmtNumber(q.waiting), 'metric--big').dataset.field = 'waiting';
    const longest = metric(dl, 'wb.q.longest', fmtSeconds(q.longest_wait_seconds), 'metric--big');
    longest.dataset.field = 'longest';
    longest.dataset.base = String(q.longest_wait_seconds);
    longest.dataset.ticking = q.waiting > 0 ? '1' : '0';
    metric(dl, 'wb.q.agents', t('wb.q.agentsValue', {
      available: q.agents_available,
      busy: q.agents_busy,
      wrap: q.agents_wrap_up,
      pause: q.agents_break,
    }));
    metric(dl, 'wb.q.today', t('wb.q.todayValue', {
      offered: q.offered_today,
      answered: q.answered_today,
      abandoned: q.abandoned_today,
    }));
    metric(dl, 'wb.q.sl', t('wb.q.slValue', { pct: fmtNumber(q.service_level_pct, 1), sla: q.sla_seconds }));
    metric(dl, 'wb.q.asa', fmtSeconds(q.asa_seconds));
    metric(dl, 'wb.q.aht', fmtSeconds(q.aht_seconds));
    metric(dl, 'wb.q.csat', q.csat_avg === null || q.csat_avg === undefined
      ? '—'
      : t('wb.q.csatValue', { avg: fmtNumber(q.csat_avg, 1), count: q.csat_count }));
    metric(dl, 'wb.q.fcr', q.closed_today
      ? t('wb.q.fcrValue', { pct: fmtNumber(q.fcr_pct, 1), closed: fmtNumber(q.closed_today) })
      : '—').dataset.field = 'fcr';
    metric(dl, 'wb.q.cases', fmtNumber(q.cases_opened_today ?? 0)).dataset.field = 'cases';
    tile.append(dl);
    box.append(tile);
  }
}

// The longest wait ticks between frames.
function tick() {
  const passed = (Date.now() - state.statsAt) / 1000;
  for (const dd of document.querySelectorAll('[data-field="longest"]')) {
    const base = Number(dd.dataset.base) || 0;
    dd.textContent = fmtSeconds(dd.dataset.ticking === '1' ? base + passed : base);
  }
  $('board-clock').textContent = new Intl.DateTimeFormat(language(), {
    hour: '2-digit', minute: '2-digit', second: '2-digit', timeZone: 'Europe/Warsaw',
  }).format(Date.now());
}

// ----------------------------------------------------------------- agents

function renderAgents() {
  const body = $('agents-body');
  const stats = state.stats;
  if (!stats) return;
  body.replaceChildren();
  for (const a of stats.agents) {
    if (a.state === 'offline' && !a.handled_today && !a.active_contacts) continue;
    const tr = el('tr');
    tr.dataset.agent = a.id;
    tr.append(el('th', null, a.display_name));
    tr.lastChild.scope = 'row';
    const st = el('td');
    const badge = el('span', 'state-badge');
    badge.dataset.state = a.state;
    translate(badge, stateKey(a.state));
    st.append(badge);
    if (a.reason) st.append(el('span', 'muted', ` (${a.reason})`));
    tr.append(st);
    tr.append(el('td', null, a.since ? fmtTime(Date.parse(a.since)) : '—'));
    const byChannel = Object.entries(a.active_by_channel || {})
      .map(([ch, n]) => `${t(`wb.channel.${ch}`)}: ${n}`)
      .join(', ');
    tr.append(el('td', null, byChannel || '0'));
    tr.append(el('td', null, fmtNumber(a.handled_today)));
    tr.append(el('td', null, a.handled_today ? fmtSeconds(a.aht_seconds) : '—'));
    tr.append(el('td', null, fmtNumber(a.missed_today)));
    tr.append(el('td', null, a.csat_avg === null || a.csat_avg === undefined
      ? '—'
      : t('wb.q.csatValue', { avg: fmtNumber(a.csat_avg, 1), count: a.csat_count })));
    const actions = el('td', 'controls');
    if (a.state !== 'offline') {
      const off = el('button', 'button button--small');
      translate(off, 'wb.action.offline');
      off.setAttribute('aria-label', t('wb.action.offlineFor', { name: a.display_name }));
      off.addEventListener('click', () => forceState(a, 'offline'));
      actions.append(off);
    }
    tr.append(actions);
    body.append(tr);
  }
}

async function forceState(agent, to) {
  try {
    await api.put(`/api/v1/agents/${encodeURIComponent(agent.id)}/state`, { state: to });
    clearTranslated($('board-error'));
  } catch (e) {
    showError(e);
  }
}

// --------------------------------------------------------------- contacts

async function refreshContacts() {
  if (TV) return;
  try {
    const [waiting, active] = await Promise.all([
      api.get('/api/v1/contacts?state=waiting&limit=100'),
      api.get('/api/v1/contacts?state=active&limit=100'),
    ]);
    state.contacts = [...waiting.items, ...active.items];
    renderContacts();
  } catch (e) {
    showError(e);
  }
}

function scheduleContacts() {
  if (TV || state.contactsRefresh) return;
  state.contactsRefresh = setTimeout(() => {
    state.contactsRefresh = null;
    refreshContacts();
  }, 1500);
}

function renderContacts() {
  const body = $('contacts-body');
  body.replaceChildren();
  $('contacts-empty').hidden = state.contacts.length > 0;
  const queues = state.stats?.queues || [];
  for (const c of state.contacts) {
    const tr = el('tr');
    tr.dataset.contact = c.id;
    const th = el('th', null, c.resident?.name || t('wb.contact.anonymous'));
    th.scope = 'row';
    tr.append(th);
    const st = el('td');
    translate(st, `wb.contact.${c.state}`);
    tr.append(st);
    tr.append(el('td', null, c.queue || '—'));
    tr.append(el('td', null, String(c.priority ?? 0)));
    const actions = el('td', 'contact-actions');
    if (c.state === 'waiting') {
      const sel = el('select', 'field__input field__input--small');
      sel.setAttribute('aria-label', t('wb.action.moveTo', { name: c.resident?.name || c.id }));
      for (const q of queues) {
        if (q.id === c.queue) continue;
        const o = el('option', null, q.name);
        o.value = q.id;
        sel.append(o);
      }
      const move = el('button', 'button button--small');
      translate(move, 'wb.action.move');
      move.addEventListener('click', () => act(`/api/v1/contacts/${c.id}/move`, { queue: sel.value }));
      const up = el('button', 'button button--small');
      translate(up, 'wb.action.priority');
      up.addEventListener('click', () => act(`/api/v1/contacts/${c.id}/priority`, { priority: (c.priority || 0) + 1 }));
      actions.append(sel, move, up);
    }
    const watch = el('button', 'button button--small');
    translate(watch, 'wb.action.watch');
    watch.setAttribute('aria-label', t('wb.action.watchFor', { name: c.resident?.name || c.id }));
    watch.addEventListener('click', () => startWatching(c));
    actions.append(watch);
    tr.append(actions);
    body.append(tr);
  }
}

async function act(path, body) {
  try {
    await api.post(path, body);
    clearTranslated($('board-error'));
    refreshContacts();
  } catch (e) {
    showError(e);
  }
}

// ------------------------------------------------------- watch and whisper

function appendWatched(m) {
  const li = el('li', `watch-log__item${m.internal ? ' watch-log__item--internal' : ''}`);
  li.dataset.messageId = m.id;
  const who = el('span', 'watch-log__who', m.author?.name || t(`wb.author.${m.author?.kind || 'system'}`));
  li.append(who);
  if (m.internal) {
    const badge = el('span', 'watch-log__badge');
    translate(badge, 'wb.watch.internal');
    li.append(badge);
  }
  li.append(el('span', 'watch-log__text', m.text));
  $('watch-log').append(li);
}

async function startWatching(contact) {
  if (state.watching) await stopWatching();
  try {
    await api.post(`/api/v1/contacts/${contact.id}/watch`);
    state.watching = contact.id;
    $('watch-log').replaceChildren();
    translate($('watch-title'), 'wb.watch.title', { name: contact.resident?.name || contact.id });
    $('watch-panel').hidden = false;
    const history = await api.get(`/api/v1/contacts/${contact.id}/messages`);
    for (const m of history.items) {
      if (!$('watch-log').querySelector(`[data-message-id="${CSS.escape(m.id)}"]`)) appendWatched(m);
    }
    $('watch-title').focus?.();
  } catch (e) {
    showError(e);
  }
}

async function stopWatching() {
  const id = state.watching;
  state.watching = null;
  $('watch-panel').hidden = true;
  if (id) {
    try {
      await api.delete(`/api/v1/contacts/${id}/watch`);
    } catch {
      // the chat may have ended meanwhile
    }
  }
}

// ----------------------------------------------------------------- charts

function waitingOf(sample) {
  return sample.queues.reduce((n, q) => n + q.waiting, 0);
}

// Offered-weighted service level over all queues, from a live stats body.
function overallSl(stats) {
  let offered = 0;
  let inSla = 0;
  for (const q of stats.queues) {
    offered += q.offered_today;
    inSla += q.answered_in_sla_today ?? 0;
  }
  return offered ? (100 * inSla) / offered : 100;
}

function renderTrendCharts() {
  const now = Date.now();
  const pointsWaiting = state.samples.map((s) => ({ t: Date.parse(s.at), v: waitingOf(s) }));
  const pointsSl = state.samples.map((s) => ({ t: Date.parse(s.at), v: s.service_level_pct ?? slOfSample(s) }));
  if (state.stats) {
    // The live point: the chart moves with every frame, not only each minute.
    pointsWaiting.push({ t: now, v: state.stats.queues.reduce((n, q) => n + q.waiting, 0) });
    pointsSl.push({ t: now, v: overallSl(state.stats) });
  }
  const lastWaiting = pointsWaiting.at(-1)?.v ?? 0;
  lineChart($('chart-waiting'), {
    series: [{ name: t('wb.q.waiting'), cls: 'chart--a', points: pointsWaiting }],
    spanMs: HISTORY_MS,
    now,
    formatTime: fmtTime,
    description: t('wb.chart.waitingDesc', { now: lastWaiting }),
  });
  const lastSl = pointsSl.at(-1)?.v ?? 100;
  lineChart($('chart-sl'), {
    series: [{ name: t('wb.q.sl'), cls: 'chart--b', points: pointsSl }],
    spanMs: HISTORY_MS,
    now,
    max: 100,
    formatTime: fmtTime,
    description: t('wb.chart.slDesc', { pct: fmtNumber(lastSl, 1) }),
  });
}

function slOfSample(s) {
  const vals = s.queues.map((q) => q.service_level_pct);
  return vals.length ? vals.reduce((a, b) => a + b, 0) / vals.length : 100;
}

function renderReportCharts() {
  const byHour = (rows) => {
    const out = new Array(24).fill(0);
    for (const r of rows) out[r.hour] += r.offered;
    return out;
  };
  const today = byHour(state.reports.today);
  const week = byHour(state.reports.lastWeek);
  const groups = [];
  for (let h = 6; h < 22; h += 1) groups.push({ label: String(h), values: [today[h], week[h]] });
  barChart($('chart-hours'), {
    groups,
    series: [
      { name: t('wb.chart.today'), cls: 'chart--a' },
      { name: t('wb.chart.lastWeek'), cls: 'chart--c' },
    ],
    description: t('wb.chart.hoursDesc', {
      today: today.reduce((a, b) => a + b, 0),
      week: week.reduce((a, b) => a + b, 0),
    }),
  });
  const topics = [...state.reports.topics].sort((a, b) => b.offered - a.offered);
  barChart($('chart-topics'), {
    groups: topics.map((r) => ({ label: t(`wb.topic.${r.topic}`), values: [r.offered] })),
    series: [{ name: t('wb.q.offered'), cls: 'chart--b' }],
    legend: false,
    description: topics.length
      ? topics.map((r) => `${t(`wb.topic.${r.topic}`)}: ${r.offered}`).join(', ')
      : t('wb.chart.noData'),
  });
}

async function loadReports() {
  try {
    const [today, lastWeek, topics] = await Promise.all([
      api.get(`/api/v1/reports/summary?from=${warsawDate()}&to=${warsawDate()}&group_by=hour`),
      api.get(`/api/v1/reports/summary?from=${warsawDate(7)}&to=${warsawDate(7)}&group_by=hour`),
      api.get(`/api/v1/reports/summary?from=${warsawDate()}&to=${warsawDate()}&group_by=topic`),
    ]);
    state.reports = { today: today.items, lastWeek: lastWeek.items, topics: topics.items };
    renderReportCharts();
  } catch (e) {
    showError(e);
  }
}

// ---------------------------------------------------------------- reports

const REPORT_COLUMNS = [
  ['offered', 0], ['answered', 0], ['abandoned', 0], ['abandoned_short', 0], ['service_level_pct', 1],
  ['asa_seconds', -1], ['aht_seconds', -1], ['transfers', 0], ['fcr_pct', 1], ['cases_opened', 0], ['csat_avg', 1],
];

function reportQuery(format) {
  const q = new URLSearchParams({ from: $('rp-from').value, to: $('rp-to').value, group_by: $('rp-group').value });
  if (format) q.set('format', format);
  return `/api/v1/reports/summary?${q}`;
}

function reportKey(row, group) {
  switch (group) {
    case 'day': return row.day;
    case 'hour': return `${row.day} ${String(row.hour).padStart(2, '0')}:00`;
    case 'queue': return state.stats?.queues.find((q) => q.id === row.queue)?.name || row.queue;
    case 'agent': return row.display_name || row.agent_id;
    case 'topic': return t(`wb.topic.${row.topic}`);
    case 'channel': return t(`wb.channel.${row.channel}`);
    default: return '';
  }
}

function renderReport() {
  const rep = state.report;
  if (!rep) return;
  const head = $('report-head');
  head.replaceChildren();
  const first = el('th');
  first.scope = 'col';
  translate(first, `wb.reports.by.${rep.group_by}`);
  head.append(first);
  for (const [col] of REPORT_COLUMNS) {
    const th = el('th');
    th.scope = 'col';
    translate(th, `wb.col.${col}`);
    head.append(th);
  }
  const body = $('report-body');
  body.replaceChildren();
  for (const row of rep.items) {
    const tr = el('tr');
    const th = el('th', null, reportKey(row, rep.group_by));
    th.scope = 'row';
    tr.append(th);
    for (const [col, digits] of REPORT_COLUMNS) {
      let text;
      if (digits < 0) text = fmtSeconds(row[col]);
      else if (col === 'csat_avg' && row.csat_avg !== null) text = `${fmtNumber(row.csat_avg, 1)} (${row.csat_count})`;
      else text = fmtNumber(row[col], digits);
      tr.append(el('td', null, text));
    }
    body.append(tr);
  }
  barChart($('chart-report'), {
    groups: rep.items.map((r) => ({ label: reportKey(r, rep.group_by), values: [r.offered ?? 0, r.answered, r.abandoned ?? 0] })),
    series: [
      { name: t('wb.col.offered'), cls: 'chart--c' },
      { name: t('wb.col.answered'), cls: 'chart--b' },
      { name: t('wb.col.abandoned'), cls: 'chart--a' },
    ],
    description: rep.items.length
      ? rep.items.map((r) => `${reportKey(r, rep.group_by)}: ${t('wb.col.answered')} ${r.answered}`).join(', ')
      : t('wb.chart.noData'),
  });
}

async function showReport(event) {
  event?.preventDefault();
  $('rp-csv').href = reportQuery('csv');
  try {
    state.report = await api.get(reportQuery());
    clearTranslated($('board-error'));
    renderReport();
  } catch (e) {
    showError(e);
  }
}

// --------------------------------------------------------- queue settings

function fillQueueForm() {
  const sel = $('qs-queue');
  const over = $('qs-overflow-queue');
  const chosen = sel.value;
  sel.replaceChildren();
  over.replaceChildren(el('option', null, '—'));
  over.firstChild.value = '';
  for (const q of state.queueSettings || []) {
    const o = el('option', null, q.name);
    o.value = q.id;
    sel.append(o);
    const o2 = el('option', null, q.name);
    o2.value = q.id;
    over.append(o2);
  }
  if (chosen) sel.value = chosen;
  showQueue();
}

function showQueue() {
  const q = (state.queueSettings || []).find((x) => x.id === $('qs-queue').value);
  if (!q) return;
  $('qs-sla').value = q.sla_seconds;
  $('qs-offer').value = q.offer_timeout_seconds;
  $('qs-overflow-after').value = q.overflow ? q.overflow.after_seconds : '';
  $('qs-overflow-queue').value = q.overflow ? q.overflow.queue : '';
  $('qs-hours').value = q.hours;
}

async function loadQueues() {
  if (TV) return;
  try {
    const res = await api.get('/api/v1/queues');
    state.queueSettings = res.items;
    fillQueueForm();
    cannedEditor?.setQueues(res.items);
  } catch (e) {
    showError(e);
  }
}

async function saveQueue(event) {
  event.preventDefault();
  const id = $('qs-queue').value;
  const after = $('qs-overflow-after').value.trim();
  const target = $('qs-overflow-queue').value;
  const body = {
    sla_seconds: Number($('qs-sla').value),
    offer_timeout_seconds: Number($('qs-offer').value),
    overflow: after && target ? { after_seconds: Number(after), queue: target } : null,
    hours: $('qs-hours').value.trim(),
  };
  try {
    await api.patch(`/api/v1/queues/${encodeURIComponent(id)}`, body);
    translate($('queue-form-status'), 'wb.settings.saved');
    clearTranslated($('board-error'));
    loadQueues();
  } catch (e) {
    clearTranslated($('queue-form-status'));
    showError(e);
  }
}

// ----------------------------------------------------------------- socket

function onFrame(frame) {
  if (frame.type === 'stats') {
    state.stats = frame.stats;
    state.statsAt = Date.now();
    renderTiles();
    renderAgents();
    renderTrendCharts();
    scheduleContacts();
  } else if (frame.type === 'stats_sample') {
    state.samples.push(frame.sample);
    while (state.samples.length > 480) state.samples.shift();
    renderTrendCharts();
  } else if (frame.type === 'hello') {
    // After a reconnect: what happened meanwhile.
    loadHistory();
    loadReports();
    refreshContacts();
  } else if (frame.type === 'message' && frame.watching && frame.contact_id === state.watching) {
    if (!$('watch-log').querySelector(`[data-message-id="${CSS.escape(frame.message.id)}"]`)) appendWatched(frame.message);
  } else if (frame.type === 'watch_ended' && frame.contact_id === state.watching) {
    translate($('watch-status'), 'wb.watch.ended');
    state.watching = null;
  }
}

function onStatus(status) {
  const box = $('board-connection');
  box.dataset.state = status;
  translate(box, `wb.connection.${status}`);
}

async function loadHistory() {
  try {
    const res = await api.get('/api/v1/stats/history');
    state.samples = res.items;
    renderTrendCharts();
  } catch (e) {
    showError(e);
  }
}

// ------------------------------------------------------------------ views

function showBoard(user) {
  state.user = user;
  $('boot-status').hidden = true;
  $('user-bar').hidden = false;
  $('user-bar-name').textContent = user.display_name || user.username;
  translate($('user-bar-role'), `role.${user.role}`);
  if (user.role !== 'supervisor' && user.role !== 'admin') {
    $('board-denied').hidden = false;
    return;
  }
  $('board').hidden = false;
  document.title = t('wb.pageTitle');
  state.socket = createAgentSocket({
    onFrame,
    onStatus,
    onAuthFailure: async () => {
      if (!(await session.currentUser())) toLogin({ status: { key: 'login.sessionExpired' } });
    },
  });
  state.timers.push(setInterval(tick, 1000));
  state.timers.push(setInterval(loadReports, 60000));
  loadQueues();
  tick();
}

function hideBoard() {
  state.socket?.stop?.();
  state.socket = null;
  for (const id of state.timers) clearInterval(id);
  state.timers = [];
  $('board').hidden = true;
  $('board-denied').hidden = true;
  $('user-bar').hidden = true;
}

let loginView;
let cannedEditor = null;

function toLogin(options = {}) {
  hideBoard();
  $('boot-status').hidden = true;
  loginView.show(options);
}

async function start() {
  if (TV) document.body.classList.add('tv');
  buildStaffHeader();
  initI18n();
  setupLanguageSwitcher(document.querySelector('.lang-switcher'));
  onLanguageChange(() => {
    document.title = t($('board').hidden ? 'login.pageTitle' : 'wb.pageTitle');
    renderTiles();
    renderAgents();
    renderContacts();
    renderTrendCharts();
    renderReportCharts();
    renderReport();
    cannedEditor?.relabel();
  });
  loginView = createLoginView({
    onLoggedIn: (user) => {
      loginView.hide();
      showBoard(user);
    },
  });
  $('logout-button').addEventListener('click', async () => {
    try {
      await session.logout();
    } catch {
      // the session may have ended already
    }
    toLogin({ status: { key: 'login.loggedOut' } });
  });
  $('whisper-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const text = $('whisper-text').value.trim();
    if (!text || !state.watching) return;
    try {
      const m = await api.post(`/api/v1/contacts/${state.watching}/whisper`, { text });
      $('whisper-text').value = '';
      translate($('watch-status'), 'wb.whisper.sent');
      if (!$('watch-log').querySelector(`[data-message-id="${CSS.escape(m.id)}"]`)) appendWatched(m);
    } catch (e) {
      showError(e);
    }
  });
  $('watch-stop').addEventListener('click', stopWatching);
  $('qs-queue').addEventListener('change', showQueue);
  $('rp-from').value = warsawDate(6);
  $('rp-to').value = warsawDate();
  $('report-form').addEventListener('submit', showReport);
  for (const id of ['rp-from', 'rp-to', 'rp-group']) $(id).addEventListener('change', () => ($('rp-csv').href = reportQuery('csv')));
  $('rp-csv').href = reportQuery('csv');
  $('queue-form').addEventListener('submit', saveQueue);
  if (!TV) cannedEditor = createCannedEditor();
  onSessionLost(() => toLogin({ status: { key: 'login.sessionExpired' } }));

  let user;
  try {
    user = await session.currentUser();
  } catch (e) {
    toLogin({ error: errorMessage(e) });
    return;
  }
  if (!user) return toLogin();
  if (!session.hasCsrfToken() && !(await session.borrowCsrfToken())) {
    return toLogin({ status: { key: 'login.reauth' }, username: user.username });
  }
  showBoard(user);
}

start();
