// The messages of one conversation as the console knows them: stored
// messages (with the server's id, in id order) followed by the consultant's
// own messages still waiting for their `ack` (in the order they were typed).
//
// The same stored message may reach the console several times — as a live
// `message` frame, in the `ack` of our own send, and again from
// GET /messages?after= after a reconnect — and is kept once, by id. A
// message the consultant sent is shown at once as pending; it keeps its
// place in the list and takes the stored id from whichever of the three
// arrives first. No DOM here: the console renders `items`.

// Message ids are decimal strings that increase within a chat; compared as
// numbers of any size without BigInt (shorter is smaller, then by digits).
export function compareIds(a, b) {
  const x = String(a);
  const y = String(b);
  if (/^\d+$/.test(x) && /^\d+$/.test(y)) {
    const nx = x.replace(/^0+(?=\d)/, '');
    const ny = y.replace(/^0+(?=\d)/, '');
    if (nx.length !== ny.length) return nx.length - ny.length;
    return nx < ny ? -1 : nx > ny ? 1 : 0;
  }
  return x < y ? -1 : x > y ? 1 : 0;
}

let localSeq = 0;

// A client_msg_id: unique per tab and send, at most 64 characters.
export function newClientMsgId() {
  localSeq += 1;
  const random =
    typeof crypto !== 'undefined' && crypto.randomUUID
      ? crypto.randomUUID()
      : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
  return `c-${random}-${localSeq}`;
}

export class MessageLog {
  // `me`: the consultant's user id (string), to recognise our own messages.
  constructor(me) {
    this.me = String(me ?? '');
    this.items = []; // {key, id|null, message, status: 'sent'|'pending'|'failed', clientMsgId, text, internal, error}
    this.byId = new Map();
    this.byClientId = new Map();
    this.lastId = null; // highest stored id seen, for ?after=
  }

  get size() {
    return this.items.length;
  }

  isMine(message) {
    return message?.author?.kind === 'agent' && this.me !== '' && String(message.author.id ?? '') === this.me;
  }

  // A stored message (from a frame or a REST list). Returns
  // {item, added: boolean, adopted: boolean}: `added` when it was not shown
  // before, `adopted` when it is one of our pending messages that now has its id.
  addStored(message) {
    const id = String(message.id);
    const existing = this.byId.get(id);
    if (existing) {
      existing.message = { ...existing.message, ...message };
      return { item: existing, added: false, adopted: false };
    }
    this.#noteId(id);
    if (this.isMine(message)) {
      // The stored copy of something we typed in this tab, arriving before
      // its ack: the oldest pending message with the same text and kind.
      const pending = this.items.find(
        (it) => it.id === null && it.text === message.text && Boolean(it.internal) === Boolean(message.internal),
      );
      if (pending) {
        this.#settle(pending, id, message);
        return { item: pending, added: false, adopted: true };
      }
    }
    const item = {
      key: `m${id}`,
      id,
      message,
      status: 'sent',
      clientMsgId: null,
      text: message.text,
      internal: Boolean(message.internal),
      error: null,
    };
    this.byId.set(id, item);
    this.#insertStored(item);
    return { item, added: true, adopted: false };
  }

  // Our own message, shown at once and sent (again) until it is acked.
  addPending({ clientMsgId, text, internal, author, createdAt = new Date().toISOString() }) {
    const item = {
      key: `c${clientMsgId}`,
      id: null,
      message: { author, text, internal: Boolean(internal), created_at: createdAt },
      status: 'pending',
      clientMsgId,
      text,
      internal: Boolean(internal),
      error: null,
    };
    this.byClientId.set(clientMsgId, item);
    this.items.push(item);
    return item;
  }

  // `ack` {client_msg_id, id}. Returns {item, removed}: `removed` is a pending
  // item dropped because the stored message was already shown on its own.
  ack(clientMsgId, id) {
    const item = this.byClientId.get(clientMsgId);
    if (!item) return { item: null, removed: null };
    const sid = String(id);
    const shown = this.byId.get(sid);
    if (shown && shown !== item) {
      this.#remove(item);
      shown.clientMsgId = clientMsgId;
      this.byClientId.set(clientMsgId, shown);
      return { item: shown, removed: item };
    }
    if (item.id === null) {
      this.#noteId(sid);
      this.#settle(item, sid, { ...item.message, id: sid });
    }
    return { item, removed: null };
  }

  fail(clientMsgId, error) {
    const item = this.byClientId.get(clientMsgId);
    if (!item || item.id !== null) return null;
    item.status = 'failed';
    item.error = error;
    return item;
  }

  retry(clientMsgId) {
    const item = this.byClientId.get(clientMsgId);
    if (!item || item.id !== null) return null;
    item.status = 'pending';
    item.error = null;
    return item;
  }

  // Our messages that still need sending (pending, not failed).
  unsent() {
    return this.items.filter((it) => it.id === null && it.status === 'pending');
  }

  #noteId(id) {
    if (this.lastId === null || compareIds(id, this.lastId) > 0) this.lastId = id;
  }

  #settle(item, id, message) {
    item.id = id;
    item.status = 'sent';
    item.error = null;
    item.message = { ...item.message, ...message, id };
    this.byId.set(id, item);
    // A pending item sits after every stored one; settled, it moves to its
    // place by id (normally it stays where it is).
    this.#remove(item);
    this.#insertStored(item);
  }

  #remove(item) {
    const i = this.items.indexOf(item);
    if (i >= 0) this.items.splice(i, 1);
    if (item.clientMsgId && this.byClientId.get(item.clientMsgId) === item) this.byClientId.delete(item.clientMsgId);
  }

  #insertStored(item) {
    if (item.clientMsgId) this.byClientId.set(item.clientMsgId, item);
    // After the last stored item with a smaller id; before every pending one.
    let i = this.items.length;
    while (i > 0) {
      const prev = this.items[i - 1];
      if (prev.id !== null && compareIds(prev.id, item.id) < 0) break;
      i -= 1;
    }
    this.items.splice(i, 0, item);
  }
}
