// The resident side of a chat: REST to create it, /ws/chat for live frames,
// reconnection with backoff, catching up on missed messages, and an outbox
// kept in localStorage so messages typed while offline are sent once the
// connection is back (with the same client_msg_id, so the server stores each
// one once). No DOM here: the view listens to the events below.
//
// Events (CustomEvent, data in `detail`):
//   message      {message}            a server message not seen before (any order;
//                                     the view places it by id)
//   outbox       {entries}            the unsent/unacknowledged messages changed
//   state        {state}              bot | waiting | active | closed
//   queue        {position, ewt_seconds}
//   agent_joined {name}
//   typing       {}
//   rating       {status, code?}      sent | already | failed
//   rating_request {}
//   connection   {status, retryIn?}   connecting | online | offline
//   notice       {code}               an error the resident should see
//   lost         {}                   the chat no longer exists on the server
//   synced       {upTo}               a catch-up fetch has completed
//
// Store layout (localStorage, this origin only):
//   centrala.widget.chat    {chatId, token, lang, rated, closed, erased}
//   centrala.widget.outbox  [{cmid, text, at, failed?}]
//   centrala.widget.resident  a random key sent with each new chat, so the
//                             consultant sees this browser's earlier chats

const CHAT_KEY = 'centrala.widget.chat';
const OUTBOX_KEY = 'centrala.widget.outbox';
const RESIDENT_KEY = 'centrala.widget.resident';
const MAX_BACKOFF_MS = 15_000;
const CONNECT_TIMEOUT_MS = 10_000;
const RETRYABLE = new Set(['rate_limited', 'overloaded', 'not_ready', 'unavailable']);

// Message ids are decimal strings without leading zeros.
export function compareIds(a, b) {
  const x = String(a);
  const y = String(b);
  if (x.length !== y.length) return x.length - y.length;
  return x < y ? -1 : x > y ? 1 : 0;
}

function maxId(a, b) {
  if (!a) return b;
  if (!b) return a;
  return compareIds(a, b) >= 0 ? a : b;
}

export function newClientMsgId() {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return 'w-' + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

// localStorage that degrades to memory when storage is blocked.
class Store {
  constructor(storage) {
    this.storage = storage;
    this.memory = new Map();
  }

  get(key, fallback) {
    try {
      const raw = this.storage ? this.storage.getItem(key) : this.memory.get(key);
      return raw == null ? fallback : JSON.parse(raw);
    } catch {
      return fallback;
    }
  }

  set(key, value) {
    const raw = JSON.stringify(value);
    try {
      if (this.storage) {
        this.storage.setItem(key, raw);
        return;
      }
    } catch {
      this.storage = null; // quota or disabled: keep going in memory
    }
    this.memory.set(key, raw);
  }

  remove(key) {
    try {
      this.storage?.removeItem(key);
    } catch {
      // ignore
    }
    this.memory.delete(key);
  }
}

function defaultStorage() {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

export class ChatClient extends EventTarget {
  constructor({ base = location.origin, storage = defaultStorage() } = {}) {
    super();
    this.base = base;
    this.store = new Store(storage);
    this.chat = this.store.get(CHAT_KEY, null);
    this.seen = new Set(); // message ids already handed to the view
    this.synced = '0'; // every message up to this id has been received
    this.state = this.chat?.closed ? 'closed' : null;
    this.ws = null;
    this.status = 'offline';
    this.attempt = 0;
    this.retryTimer = null;
    this.catchingUp = false;
    this.liveMax = null;
    this.inFlight = new Set(); // client_msg_ids sent on the current socket
    this.resendTimer = null;
    this.lastTypingSent = 0;
    this.pendingRating = null;
    this.stopped = true;

    window.addEventListener('online', () => {
      if (!this.stopped && this.status !== 'online') this.connectNow();
    });
    window.addEventListener('offline', () => {
      // The socket may take minutes to notice, and its closing handshake
      // cannot finish without a network: let go of it now (its late close
      // event is ignored), say so, and start over once we are back.
      if (this.stopped || !this.ws) return;
      const ws = this.ws;
      this.ws = null;
      this.inFlight.clear();
      this.catchingUp = false;
      ws.close(4000, 'offline');
      this.scheduleReconnect();
    });
    document.addEventListener('visibilitychange', () => {
      // Phones drop sockets of pages in the background.
      if (document.visibilityState === 'visible' && !this.stopped && this.status === 'offline') this.connectNow();
    });
    window.addEventListener('storage', (e) => {
      if (e.key === OUTBOX_KEY) this.emit('outbox', { entries: this.outbox() });
    });
  }

  get chatId() {
    return this.chat?.chatId ?? null;
  }

  get lang() {
    return this.chat?.lang ?? null;
  }

  get rated() {
    return Boolean(this.chat?.rated);
  }

  // Ended because the resident's data was erased (RODO): no rating either.
  get erased() {
    return Boolean(this.chat?.erased);
  }

  hasChat() {
    return Boolean(this.chat?.chatId && this.chat?.token);
  }

  emit(type, detail = {}) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  // ---- creating and resuming ------------------------------------------------

  // This browser's resident key (created once; 128 random bits).
  residentKey() {
    let key = this.store.get(RESIDENT_KEY, null);
    if (typeof key !== 'string' || !/^[A-Za-z0-9_-]{16,128}$/.test(key)) {
      const bytes = new Uint8Array(16);
      crypto.getRandomValues(bytes);
      key = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
      this.store.set(RESIDENT_KEY, key);
    }
    return key;
  }

  async create({ name, topic, lang }) {
    const body = { lang, resident_key: this.residentKey() };
    if (name) body.name = name;
    if (topic) body.topic = topic;
    let res;
    try {
      res = await fetch(this.base + '/api/v1/public/chats', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
        credentials: 'omit',
      });
    } catch {
      throw Object.assign(new Error('network'), { code: 'network' });
    }
    const data = await res.json().catch(() => ({}));
    if (res.status !== 201 || !data.chat_id || !data.visitor_token) {
      const code = data?.error?.code || 'unknown';
      throw Object.assign(new Error(data?.error?.message || code), { code: res.status === 429 ? 'rate_limited_create' : code });
    }
    this.chat = { chatId: String(data.chat_id), token: data.visitor_token, lang, rated: false, closed: false };
    this.store.set(CHAT_KEY, this.chat);
    this.store.remove(OUTBOX_KEY);
    this.seen.clear();
    this.synced = '0';
    this.state = 'bot';
    this.start();
  }

  // Connects (or reconnects) to the stored chat.
  start() {
    if (!this.hasChat()) return;
    this.stopped = false;
    this.connectNow();
  }

  // Forgets the chat (after it ended, or when it is gone), to start a new one.
  forget() {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearTimeout(this.resendTimer);
    const ws = this.ws;
    this.ws = null;
    if (ws) ws.close(1000, 'new conversation');
    this.chat = null;
    this.state = null;
    this.seen.clear();
    this.synced = '0';
    this.inFlight.clear();
    this.store.remove(CHAT_KEY);
    this.store.remove(OUTBOX_KEY);
    this.setStatus('offline');
  }

  // ---- the socket -----------------------------------------------------------

  wsUrl() {
    const u = new URL('/ws/chat', this.base);
    u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
    return u.href;
  }

  setStatus(status, extra = {}) {
    this.status = status;
    this.emit('connection', { status, ...extra });
  }

  connectNow() {
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (this.stopped || !this.hasChat()) return;
    if (this.ws && (this.ws.readyState === WebSocket.CONNECTING || this.ws.readyState === WebSocket.OPEN)) return;
    this.setStatus('connecting');
    let ws;
    try {
      ws = new WebSocket(this.wsUrl());
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    this.inFlight.clear();
    let authenticated = false;
    // A connection that neither fails nor says hello (a dead network path)
    // is given up on, so the backoff goes on.
    const helloTimer = setTimeout(() => {
      if (this.ws === ws && !authenticated) ws.close(4002, 'no hello');
    }, CONNECT_TIMEOUT_MS);
    ws.addEventListener('open', () => {
      if (this.ws !== ws) return;
      ws.send(JSON.stringify({ type: 'auth', visitor_token: this.chat.token }));
    });
    ws.addEventListener('message', (e) => {
      if (this.ws !== ws) return;
      let frame;
      try {
        frame = JSON.parse(e.data);
      } catch {
        return;
      }
      if (!frame || typeof frame.type !== 'string') return;
      if (frame.type === 'hello') authenticated = true;
      this.onFrame(frame);
    });
    ws.addEventListener('close', (e) => {
      clearTimeout(helloTimer);
      if (this.ws !== ws) return;
      this.ws = null;
      this.inFlight.clear();
      this.catchingUp = false;
      if (this.stopped) return;
      if (e.code === 1008 && !authenticated) {
        this.checkGone();
        return;
      }
      this.scheduleReconnect();
    });
  }

  scheduleReconnect() {
    if (this.stopped) return;
    clearTimeout(this.retryTimer);
    // 0.5 s, 1 s, 2 s, 4 s, 8 s, 15 s … with ±25 % jitter so a restarted
    // server is not hit by every widget in the same millisecond.
    const base = Math.min(MAX_BACKOFF_MS, 500 * 2 ** this.attempt);
    const delay = Math.round(base * (0.75 + Math.random() * 0.5));
    this.attempt = Math.min(this.attempt + 1, 10);
    this.setStatus('offline', { retryIn: delay });
    this.retryTimer = setTimeout(() => this.connectNow(), delay);
  }

  // A refused authentication: is the chat gone, or was the server just not ready?
  async checkGone() {
    try {
      const res = await this.fetchMessages('0', 1);
      if (res.status === 404) {
        this.stopped = true;
        this.emit('lost');
        return;
      }
    } catch {
      // network trouble: keep trying
    }
    this.scheduleReconnect();
  }

  send(frame) {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN || this.status !== 'online') return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  onFrame(f) {
    switch (f.type) {
      case 'hello':
        this.attempt = 0;
        this.setStatus('online');
        if (typeof f.state === 'string') this.setState(f.state === 'abandoned' ? 'closed' : f.state);
        // Nothing new since we last heard (a short network blip, a restart
        // with nothing said meanwhile): no need to ask.
        if (f.last_message_id != null && this.synced !== '0' && compareIds(String(f.last_message_id), this.synced) <= 0) {
          this.flushOutbox();
        } else {
          this.catchUp();
        }
        break;
      case 'message':
        this.receive(f, { live: true });
        break;
      case 'ack':
        this.onAck(f);
        break;
      case 'queue':
        this.setState('waiting');
        this.emit('queue', { position: Number(f.position) || 0, ewt_seconds: Number(f.ewt_seconds) || 0 });
        break;
      case 'state':
        // Back with the advisor (a call back took the chat's place in line).
        if (f.state === 'bot') this.setState('bot');
        break;
      case 'agent_joined':
        this.setState('active');
        this.emit('agent_joined', { name: typeof f.name === 'string' ? f.name : '' });
        break;
      case 'typing':
        this.emit('typing', {});
        break;
      case 'closed':
        if (f.reason === 'erased' && this.chat && !this.chat.erased) {
          this.chat.erased = true;
          this.store.set(CHAT_KEY, this.chat);
        }
        this.setState('closed');
        // The closing notice is stored after the chat leaves the live set,
        // so it only arrives by asking for it.
        setTimeout(() => this.catchUp(), 300);
        break;
      case 'rating_request':
        this.emit('rating_request', {});
        break;
      case 'error':
        this.onError(f);
        break;
      default:
        break; // rtc and future frames
    }
  }

  setState(state) {
    if (state === this.state) return;
    this.state = state;
    if (state === 'closed' && this.chat && !this.chat.closed) {
      this.chat.closed = true;
      this.store.set(CHAT_KEY, this.chat);
    }
    this.emit('state', { state });
  }

  // ---- messages -------------------------------------------------------------

  fetchMessages(after, limit) {
    const u = new URL(`/api/v1/public/chats/${encodeURIComponent(this.chat.chatId)}/messages`, this.base);
    u.searchParams.set('after', after);
    if (limit) u.searchParams.set('limit', String(limit));
    return fetch(u, { headers: { 'X-Visitor-Token': this.chat.token }, credentials: 'omit', cache: 'no-store' });
  }

  // Asks for every message after the last one known to be in sequence, then
  // sends the outbox. Frames arriving meanwhile are shown at once; the ids
  // keep each message shown once and in place.
  async catchUp() {
    if (this.catchingUp || !this.hasChat()) return;
    this.catchingUp = true;
    this.liveMax = null;
    const ws = this.ws;
    try {
      let after = this.synced;
      for (let page = 0; page < 100; page++) {
        const res = await this.fetchMessages(after);
        if (res.status === 404) {
          this.stopped = true;
          this.emit('lost');
          return;
        }
        if (!res.ok) throw new Error(`messages: HTTP ${res.status}`);
        const data = await res.json();
        const items = Array.isArray(data.items) ? data.items : [];
        for (const m of items) this.receive(m, { live: false });
        for (const m of items) after = maxId(after, String(m.id));
        if (!data.next) break;
        after = String(data.next);
      }
      // The socket has carried every message since hello, and the pages
      // everything before: together they are complete up to the later end.
      this.synced = maxId(maxId(this.synced, after), ws ? this.liveMax : null);
    } catch {
      // Try again with the next connection; the socket may be going down.
      this.catchingUp = false;
      if (this.ws === ws && ws) ws.close(4001, 'catch-up failed');
      return;
    }
    this.catchingUp = false;
    this.emit('synced', { upTo: this.synced });
    if (this.ws === ws && this.status === 'online') this.flushOutbox();
  }

  receive(m, { live }) {
    if (!m || m.id == null) return;
    const id = String(m.id);
    // Live frames are in order once caught up: they extend the sequence.
    // While catching up they start the tail that the fetched page joins.
    if (live) {
      if (this.catchingUp) this.liveMax = maxId(this.liveMax, id);
      else this.synced = maxId(this.synced, id);
    }
    if (this.seen.has(id)) return;
    this.seen.add(id);
    const message = {
      id,
      kind: m.author?.kind || 'system',
      name: typeof m.author?.name === 'string' ? m.author.name : '',
      text: typeof m.text === 'string' ? m.text : '',
      buttons: Array.isArray(m.buttons) ? m.buttons.filter((b) => b && typeof b.value === 'string') : [],
      links: Array.isArray(m.links) ? m.links.filter((l) => l && typeof l.url === 'string' && typeof l.label === 'string') : [],
      createdAt: typeof m.created_at === 'string' ? m.created_at : '',
    };
    if (live && message.kind === 'resident') this.matchOwn(message);
    this.emit('message', { message, live });
  }

  // ---- the outbox -----------------------------------------------------------

  outbox() {
    return this.store.get(OUTBOX_KEY, []).filter((e) => e && typeof e.cmid === 'string');
  }

  saveOutbox(entries) {
    if (entries.length) this.store.set(OUTBOX_KEY, entries);
    else this.store.remove(OUTBOX_KEY);
    this.emit('outbox', { entries });
  }

  // The server sends our own message back just before the ack: if its text
  // is that of a message sent on this socket and not yet acknowledged, it is
  // that one (the oldest such), and it leaves the outbox now rather than a
  // moment later. A copy found by fetching is left alone: the re-send is
  // acked with the stored id, and that clears it.
  matchOwn(message) {
    const entries = this.outbox();
    const i = entries.findIndex((e) => !e.failed && this.inFlight.has(e.cmid) && e.text === message.text);
    if (i < 0) return;
    message.cmid = entries[i].cmid;
    entries.splice(i, 1);
    this.saveOutbox(entries);
  }

  sendMessage(text) {
    if (this.state === 'closed') return false;
    const entry = { cmid: newClientMsgId(), text, at: new Date().toISOString() };
    const entries = this.outbox();
    entries.push(entry);
    this.saveOutbox(entries);
    if (this.status === 'online' && !this.catchingUp) this.flushOutbox();
    return true;
  }

  flushOutbox() {
    clearTimeout(this.resendTimer);
    if (this.state === 'closed') {
      const entries = this.outbox();
      if (entries.some((e) => !e.failed)) this.saveOutbox(entries.map((e) => ({ ...e, failed: e.failed || 'chat_closed' })));
      return;
    }
    for (const e of this.outbox()) {
      if (e.failed || this.inFlight.has(e.cmid)) continue;
      if (!this.send({ type: 'message', text: e.text, client_msg_id: e.cmid })) return;
      this.inFlight.add(e.cmid);
    }
  }

  onAck(f) {
    if (f.kind === 'rating') {
      this.ratingDone('sent');
      return;
    }
    if (typeof f.client_msg_id !== 'string') return;
    this.inFlight.delete(f.client_msg_id);
    const entries = this.outbox();
    const i = entries.findIndex((e) => e.cmid === f.client_msg_id);
    if (i >= 0) {
      entries.splice(i, 1);
      this.saveOutbox(entries);
    }
    // A repeated client_msg_id is acked with the first id and not delivered
    // again: if we have not seen that message yet, fetch it.
    if (f.id != null && !this.seen.has(String(f.id)) && !this.catchingUp) {
      setTimeout(() => {
        if (!this.seen.has(String(f.id))) this.catchUp();
      }, 500);
    }
  }

  onError(f) {
    const code = typeof f.code === 'string' ? f.code : 'unknown';
    const cmid = typeof f.client_msg_id === 'string' ? f.client_msg_id : null;
    if (cmid && this.pendingRating === cmid) {
      this.ratingDone(code === 'already_rated' || code === 'conflict' ? 'already' : 'failed', code);
      return;
    }
    if (cmid) {
      this.inFlight.delete(cmid);
      if (RETRYABLE.has(code)) {
        this.emit('notice', { code });
        clearTimeout(this.resendTimer);
        this.resendTimer = setTimeout(() => this.flushOutbox(), 5000);
        return;
      }
      const entries = this.outbox().map((e) => (e.cmid === cmid ? { ...e, failed: code } : e));
      this.saveOutbox(entries);
      if (code === 'chat_closed') this.setState('closed');
      return;
    }
    if (code === 'chat_closed') this.setState('closed');
    this.emit('notice', { code });
  }

  // Failed entries are shown with the reason until dismissed or retried.
  dismiss(cmid) {
    this.saveOutbox(this.outbox().filter((e) => e.cmid !== cmid));
  }

  // ---- other actions ----------------------------------------------------------

  handoff() {
    return this.send({ type: 'handoff' });
  }

  button(value) {
    return this.send({ type: 'button', value });
  }

  typing() {
    const now = Date.now();
    if (now - this.lastTypingSent < 3000) return;
    if (this.state !== 'active' && this.state !== 'waiting') return;
    if (this.send({ type: 'typing' })) this.lastTypingSent = now;
  }

  // The resident ends the chat (REST, so there is an answer either way).
  // Resolves to {ok: true} once the server has it ended (also when it had
  // ended already), or {ok: false, code}.
  async end() {
    if (!this.chat) return { ok: false, code: 'chat_not_found' };
    let code = 'network';
    try {
      const res = await fetch(this.base + `/api/v1/public/chats/${encodeURIComponent(this.chat.chatId)}/end`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Visitor-Token': this.chat.token },
        body: '{}',
        credentials: 'omit',
      });
      const data = res.ok ? null : await res.json().catch(() => ({}));
      code = data?.error?.code || 'unknown';
      if (res.ok || code === 'chat_closed') {
        this.setState('closed');
        // The closing notice is stored a moment after the answer.
        setTimeout(() => this.catchUp(), 300);
        return { ok: true };
      }
    } catch {
      // offline: code stays 'network'
    }
    return { ok: false, code };
  }

  // Over the socket when it is up, otherwise over REST. Either way once.
  async rate(score, comment) {
    if (this.rated) {
      this.emit('rating', { status: 'already' });
      return;
    }
    const cmid = newClientMsgId();
    const frame = { type: 'rating', score, client_msg_id: cmid };
    if (comment) frame.comment = comment;
    this.pendingRating = cmid;
    if (this.send(frame)) return;
    try {
      const res = await fetch(this.base + `/api/v1/public/chats/${encodeURIComponent(this.chat.chatId)}/rating`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Visitor-Token': this.chat.token },
        body: JSON.stringify(comment ? { score, comment } : { score }),
        credentials: 'omit',
      });
      if (res.ok) this.ratingDone('sent');
      else if (res.status === 409) this.ratingDone('already');
      else {
        const data = await res.json().catch(() => ({}));
        this.ratingDone('failed', data?.error?.code || 'unknown');
      }
    } catch {
      this.ratingDone('failed', 'network');
    }
  }

  ratingDone(status, code) {
    this.pendingRating = null;
    if ((status === 'sent' || status === 'already') && this.chat) {
      this.chat.rated = true;
      this.store.set(CHAT_KEY, this.chat);
    }
    this.emit('rating', { status, code });
  }
}
