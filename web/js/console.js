// The agent console, mounted in #workspace after login (contract §5):
// the consultant's status, incoming offers (sound, countdown, accept /
// reject), the open chats in tabs (unread counts, replies and internal
// notes, transfer, close), kept in step with the server over /ws/agent —
// after a drop it reconnects, reloads the open chats and fetches what it
// missed with ?after=, showing every message once.
//
// Everything residents or colleagues typed is written with textContent.

import { api, ApiError } from './api.js';
import { createAgentSocket } from './agent-socket.js';
import { beep, unlockAudio } from './beep.js';
import { attachCannedPicker } from './canned.js';
import { loadHistory } from './history.js';
import * as catalog from './catalog.js';
import { MessageLog, compareIds, newClientMsgId } from './conversation.js';
import { errorMessage } from './errors.js';
import { createBookingBox, createDayView } from './appointments.js';
import { applyTranslations, clearTranslated, language, onLanguageChange, t, translate } from './i18n.js';

const SOUND_KEY = 'centrala.console.sound';
const TYPING_SEND_MS = 3000;
const TYPING_SHOW_MS = 5000;
const MAX_PAGES = 40; // of 500 messages

const enc = encodeURIComponent;

function cloneTemplate(id) {
  const root = document.getElementById(id).content.firstElementChild.cloneNode(true);
  applyTranslations(root);
  const refs = {};
  for (const el of root.querySelectorAll('[data-ref]')) refs[el.dataset.ref] = el;
  return { root, refs };
}

// "translate" for a value that may be a known id or free text.
function showName(el, key, fallback) {
  if (key) translate(el, key);
  else {
    clearTranslated(el);
    el.textContent = fallback ?? '';
  }
}

function showError(el, error) {
  const msg = errorMessage(error);
  translate(el, msg.key, msg.params);
}

function formatTime(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return new Intl.DateTimeFormat(language(), { hour: '2-digit', minute: '2-digit' }).format(d);
}

function durationParams(seconds) {
  const s = Math.max(0, Math.round(Number(seconds) || 0));
  return s < 60
    ? { key: 'console.duration.seconds', params: { n: s } }
    : { key: 'console.duration.minutes', params: { m: Math.floor(s / 60), s: s % 60 } };
}

function soundEnabled() {
  try {
    return window.localStorage.getItem(SOUND_KEY) !== 'off';
  } catch {
    return true;
  }
}

export function createConsole({ root, user, openCase }) {
  const { root: view } = cloneTemplate('tpl-console');
  root.replaceChildren(view);
  const $ = (id) => view.querySelector(`#${id}`);

  const els = {
    statusButtons: [...view.querySelectorAll('.status-button')],
    breakReason: $('break-reason'),
    stateValue: $('agent-state-value'),
    stateSince: $('agent-state-since'),
    statusError: $('status-error'),
    connection: $('connection'),
    sound: $('sound-toggle'),
    offerList: $('offer-list'),
    offersEmpty: $('offers-empty'),
    callbackList: $('callback-list'),
    callbacksEmpty: $('callbacks-empty'),
    chatsHeading: $('chats-heading'),
    chatsEmpty: $('chats-empty'),
    tabs: $('chat-tabs'),
    panels: $('chat-panels'),
    announcer: $('console-announcer'),
    alert: $('console-alert'),
  };

  const S = {
    me: String(user.id),
    user,
    destroyed: false,
    agent: { state: user.state || 'offline', status: user.status || 'offline', reason: user.state_reason ?? null, since: user.state_since ?? null },
    // The status last seen while connected: after a server restart the
    // server knows every consultant as offline, and the console puts back
    // what was chosen.
    chosen: null,
    everConnected: false,
    offers: new Map(), // offer_id -> offer
    callbacks: new Map(), // contact id -> callback card being made here
    chats: new Map(), // contact id -> chat
    order: [], // contact ids, tab order
    selected: null,
    outbox: new Map(), // client_msg_id -> contact id
    closing: new Set(), // contact ids being closed or transferred here
    gone: new Set(), // contact ids whose tab was closed: late frames for them are dropped
    acceptedContacts: new Set(), // contacts accepted here: select them when they arrive
    targets: null, // {queues, agents} a chat can be transferred to (GET /api/v1/transfer-targets)
    socket: null,
  };
  const cleanups = [];

  // ---- announcements -------------------------------------------------------

  const announceTimers = new Map();
  function announce(key, params, { assertive = false } = {}) {
    const el = assertive ? els.alert : els.announcer;
    // Cleared first so the same text twice is announced twice.
    clearTranslated(el);
    clearTimeout(announceTimers.get(el));
    announceTimers.set(
      el,
      setTimeout(() => {
        if (!S.destroyed) translate(el, key, params);
      }, 50),
    );
  }

  // ---- status ----------------------------------------------------------------

  for (const reason of catalog.BREAK_REASONS) {
    const opt = document.createElement('option');
    opt.value = reason;
    translate(opt, catalog.reasonKey(reason));
    els.breakReason.append(opt);
  }

  function normaliseState(st) {
    return {
      state: st.state ?? 'offline',
      status: st.status ?? (['available', 'break', 'offline'].includes(st.state) ? st.state : S.agent.status),
      reason: st.reason !== undefined ? st.reason : (st.state_reason ?? null),
      since: st.since !== undefined ? st.since : (st.state_since ?? null),
      activity: st.activity ?? 'idle',
      active: st.active_contacts ?? null,
    };
  }

  function renderAgentState() {
    const a = S.agent;
    for (const b of els.statusButtons) b.setAttribute('aria-pressed', String(b.dataset.status === a.status));
    els.stateValue.dataset.state = a.state;
    const stateName = catalog.stateKey(a.state);
    const reasonName = a.reason ? catalog.reasonKey(a.reason) : null;
    if (a.state === 'break' && a.reason) {
      translate(els.stateValue, 'console.state.breakWithReason', {
        reason: reasonName ? { key: reasonName } : a.reason,
      });
    } else {
      showName(els.stateValue, stateName, a.state);
    }
    if (a.since) translate(els.stateSince, 'console.state.since', { time: formatTime(a.since) });
    else clearTranslated(els.stateSince);
    if (a.status === 'break' && a.reason && catalog.BREAK_REASONS.includes(a.reason)) els.breakReason.value = a.reason;
  }

  function setAgentState(st, { connected = true } = {}) {
    S.agent = normaliseState(st);
    if (connected) S.chosen = { status: S.agent.status, reason: S.agent.reason };
    renderAgentState();
  }

  async function putStatus(status, reason) {
    clearTranslated(els.statusError);
    const body = { state: status };
    if (status === 'break') body.reason = reason || els.breakReason.value;
    try {
      const st = await api.put('/api/v1/agents/me/state', body);
      if (S.destroyed) return false;
      setAgentState(st);
      return true;
    } catch (e) {
      if (!S.destroyed) showError(els.statusError, e);
      return false;
    }
  }

  for (const b of els.statusButtons) {
    b.addEventListener('click', () => putStatus(b.dataset.status));
  }
  els.breakReason.addEventListener('change', () => {
    if (S.agent.status === 'break') putStatus('break', els.breakReason.value);
  });

  els.sound.checked = soundEnabled();
  els.sound.addEventListener('change', () => {
    try {
      window.localStorage.setItem(SOUND_KEY, els.sound.checked ? 'on' : 'off');
    } catch {
      // the choice lasts for this page
    }
    if (els.sound.checked) unlockAudio();
  });

  // Audio may start only after the user has interacted with the page.
  const unlock = () => {
    if (els.sound.checked) unlockAudio();
  };
  document.addEventListener('pointerdown', unlock, true);
  document.addEventListener('keydown', unlock, true);
  cleanups.push(() => {
    document.removeEventListener('pointerdown', unlock, true);
    document.removeEventListener('keydown', unlock, true);
  });

  function setConnection(kind, params) {
    els.connection.dataset.state = kind;
    translate(els.connection, `console.connection.${kind}`, params);
  }

  // ---- offers ----------------------------------------------------------------

  function renderOfferCountdown(offer) {
    const left = Math.max(0, Math.ceil((offer.expiresAt - performance.now()) / 1000));
    if (left !== offer.shown) {
      offer.shown = left;
      offer.refs.progress.value = left;
      offer.el.classList.toggle('offer--urgent', left <= 5);
      if (left > 0) translate(offer.refs.remaining, 'console.offers.remaining', { n: left });
      else translate(offer.refs.remaining, 'console.offers.expired');
    }
    // The server revokes a lapsed offer; if that frame never comes (the
    // connection dropped), the offer goes a little later anyway.
    if (performance.now() > offer.expiresAt + 3000) removeOffer(offer.id);
  }

  function contactTitle(contact) {
    const name = contact?.resident?.name;
    return name ? name : { key: 'console.contact.anonymous', params: { id: contact?.id ?? '' } };
  }

  function addOffer(frame) {
    if (!frame.offer_id) return;
    const known = S.offers.get(String(frame.offer_id));
    if (known) {
      // Sent again after a reconnection, with the time left.
      known.stale = false;
      if (Number.isFinite(Number(frame.expires_in))) {
        known.expiresAt = performance.now() + Math.max(0, Number(frame.expires_in)) * 1000;
        renderOfferCountdown(known);
      }
      return;
    }
    const { root: li, refs } = cloneTemplate('tpl-offer');
    const id = String(frame.offer_id);
    const contact = frame.contact || {};
    const expiresIn = Math.max(1, Number(frame.expires_in) || 20);
    const offer = { id, frame, contact, refs, el: li, expiresAt: performance.now() + expiresIn * 1000, shown: null, busy: false };
    li.dataset.offerId = id;
    li.id = `offer-${id}`;
    refs.title.id = `offer-${id}-title`;
    li.setAttribute('aria-labelledby', refs.title.id);
    translate(refs.title, frame.invite ? 'console.offers.titleInvite' : 'console.offers.title', { name: contactTitle(contact) });
    showName(refs.queue, catalog.queueKey(contact.queue), contact.queue);
    showName(refs.topic, catalog.topicKey(contact.topic), contact.topic);
    showName(refs.channel, catalog.channelKey(contact.channel), contact.channel);
    const waited = durationParams(contact.waited_seconds);
    translate(refs.waited, waited.key, waited.params);
    refs.interpreterRow.hidden = !contact.needs_interpreter;
    if (contact.summary) {
      refs.summaryRow.hidden = false;
      refs.summary.textContent = contact.summary;
    }
    refs.progress.max = expiresIn;
    refs.remaining.id = `offer-${id}-remaining`;
    refs.progress.setAttribute('aria-labelledby', refs.remaining.id);
    refs.accept.addEventListener('click', () => acceptOffer(id));
    refs.reject.addEventListener('click', () => rejectOffer(id));
    offer.timer = setInterval(() => renderOfferCountdown(offer), 250);
    renderOfferCountdown(offer);
    S.offers.set(id, offer);
    els.offerList.append(li);
    els.offersEmpty.hidden = true;
    if (els.sound.checked) beep();
    announce(
      'console.offers.announce',
      {
        name: contactTitle(contact),
        queue: catalog.queueKey(contact.queue) ? { key: catalog.queueKey(contact.queue) } : contact.queue ?? '',
        n: expiresIn,
      },
      { assertive: true },
    );
  }

  function removeOffer(id) {
    const offer = S.offers.get(String(id));
    if (!offer) return;
    clearInterval(offer.timer);
    const hadFocus = offer.el.contains(document.activeElement);
    offer.el.remove();
    S.offers.delete(String(id));
    els.offersEmpty.hidden = S.offers.size > 0;
    if (hadFocus) {
      const next = S.offers.values().next().value;
      if (next) next.refs.accept.focus();
      else focusChatsOrHeading();
    }
  }

  function clearOffers() {
    for (const id of [...S.offers.keys()]) removeOffer(id);
  }

  function firstOffer() {
    let best = null;
    for (const o of S.offers.values()) if (!o.busy && (!best || o.expiresAt < best.expiresAt)) best = o;
    return best;
  }

  async function acceptOffer(id) {
    const offer = S.offers.get(String(id));
    if (!offer || offer.busy) return;
    offer.busy = true;
    offer.refs.accept.disabled = true;
    offer.refs.reject.disabled = true;
    clearTranslated(offer.refs.error);
    const contactId = offer.contact.id ? String(offer.contact.id) : null;
    if (contactId) S.acceptedContacts.add(contactId);
    try {
      await api.post(`/api/v1/offers/${enc(id)}/accept`);
      if (S.destroyed) return;
      removeOffer(id);
      if (contactId && offer.contact.channel === 'callback') {
        // A callback is a phone call to make: its card, not a chat tab.
        S.acceptedContacts.delete(contactId);
        S.callbacks.get(contactId)?.refs.done.focus();
      } else if (contactId) {
        const chat = ensureChat({ ...offer.contact, id: contactId });
        selectChat(chat.id, { focus: 'composer' });
        S.acceptedContacts.delete(contactId);
      }
    } catch (e) {
      if (S.destroyed) return;
      if (contactId) S.acceptedContacts.delete(contactId);
      if (e instanceof ApiError && e.code === 'already_accepted') {
        translate(offer.refs.error, 'console.offers.waitingForPartner');
        return;
      }
      if (e instanceof ApiError && (e.status === 404 || e.status === 409)) {
        announce('console.offers.gone', {}, { assertive: true });
        removeOffer(id);
        return;
      }
      offer.busy = false;
      offer.refs.accept.disabled = false;
      offer.refs.reject.disabled = false;
      showError(offer.refs.error, e);
    }
  }

  async function rejectOffer(id) {
    const offer = S.offers.get(String(id));
    if (!offer || offer.busy) return;
    offer.busy = true;
    offer.refs.accept.disabled = true;
    offer.refs.reject.disabled = true;
    try {
      await api.post(`/api/v1/offers/${enc(id)}/reject`);
      if (S.destroyed) return;
      removeOffer(id);
      announce('console.offers.rejected');
    } catch (e) {
      if (S.destroyed) return;
      if (e instanceof ApiError && (e.status === 404 || e.status === 409)) {
        removeOffer(id);
        return;
      }
      offer.busy = false;
      offer.refs.accept.disabled = false;
      offer.refs.reject.disabled = false;
      showError(offer.refs.error, e);
    }
  }

  function offerRevoked(id, reason) {
    if (!S.offers.has(String(id))) return;
    removeOffer(id);
    const key = `console.offers.revoked.${reason}`;
    announce(t(key) !== key ? key : 'console.offers.revoked.other', {}, { assertive: true });
  }

  // ---- callbacks -------------------------------------------------------------

  // A callback being made by this consultant: the number to call, the topic,
  // the window and the attempt, with the two outcomes.
  function showCallback(cb) {
    if (!cb?.id) return;
    const id = String(cb.id);
    if (cb.state !== 'active' || (cb.agent_id && String(cb.agent_id) !== S.me)) {
      // Back in line (this consultant went offline), or cancelled: not ours to make any more.
      removeCallback(id);
      return;
    }
    let card = S.callbacks.get(id);
    if (!card) {
      const { root: li, refs } = cloneTemplate('tpl-callback');
      card = { id, el: li, refs, busy: false };
      li.dataset.callbackId = id;
      refs.title.id = `callback-${id}-title`;
      li.setAttribute('aria-labelledby', refs.title.id);
      refs.disposition.id = `callback-${id}-disposition`;
      refs.dispositionLabel.htmlFor = refs.disposition.id;
      for (const d of catalog.DISPOSITIONS) {
        const opt = document.createElement('option');
        opt.value = d;
        translate(opt, catalog.topicKey(d));
        refs.disposition.append(opt);
      }
      refs.done.addEventListener('click', () => finishCallback(id, true));
      refs.noAnswer.addEventListener('click', () => finishCallback(id, false));
      S.callbacks.set(id, card);
      els.callbackList.append(li);
      els.callbacksEmpty.hidden = true;
    }
    const { refs } = card;
    translate(refs.title, 'console.callbacks.title', { phone: formatPhone(cb.phone) });
    showName(refs.topic, catalog.topicKey(cb.topic), cb.topic);
    if (cb.window?.label) {
      clearTranslated(refs.window);
      refs.window.textContent = cb.window.label;
    } else translate(refs.window, 'console.callbacks.asap');
    translate(refs.attempt, 'console.callbacks.attemptOf', { n: (Number(cb.attempts) || 0) + 1, max: cb.max_attempts ?? '' });
    refs.summaryRow.hidden = !cb.summary;
    refs.summary.textContent = cb.summary || '';
    refs.disposition.value = catalog.defaultDisposition(cb.topic);
    refs.actions.hidden = false;
  }

  function formatPhone(p) {
    const s = String(p || '');
    return /^\+48\d{9}$/.test(s) ? `+48 ${s.slice(3, 6)} ${s.slice(6, 9)} ${s.slice(9)}` : s;
  }

  function removeCallback(id) {
    const card = S.callbacks.get(String(id));
    if (!card) return;
    const hadFocus = card.el.contains(document.activeElement);
    card.el.remove();
    S.callbacks.delete(String(id));
    els.callbacksEmpty.hidden = S.callbacks.size > 0;
    if (hadFocus) focusChatsOrHeading();
  }

  async function finishCallback(id, connected) {
    const card = S.callbacks.get(String(id));
    if (!card || card.busy) return;
    card.busy = true;
    card.refs.done.disabled = true;
    card.refs.noAnswer.disabled = true;
    clearTranslated(card.refs.error);
    const disposition = card.refs.disposition.value;
    try {
      const res = connected
        ? await api.post(`/api/v1/callbacks/${enc(id)}/done`, { disposition })
        : await api.post(`/api/v1/callbacks/${enc(id)}/no_answer`);
      if (S.destroyed) return;
      removeCallback(id);
      if (connected) announce('console.callbacks.closed', { topic: { key: catalog.topicKey(disposition) } });
      else announce(res?.state === 'unreachable' ? 'console.callbacks.unreachable' : 'console.callbacks.requeued');
    } catch (e) {
      if (S.destroyed) return;
      card.busy = false;
      card.refs.done.disabled = false;
      card.refs.noAnswer.disabled = false;
      showError(card.refs.error, e);
    }
  }

  // After a (re)connection: the callbacks this consultant is making.
  async function loadCallbacks() {
    try {
      const res = await api.get('/api/v1/callbacks');
      if (S.destroyed) return;
      for (const cb of res?.items || []) showCallback(cb);
    } catch {
      // shown again with the next frame
    }
  }

  // ---- chats -----------------------------------------------------------------

  function chatTitleParam(chat) {
    return contactTitle(chat.contact);
  }

  function renderChatHeader(chat) {
    const c = chat.contact;
    const { refs } = chat;
    translate(refs.title, 'console.chat.title', { name: chatTitleParam(chat) });
    showName(refs.queue, catalog.queueKey(c.queue), c.queue ?? '—');
    showName(refs.topic, catalog.topicKey(c.topic), c.topic ?? '—');
    showName(refs.lang, catalog.langKey(c.lang), c.lang ?? '—');
    refs.number.textContent = String(c.id);
    if (c.summary) {
      refs.summaryRow.hidden = false;
      refs.summary.textContent = c.summary;
    }
    const name = c?.resident?.name;
    if (name) {
      clearTranslated(chat.tabName);
      chat.tabName.textContent = name;
    } else {
      translate(chat.tabName, 'console.contact.anonymous', { id: c.id });
    }
    if (!chat.refs.disposition.dataset.touched) chat.refs.disposition.value = catalog.defaultDisposition(c.topic);
  }

  function renderUnread(chat) {
    const n = chat.unread;
    chat.badge.hidden = n === 0;
    chat.badge.textContent = n > 99 ? '99+' : String(n);
    if (n > 0) translate(chat.unreadText, 'console.chat.unread', { n });
    else clearTranslated(chat.unreadText);
    chat.tab.dataset.unread = String(n);
  }

  function ensureChat(contact) {
    const id = String(contact.id);
    let chat = S.chats.get(id);
    // Ended here and now ours again (transferred back): a fresh tab.
    if (chat && chat.ended && contact.state === 'active') {
      removeChat(id);
      chat = null;
    }
    if (chat) {
      mergeContact(chat, contact);
      return chat;
    }
    const { root: panel, refs } = cloneTemplate('tpl-chat');
    const prefix = `chat-${id}`;
    const tab = document.createElement('button');
    tab.type = 'button';
    tab.className = 'chat-tab';
    tab.id = `${prefix}-tab`;
    tab.setAttribute('role', 'tab');
    tab.setAttribute('aria-selected', 'false');
    tab.setAttribute('aria-controls', `${prefix}-panel`);
    tab.tabIndex = -1;
    tab.dataset.contactId = id;
    const tabName = document.createElement('span');
    tabName.className = 'chat-tab__name';
    const badge = document.createElement('span');
    badge.className = 'chat-tab__badge';
    badge.setAttribute('aria-hidden', 'true');
    badge.hidden = true;
    const unreadText = document.createElement('span');
    unreadText.className = 'visually-hidden';
    tab.append(tabName, badge, unreadText);

    panel.id = `${prefix}-panel`;
    panel.dataset.contactId = id;
    panel.setAttribute('aria-labelledby', tab.id);
    panel.hidden = true;
    // Unique ids for the labels inside the panel.
    const link = (label, control, name) => {
      control.id = `${prefix}-${name}`;
      label.htmlFor = control.id;
    };
    link(refs.textLabel, refs.text, 'text');
    link(refs.internalLabel, refs.internal, 'internal');
    link(refs.queueLabel, refs.queueSelect, 'queue');
    link(refs.transferNoteLabel, refs.transferNote, 'transfer-note');
    link(refs.dispositionLabel, refs.disposition, 'disposition');
    link(refs.closeNoteLabel, refs.closeNote, 'close-note');
    refs.hint.id = `${prefix}-hint`;
    refs.text.setAttribute('aria-describedby', refs.hint.id);
    refs.title.id = `${prefix}-title`;
    refs.log.id = `${prefix}-log`;
    refs.log.setAttribute('aria-labelledby', refs.title.id);

    for (const d of catalog.DISPOSITIONS) {
      const opt = document.createElement('option');
      opt.value = d;
      translate(opt, catalog.topicKey(d));
      refs.disposition.append(opt);
    }
    refs.disposition.addEventListener('change', () => {
      refs.disposition.dataset.touched = '1';
    });

    chat = {
      id,
      contact: { ...contact, id },
      log: new MessageLog(S.me),
      refs,
      panel,
      tab,
      tabName,
      badge,
      unreadText,
      itemEls: new Map(),
      unread: 0,
      ended: false,
      loaded: false,
      syncedId: null, // every message up to this id is shown
      syncGen: -1, // socket generation in which syncedId was last made whole
      chain: Promise.resolve(),
      typingTimer: null,
      lastTypingSent: 0,
    };
    refs.closeBox.before(createBookingBox({ idPrefix: prefix, contact: () => chat.contact }));
    S.chats.set(id, chat);
    S.order.push(id);
    refs.log.setAttribute('aria-busy', 'true');
    fillTransferSelect(chat);
    wireChat(chat);
    renderChatHeader(chat);
    renderUnread(chat);
    els.tabs.append(tab);
    els.panels.append(panel);
    els.chatsEmpty.hidden = true;
    els.tabs.hidden = false;
    if (S.selected === null) selectChat(id);
    if (!S.closing.has(id)) loadMessages(chat);
    if (!contact.resident) refreshContact(chat);
    loadHistory(id, {
      box: refs.historyBox, summary: refs.historySummary, list: refs.historyList,
      casesHeading: refs.historyCasesHeading, casesList: refs.historyCases, idPrefix: prefix, openCase,
    });
    return chat;
  }

  function mergeContact(chat, contact) {
    const merged = { ...chat.contact };
    for (const [k, v] of Object.entries(contact)) if (v !== undefined && v !== null && v !== '') merged[k] = v;
    merged.id = chat.id;
    chat.contact = merged;
    renderChatHeader(chat);
  }

  async function refreshContact(chat) {
    try {
      const c = await api.get(`/api/v1/contacts/${enc(chat.id)}`);
      if (!S.destroyed && S.chats.get(chat.id) === chat) mergeContact(chat, c);
    } catch {
      // the header keeps what the offer said
    }
  }

  function wireChat(chat) {
    const { refs } = chat;
    chat.tab.addEventListener('click', () => selectChat(chat.id, { focus: 'composer' }));
    refs.composer.addEventListener('submit', (e) => {
      e.preventDefault();
      sendFromComposer(chat);
    });
    refs.text.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey && !e.altKey && !e.ctrlKey && !e.metaKey && !e.isComposing) {
        e.preventDefault();
        sendFromComposer(chat);
      }
    });
    refs.text.addEventListener('input', () => {
      clearTranslated(refs.sendError);
      if (refs.internal.checked || !refs.text.value) return;
      const now = Date.now();
      if (now - chat.lastTypingSent > TYPING_SEND_MS && S.socket?.send({ type: 'typing', contact_id: chat.id })) {
        chat.lastTypingSent = now;
      }
    });
    refs.internal.addEventListener('change', () => renderComposerMode(chat));
    // Colleagues come and go: the list is fetched again whenever the form opens.
    refs.transferBox.addEventListener('toggle', () => {
      if (refs.transferBox.open) loadTransferTargets();
    });
    refs.transferForm.addEventListener('submit', (e) => {
      e.preventDefault();
      transferChat(chat);
    });
    refs.closeForm.addEventListener('submit', (e) => {
      e.preventDefault();
      closeChat(chat);
    });
    refs.dismiss.addEventListener('click', () => removeChat(chat.id));
    refs.askRating.addEventListener('click', () => askForRating(chat));
    refs.log.addEventListener('scroll', () => {
      chat.atBottom = isAtBottom(refs.log);
    });
    chat.atBottom = true;
    chat.canned = attachCannedPicker({
      container: refs.canned,
      textarea: refs.text,
      context: () => ({ queue: chat.contact.queue, lang: chat.contact.lang }),
      agentName: () => S.user.display_name,
      announce,
      idPrefix: `chat-${chat.id}`,
    });
    renderComposerMode(chat);
  }

  function renderComposerMode(chat) {
    const internal = chat.refs.internal.checked;
    chat.refs.composer.classList.toggle('composer--internal', internal);
    translate(chat.refs.textLabel, internal ? 'console.composer.note' : 'console.composer.reply');
    translate(chat.refs.send, internal ? 'console.composer.sendNote' : 'console.composer.send');
  }

  function selectChat(id, { focus = null } = {}) {
    const sid = id === null ? null : String(id);
    S.selected = sid;
    for (const cid of S.order) {
      const chat = S.chats.get(cid);
      const on = cid === sid;
      chat.tab.setAttribute('aria-selected', String(on));
      chat.tab.tabIndex = on ? 0 : -1;
      chat.panel.hidden = !on;
      if (on) {
        chat.unread = 0;
        renderUnread(chat);
        if (chat.atBottom) scrollToBottom(chat);
      }
    }
    const chat = sid ? S.chats.get(sid) : null;
    if (!chat) return;
    if (focus === 'composer') (chat.ended ? chat.refs.dismiss : chat.refs.text).focus();
    else if (focus === 'tab') chat.tab.focus();
  }

  function moveSelection(step, focus = 'composer') {
    if (!S.order.length) return;
    const i = S.order.indexOf(S.selected);
    const next = S.order[(i + step + S.order.length) % S.order.length];
    selectChat(next, { focus });
  }

  els.tabs.addEventListener('keydown', (e) => {
    const moves = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };
    if (e.key in moves) {
      e.preventDefault();
      moveSelection(moves[e.key], 'tab');
    } else if (e.key === 'Home' || e.key === 'End') {
      e.preventDefault();
      if (S.order.length) selectChat(e.key === 'Home' ? S.order[0] : S.order[S.order.length - 1], { focus: 'tab' });
    }
  });

  function focusChatsOrHeading() {
    const chat = S.selected ? S.chats.get(S.selected) : null;
    if (chat && !chat.ended) chat.refs.text.focus();
    else els.chatsHeading.focus();
  }

  function removeChat(id) {
    const chat = S.chats.get(String(id));
    if (!chat) return;
    const hadFocus = chat.panel.contains(document.activeElement) || chat.tab === document.activeElement;
    const i = S.order.indexOf(chat.id);
    S.order.splice(i, 1);
    S.chats.delete(chat.id);
    S.gone.add(chat.id);
    clearTimeout(chat.typingTimer);
    chat.canned?.destroy();
    for (const [cmid, cid] of S.outbox) if (cid === chat.id) S.outbox.delete(cmid);
    chat.tab.remove();
    chat.panel.remove();
    els.chatsEmpty.hidden = S.order.length > 0;
    els.tabs.hidden = S.order.length === 0;
    if (S.selected === chat.id) {
      const next = S.order[Math.min(i, S.order.length - 1)] ?? null;
      S.selected = null;
      selectChat(next);
    }
    if (hadFocus) focusChatsOrHeading();
  }

  function markEnded(chat, reason) {
    if (chat.ended) return;
    chat.ended = true;
    // The resident ended it: the consultant still gives it its topic (the close form stays).
    chat.needsTopic = reason === 'resident_ended';
    chat.panel.classList.add('chat--ended');
    const key = reason === 'transferred' ? 'console.chat.endedTransferred'
      : reason === 'erased' ? 'console.chat.endedErased'
      : chat.needsTopic ? 'console.chat.endedByResident' : 'console.chat.ended';
    translate(chat.refs.ended, key);
    for (const el of chat.panel.querySelectorAll('textarea, select, input, button[type="submit"]'))
      el.disabled = !(chat.needsTopic && chat.refs.closeForm.contains(el));
    chat.refs.transferBox.open = false;
    chat.refs.closeBox.open = chat.needsTopic;
    chat.refs.transferBox.hidden = true;
    chat.refs.closeBox.hidden = !chat.needsTopic;
    chat.refs.askRating.hidden = true;
    chat.refs.dismiss.hidden = false;
    chat.tab.classList.add('chat-tab--ended');
    for (const item of chat.log.unsent()) chat.log.fail(item.clientMsgId, { code: 'chat_closed' });
    if (reason === 'erased') forgetResident(chat);
    syncList(chat);
    const announced = {
      'console.chat.endedTransferred': 'console.chat.announceTransferred',
      'console.chat.endedByResident': 'console.chat.announceEndedByResident',
      'console.chat.endedErased': 'console.chat.announceErased',
    }[key] || 'console.chat.announceEnded';
    announce(announced, { name: chatTitleParam(chat) });
  }

  // The resident's data was erased at their request: the transcript, the name,
  // the advisor's summary and the earlier conversations leave this page too.
  function forgetResident(chat) {
    const name = chat.contact?.resident?.name;
    if (name && els.alert.textContent.includes(name)) clearTranslated(els.alert); // the offer's announcement
    const { id, channel, queue, topic, lang } = chat.contact;
    chat.contact = { id, channel, queue, topic, lang };
    chat.log = new MessageLog(S.me);
    chat.refs.summaryRow.hidden = true;
    chat.refs.summary.textContent = '';
    chat.refs.historyBox.hidden = true;
    chat.refs.historyList.replaceChildren();
    chat.refs.historyCases.replaceChildren();
    renderChatHeader(chat);
  }

  // ---- messages ------------------------------------------------------------

  function isAtBottom(el) {
    return el.scrollHeight - el.scrollTop - el.clientHeight < 24;
  }

  function scrollToBottom(chat) {
    const el = chat.refs.log;
    el.scrollTop = el.scrollHeight;
    chat.atBottom = true;
  }

  function authorOf(chat, item) {
    const m = item.message;
    const kind = m.author?.kind ?? 'agent';
    if (item.clientMsgId && item.id === null) return { kind: 'agent', mine: true };
    if (kind === 'agent') return { kind, mine: chat.log.isMine(m), name: m.author?.name };
    if (kind === 'resident') return { kind, name: m.author?.name || chat.contact?.resident?.name };
    return { kind, name: m.author?.name };
  }

  function renderItem(chat, item) {
    let li = chat.itemEls.get(item.key);
    let refs;
    if (!li) {
      ({ root: li, refs } = cloneTemplate('tpl-message'));
      li.refs = refs;
      refs.retry.addEventListener('click', () => retrySend(chat, li.dataset.clientMsgId));
      chat.itemEls.set(item.key, li);
    }
    refs = li.refs;
    const m = item.message;
    const author = authorOf(chat, item);
    li.className = 'msg';
    li.classList.add(`msg--${['resident', 'agent', 'bot', 'system'].includes(author.kind) ? author.kind : 'system'}`);
    if (author.mine) li.classList.add('msg--mine');
    if (item.internal) li.classList.add('msg--internal');
    li.dataset.status = item.status;
    if (item.id !== null) li.dataset.messageId = item.id;
    else delete li.dataset.messageId;
    if (item.clientMsgId) li.dataset.clientMsgId = item.clientMsgId;

    if (author.mine) translate(refs.author, 'console.author.you');
    else if (author.kind === 'bot') translate(refs.author, 'console.author.bot');
    else if (author.kind === 'system') translate(refs.author, 'console.author.system');
    else if (author.name) showName(refs.author, null, author.name);
    else translate(refs.author, author.kind === 'resident' ? 'console.author.resident' : 'console.author.agent');
    if (author.kind === 'resident' || (author.kind === 'agent' && !author.mine)) {
      translate(refs.kind, author.kind === 'resident' ? 'console.kind.resident' : 'console.kind.agent');
    } else {
      clearTranslated(refs.kind);
    }
    refs.time.dateTime = m.created_at ?? '';
    refs.time.textContent = formatTime(m.created_at);
    refs.badge.hidden = !item.internal;
    if (item.status === 'pending') translate(refs.status, 'console.message.pending');
    else if (item.status === 'failed') {
      const code = item.error?.code;
      translate(refs.status, code === 'chat_closed' ? 'console.message.notSentClosed' : 'console.message.failed');
    } else if (author.mine) translate(refs.status, 'console.message.sent');
    else clearTranslated(refs.status);
    refs.retry.hidden = !(item.status === 'failed' && !chat.ended);
    if (refs.text.textContent !== (m.text ?? '')) refs.text.textContent = m.text ?? '';
    return li;
  }

  // Puts the list's elements in the log's order, adding and removing as needed.
  function syncList(chat) {
    const list = chat.refs.messages;
    const stick = chat.atBottom || isAtBottom(chat.refs.log);
    const keep = new Set();
    let prev = null;
    for (const item of chat.log.items) {
      const li = renderItem(chat, item);
      keep.add(item.key);
      const want = prev ? prev.nextSibling : list.firstChild;
      if (li !== want) list.insertBefore(li, want);
      prev = li;
    }
    for (const [key, li] of chat.itemEls) {
      if (!keep.has(key)) {
        li.remove();
        chat.itemEls.delete(key);
      }
    }
    if (stick && !chat.panel.hidden) scrollToBottom(chat);
  }

  // One stored message into a chat. `live`: it arrived as news (counts as unread).
  function addMessage(chat, message, { live }) {
    const r = chat.log.addStored(message);
    if (r.added && live && !chat.log.isMine(message)) {
      const seen = S.selected === chat.id && document.visibilityState !== 'hidden';
      if (!seen) {
        chat.unread += 1;
        renderUnread(chat);
      }
      if (S.selected !== chat.id) {
        announce('console.chat.announceMessage', { name: chatTitleParam(chat) });
      }
      if (message.author?.kind === 'resident') hideTyping(chat);
    }
    return r;
  }

  function advanceSynced(chat, id) {
    if (chat.syncedId === null || compareIds(id, chat.syncedId) > 0) chat.syncedId = String(id);
  }

  function onMessageFrame(contactId, message) {
    if (!message || message.id === undefined) return;
    const id = String(contactId ?? message.contact_id);
    let chat = S.chats.get(id);
    if (!chat) {
      if (S.closing.has(id) || S.gone.has(id)) return;
      // A conversation this console has not heard of yet: open it (its
      // history load brings this message too).
      chat = ensureChat({ id });
      return;
    }
    addMessage(chat, message, { live: chat.loaded });
    if (S.socket && chat.syncGen === S.socket.generation) advanceSynced(chat, message.id);
    syncList(chat);
  }

  // Fetches what this chat is missing: everything after the last id known to
  // be complete. Runs one at a time per chat.
  function loadMessages(chat) {
    chat.chain = chat.chain.then(async () => {
      if (S.destroyed || S.chats.get(chat.id) !== chat) return;
      const gen = S.socket ? S.socket.generation : 0;
      let after = chat.syncedId ?? '0';
      let newest = chat.syncedId;
      for (let page = 0; page < MAX_PAGES; page += 1) {
        const res = await api.get(`/api/v1/contacts/${enc(chat.id)}/messages?after=${enc(after)}`);
        if (S.destroyed || S.chats.get(chat.id) !== chat) return;
        for (const m of res.items || []) {
          addMessage(chat, m, { live: chat.loaded });
          if (newest === null || compareIds(m.id, newest) > 0) newest = String(m.id);
        }
        if (!res.next) break;
        after = res.next;
      }
      if (newest !== null) advanceSynced(chat, newest);
      chat.syncGen = gen;
      const first = !chat.loaded;
      chat.loaded = true;
      chat.refs.log.setAttribute('aria-busy', 'false');
      syncList(chat);
      if (first) scrollToBottom(chat);
    });
    chat.chain = chat.chain.catch((e) => {
      if (S.destroyed || S.chats.get(chat.id) !== chat) return;
      chat.refs.log.setAttribute('aria-busy', 'false');
      if (e instanceof ApiError && e.status === 404) markEnded(chat, 'closed');
      // Network errors: the reconnect resynchronises.
    });
    return chat.chain;
  }

  function hideTyping(chat) {
    clearTimeout(chat.typingTimer);
    clearTranslated(chat.refs.typing);
  }

  function onTyping(contactId) {
    const chat = S.chats.get(String(contactId));
    if (!chat || chat.ended) return;
    translate(chat.refs.typing, 'console.chat.typing', { name: chatTitleParam(chat) });
    clearTimeout(chat.typingTimer);
    chat.typingTimer = setTimeout(() => hideTyping(chat), TYPING_SHOW_MS);
  }

  // ---- sending ---------------------------------------------------------------

  function transmit(chat, item) {
    const frame = { type: 'message', contact_id: chat.id, text: item.text, client_msg_id: item.clientMsgId };
    if (item.internal) frame.internal = true;
    S.outbox.set(item.clientMsgId, chat.id);
    item.sentGen = S.socket?.send(frame) ? S.socket.generation : null;
  }

  function sendFromComposer(chat) {
    if (chat.ended) return;
    const { refs } = chat;
    const text = refs.text.value;
    clearTranslated(refs.sendError);
    if (!text.trim()) {
      translate(refs.sendError, 'console.composer.empty');
      refs.text.focus();
      return;
    }
    const item = chat.log.addPending({
      clientMsgId: newClientMsgId(),
      text,
      internal: refs.internal.checked,
      author: { kind: 'agent', name: S.user.display_name, id: S.me },
    });
    refs.text.value = '';
    chat.atBottom = true;
    syncList(chat);
    transmit(chat, item);
  }

  function retrySend(chat, clientMsgId) {
    const item = chat.log.retry(clientMsgId);
    if (!item) return;
    syncList(chat);
    transmit(chat, item);
    chat.refs.text.focus();
  }

  // After a (re)connection: send again what was never acked. The server
  // stores a client_msg_id once, so a message that did arrive is only acked.
  function flushOutbox() {
    const gen = S.socket?.generation;
    for (const chat of S.chats.values()) {
      if (chat.ended) continue;
      for (const item of chat.log.unsent()) if (item.sentGen !== gen) transmit(chat, item);
    }
  }

  function onAck(frame) {
    const cmid = frame.client_msg_id;
    const chat = S.chats.get(S.outbox.get(cmid));
    if (!chat) return;
    S.outbox.delete(cmid);
    chat.log.ack(cmid, frame.id);
    syncList(chat);
  }

  function onErrorFrame(frame) {
    const cmid = frame.client_msg_id;
    if (!cmid) return;
    const chat = S.chats.get(S.outbox.get(cmid));
    if (!chat) return;
    S.outbox.delete(cmid);
    chat.log.fail(cmid, { code: frame.code, message: frame.message });
    syncList(chat);
    const fake = new ApiError(400, frame.code, frame.message);
    showError(chat.refs.sendError, fake);
    if (frame.code === 'contact_not_found') markEnded(chat, 'closed');
  }

  // ---- transfer and close ------------------------------------------------------

  function optionGroup(key) {
    const group = document.createElement('optgroup');
    group.dataset.i18nAttr = `label:${key}`;
    group.label = t(key);
    return group;
  }

  // The form's choices: the queues that take chats (second lines first in
  // the config's order), then the colleagues signed in now, with their state.
  function fillTransferSelect(chat) {
    const select = chat.refs.queueSelect;
    const current = select.value;
    select.replaceChildren();
    if (!S.targets) return;
    const queues = optionGroup('console.transfer.queues');
    for (const q of S.targets.queues) {
      const opt = document.createElement('option');
      opt.value = `queue:${q.id}`;
      const key = catalog.queueKey(q.id);
      // A closed queue refuses the transfer (outside its hours): said before choosing.
      if (q.open_now === false) translate(opt, 'console.transfer.queueClosed', { name: key ? { key } : q.name || q.id });
      else showName(opt, key, q.name || q.id);
      queues.append(opt);
    }
    select.append(queues);
    if (S.targets.agents.length) {
      const agents = optionGroup('console.transfer.agents');
      for (const a of S.targets.agents) {
        const opt = document.createElement('option');
        opt.value = `agent:${a.id}`;
        opt.dataset.name = a.display_name;
        translate(opt, 'console.transfer.agentOption', { name: a.display_name, state: { key: `state.${a.state}` } });
        agents.append(opt);
      }
      select.append(agents);
    }
    if (current && [...select.options].some((o) => o.value === current)) select.value = current;
  }

  async function loadTransferTargets() {
    try {
      const res = await api.get('/api/v1/transfer-targets');
      S.targets = {
        queues: (res.queues || []).filter((q) => !q.channels || q.channels.includes('chat')),
        agents: res.agents || [],
      };
    } catch {
      return; // the last list stays; the server still checks the choice
    }
    if (!S.destroyed) for (const chat of S.chats.values()) fillTransferSelect(chat);
  }

  async function transferChat(chat) {
    if (chat.ended || S.closing.has(chat.id)) return;
    const { refs } = chat;
    clearTranslated(refs.transferError);
    const choice = refs.queueSelect.selectedOptions[0];
    if (!choice) {
      translate(refs.transferError, 'console.transfer.none');
      return;
    }
    const sep = choice.value.indexOf(':');
    const kind = choice.value.slice(0, sep);
    const target = choice.value.slice(sep + 1);
    const body = kind === 'agent' ? { agent_id: target } : { queue: target };
    if (refs.transferNote.value.trim()) body.note = refs.transferNote.value.trim();
    S.closing.add(chat.id);
    try {
      await api.post(`/api/v1/contacts/${enc(chat.id)}/transfer`, body);
      if (S.destroyed) return;
      const queueName =
        kind === 'agent' ? choice.dataset.name : catalog.queueKey(target) ? { key: catalog.queueKey(target) } : choice.textContent;
      announce('console.transfer.done', { name: chatTitleParam(chat), queue: queueName });
      removeChat(chat.id);
    } catch (e) {
      if (S.destroyed) return;
      showError(refs.transferError, e);
      if (e instanceof ApiError && e.code === 'contact_not_found') markEnded(chat, 'closed');
    } finally {
      S.closing.delete(chat.id);
    }
  }

  async function askForRating(chat) {
    const { refs } = chat;
    clearTranslated(refs.askRatingError);
    try {
      await api.post(`/api/v1/contacts/${enc(chat.id)}/rating-request`, {});
      if (!S.destroyed) announce('console.rating.asked', { name: chatTitleParam(chat) });
    } catch (e) {
      if (!S.destroyed) showError(refs.askRatingError, e);
    }
  }

  async function closeChat(chat) {
    if ((chat.ended && !chat.needsTopic) || S.closing.has(chat.id)) return;
    const { refs } = chat;
    clearTranslated(refs.closeError);
    const body = { disposition: refs.disposition.value };
    if (refs.closeNote.value.trim()) body.note = refs.closeNote.value.trim();
    S.closing.add(chat.id);
    try {
      await api.post(`/api/v1/contacts/${enc(chat.id)}/close`, body);
      if (S.destroyed) return;
      announce('console.close.done', { name: chatTitleParam(chat), topic: { key: catalog.topicKey(body.disposition) } });
      removeChat(chat.id);
    } catch (e) {
      if (S.destroyed) return;
      showError(refs.closeError, e);
      if (e instanceof ApiError && e.code === 'contact_not_found') markEnded(chat, 'closed');
    } finally {
      S.closing.delete(chat.id);
    }
  }

  // ---- frames and resynchronisation ------------------------------------------

  function onAssigned(contact) {
    if (!contact?.id) return;
    const id = String(contact.id);
    if (contact.channel === 'callback') {
      // Its card comes with the `callback` frame.
      for (const o of [...S.offers.values()]) if (String(o.contact.id) === id && !o.busy) removeOffer(o.id);
      return;
    }
    if (S.closing.has(id)) return;
    S.gone.delete(id);
    // Accepted (here or in another tab): its offer is over.
    for (const o of [...S.offers.values()]) if (String(o.contact.id) === id && !o.busy) removeOffer(o.id);
    const existed = S.chats.has(id) && !S.chats.get(id).ended;
    const chat = ensureChat({ state: 'active', ...contact });
    if (chat.ended) return;
    if (S.acceptedContacts.has(id)) {
      S.acceptedContacts.delete(id);
      selectChat(id, { focus: 'composer' });
    } else if (!existed) {
      announce('console.chat.announceAssigned', { name: chatTitleParam(chat) });
    }
  }

  function onContactClosed(contactId, reason) {
    const id = String(contactId);
    if (S.callbacks.has(id)) return removeCallback(id);
    const chat = S.chats.get(id);
    if (!chat || S.closing.has(id)) return;
    markEnded(chat, reason);
  }

  // Every hello (first connection or a reconnection): the state, the open
  // chats and the messages missed meanwhile.
  async function resync(gen) {
    const known = [...S.chats.keys()];
    let items;
    try {
      const res = await api.get(`/api/v1/contacts?state=active&agent=${enc(S.me)}&limit=500`);
      items = res.items || [];
    } catch {
      return; // the next reconnect tries again
    }
    if (S.destroyed || S.socket?.generation !== gen) return;
    const active = new Set();
    for (const c of items) {
      const mine = !c.agents || c.agents.map(String).includes(S.me);
      if (!mine) continue;
      active.add(String(c.id));
      if (!S.closing.has(String(c.id))) ensureChat(c);
    }
    const loads = [];
    for (const id of known) {
      const chat = S.chats.get(id);
      if (!chat || chat.ended) continue;
      if (active.has(id)) loads.push(loadMessages(chat));
      else loads.push(checkStillOpen(chat));
    }
    await Promise.all(loads);
    if (!S.destroyed && S.socket?.generation === gen) flushOutbox();
  }

  // A chat missing from the active list may have just been assigned (the
  // list was read a moment before) or ended while we were away.
  async function checkStillOpen(chat) {
    try {
      const c = await api.get(`/api/v1/contacts/${enc(chat.id)}`);
      if (S.destroyed || S.chats.get(chat.id) !== chat) return;
      const mine = (c.agents || []).map(String).includes(S.me);
      if (c.state === 'active' && mine) {
        mergeContact(chat, c);
        await loadMessages(chat);
      } else {
        await loadMessages(chat).catch(() => {});
        markEnded(chat, c.state === 'waiting' ? 'transferred' : 'closed');
      }
    } catch (e) {
      if (e instanceof ApiError && e.status === 404 && S.chats.get(chat.id) === chat) markEnded(chat, 'closed');
    }
  }

  function onHello(frame, gen) {
    const reconnect = S.everConnected;
    S.everConnected = true;
    const before = S.chosen;
    setAgentState(frame.state || {});
    setConnection('open');
    if (reconnect) announce('console.connection.restored');
    loadCallbacks();
    // An offer still pending is sent again right after the hello, with the
    // time left; any other offer shown here has ended meanwhile.
    if (S.agent.activity !== 'offered') clearOffers();
    else {
      for (const o of S.offers.values()) o.stale = true;
      setTimeout(() => {
        if (S.destroyed) return;
        for (const o of [...S.offers.values()]) if (o.stale) removeOffer(o.id);
      }, 2000);
    }
    // The server restarted and knows us as offline: put back the status
    // the consultant had chosen.
    if (reconnect && before && before.status !== 'offline' && S.agent.status === 'offline') {
      putStatus(before.status, before.reason);
    }
    resync(gen);
  }

  function onFrame(frame, gen) {
    if (S.destroyed) return;
    switch (frame.type) {
      case 'hello':
        onHello(frame, gen);
        break;
      case 'state':
        setAgentState(frame);
        // The state is read when the frame is sent: not "offered" means no
        // offer is pending (accepted in another tab, or withdrawn).
        if (S.agent.activity !== 'offered') for (const o of [...S.offers.values()]) if (!o.busy) removeOffer(o.id);
        break;
      case 'offer':
        addOffer(frame);
        break;
      case 'offer_revoked':
        offerRevoked(frame.offer_id, frame.reason);
        break;
      case 'contact_assigned':
        onAssigned(frame.contact);
        break;
      case 'callback':
        showCallback(frame.callback);
        break;
      case 'contact_closed':
        onContactClosed(frame.contact_id, frame.reason);
        break;
      case 'message':
        onMessageFrame(frame.contact_id, frame.message);
        break;
      case 'typing':
        onTyping(frame.contact_id);
        break;
      case 'ack':
        onAck(frame);
        break;
      case 'error':
        onErrorFrame(frame);
        break;
      default:
        break; // stats, rtc: not for this view
    }
  }

  function onStatus(status) {
    if (S.destroyed || status === 'open' || status === 'stopped') return;
    const kind = S.everConnected ? 'lost' : 'connecting';
    // Said once per outage, not at every retry.
    if (els.connection.dataset.state !== kind) setConnection(kind);
  }

  function onAuthFailure() {
    // Either the session ended (the API's 401 handler shows the login form)
    // or this user has too many tabs open. A logout in another tab also
    // closes this socket; its message to this tab comes a moment later and
    // says more, so it is given time to arrive first.
    setTimeout(async () => {
      if (S.destroyed) return;
      try {
        await api.get('/api/v1/me');
      } catch {
        // a 401 is handled by onSessionLost
      }
    }, 500);
  }

  // ---- keyboard shortcuts ----------------------------------------------------

  function onKeydown(e) {
    // Alt alone: AltGr (Ctrl+Alt on Windows) types Polish letters (ą, ę, ń…).
    if (!e.altKey || e.ctrlKey || e.metaKey || e.getModifierState?.('AltGraph')) return;
    if (view.closest('[hidden]')) return;
    let handled = true;
    switch (e.code) {
      case 'KeyA': {
        const o = firstOffer();
        if (o) acceptOffer(o.id);
        else announce('console.offers.none');
        break;
      }
      case 'KeyR': {
        const o = firstOffer();
        if (o) rejectOffer(o.id);
        else announce('console.offers.none');
        break;
      }
      case 'KeyN':
        moveSelection(1);
        break;
      case 'KeyP':
        moveSelection(-1);
        break;
      case 'KeyT': {
        const chat = S.selected ? S.chats.get(S.selected) : null;
        if (chat && !chat.ended) chat.canned.open();
        break;
      }
      case 'KeyI': {
        const chat = S.selected ? S.chats.get(S.selected) : null;
        if (chat && !chat.ended) {
          chat.refs.internal.checked = !chat.refs.internal.checked;
          renderComposerMode(chat);
          announce(chat.refs.internal.checked ? 'console.composer.internalOn' : 'console.composer.internalOff');
        }
        break;
      }
      default:
        handled = false;
    }
    if (handled) e.preventDefault();
  }
  document.addEventListener('keydown', onKeydown);
  cleanups.push(() => document.removeEventListener('keydown', onKeydown));

  const onVisible = () => {
    if (document.visibilityState !== 'visible' || !S.selected) return;
    const chat = S.chats.get(S.selected);
    if (chat && chat.unread) {
      chat.unread = 0;
      renderUnread(chat);
    }
  };
  document.addEventListener('visibilitychange', onVisible);
  cleanups.push(() => document.removeEventListener('visibilitychange', onVisible));

  // Times and durations follow a language switch (texts do by themselves).
  cleanups.push(
    onLanguageChange(() => {
      for (const time of view.querySelectorAll('time[datetime]')) {
        if (time.dateTime) time.textContent = formatTime(time.dateTime);
      }
      renderAgentState();
    }),
  );

  // ---- start -------------------------------------------------------------------

  renderAgentState();
  setConnection('connecting');
  loadTransferTargets();
  const dayView = createDayView();
  view.append(dayView.root);
  cleanups.push(dayView.destroy);
  S.socket = createAgentSocket({ onFrame, onStatus, onAuthFailure });

  return {
    // Before logging out: no more offers for someone who has left.
    async goOffline() {
      if (S.destroyed || S.agent.status === 'offline') return;
      try {
        await api.put('/api/v1/agents/me/state', { state: 'offline' });
      } catch {
        // logging out goes on
      }
    },
    destroy() {
      if (S.destroyed) return;
      S.destroyed = true;
      S.socket?.stop();
      for (const o of S.offers.values()) clearInterval(o.timer);
      for (const c of S.chats.values()) clearTimeout(c.typingTimer);
      for (const timer of announceTimers.values()) clearTimeout(timer);
      for (const fn of cleanups) fn();
      root.replaceChildren();
    },
    get userId() {
      return S.me;
    },
    // The chat in the selected tab, for panels such as cases (js/tickets.js).
    selectedChat() {
      const chat = S.selected ? S.chats.get(S.selected) : null;
      if (!chat) return null;
      return { id: chat.id, topic: chat.contact?.topic ?? null, residentName: chat.contact?.resident?.name ?? '' };
    },
  };
}
