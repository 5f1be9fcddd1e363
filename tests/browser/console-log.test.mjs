// The console's message bookkeeping (web/js/conversation.js) on its own, no
// browser: every message shown once whichever way it arrives (live frame,
// ack, ?after= reload), pending messages keeping their place, id order.

import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';

import { WEB_ROOT } from './support/harness.mjs';

const { MessageLog, compareIds, newClientMsgId } = await import(pathToFileURL(path.join(WEB_ROOT, 'js', 'conversation.js')).href);

const ME = '7';
const resident = (id, text) => ({ id: String(id), author: { kind: 'resident', name: 'Jan' }, text, internal: false, created_at: '2026-02-13T09:15:00Z' });
const mine = (id, text, internal = false) => ({ id: String(id), author: { kind: 'agent', name: 'Ewa', id: ME }, text, internal, created_at: '2026-02-13T09:15:00Z' });
const view = (log) => log.items.map((it) => `${it.id ?? '-'}:${it.status}:${it.text}`);

test('ids compare as numbers of any length', () => {
  assert.ok(compareIds('9', '10') < 0);
  assert.ok(compareIds('10', '9') > 0);
  assert.equal(compareIds('42', '42'), 0);
  assert.ok(compareIds('123456789012345678901', '123456789012345678902') < 0);
  assert.ok(compareIds('007', '7') === 0);
});

test('client_msg_ids are unique and at most 64 characters', () => {
  const ids = new Set(Array.from({ length: 200 }, () => newClientMsgId()));
  assert.equal(ids.size, 200);
  for (const id of ids) assert.ok(id.length <= 64, id);
});

test('the same stored message from a frame and from ?after= is kept once, in id order', () => {
  const log = new MessageLog(ME);
  assert.equal(log.addStored(resident(3, 'c')).added, true);
  assert.equal(log.addStored(resident(1, 'a')).added, true);
  assert.equal(log.addStored(resident(3, 'c')).added, false);
  log.addStored(resident(2, 'b'));
  log.addStored(resident(1, 'a'));
  assert.deepEqual(view(log), ['1:sent:a', '2:sent:b', '3:sent:c']);
  assert.equal(log.lastId, '3');
});

test('a pending message takes its id from the ack and stays where it is', () => {
  const log = new MessageLog(ME);
  log.addStored(resident(1, 'pytanie'));
  const p = log.addPending({ clientMsgId: 'c1', text: 'odpowiedź', internal: false, author: { kind: 'agent', id: ME } });
  assert.deepEqual(view(log), ['1:sent:pytanie', '-:pending:odpowiedź']);
  // A resident message stored meanwhile goes before the pending one.
  log.addStored(resident(2, 'jeszcze'));
  assert.deepEqual(view(log), ['1:sent:pytanie', '2:sent:jeszcze', '-:pending:odpowiedź']);
  const r = log.ack('c1', '3');
  assert.equal(r.item, p);
  assert.equal(r.removed, null);
  assert.deepEqual(view(log), ['1:sent:pytanie', '2:sent:jeszcze', '3:sent:odpowiedź']);
  // The frame with the stored copy, after the ack: nothing new.
  assert.equal(log.addStored(mine(3, 'odpowiedź')).added, false);
  assert.equal(log.size, 3);
});

test('the stored copy arriving before the ack is adopted by the pending message', () => {
  const log = new MessageLog(ME);
  const p = log.addPending({ clientMsgId: 'c1', text: 'tak', internal: false, author: { kind: 'agent', id: ME } });
  const q = log.addPending({ clientMsgId: 'c2', text: 'tak', internal: false, author: { kind: 'agent', id: ME } });
  const first = log.addStored(mine(10, 'tak'));
  assert.equal(first.adopted, true);
  assert.equal(first.item, p, 'the oldest pending message with that text');
  assert.deepEqual(view(log), ['10:sent:tak', '-:pending:tak']);
  assert.equal(log.ack('c1', '10').removed, null);
  assert.equal(log.ack('c2', '11').item, q);
  assert.deepEqual(view(log), ['10:sent:tak', '11:sent:tak']);
  // A note is never mistaken for a reply with the same text.
  const n = log.addPending({ clientMsgId: 'c3', text: 'x', internal: true, author: { kind: 'agent', id: ME } });
  assert.equal(log.addStored(mine(12, 'x', false)).added, true);
  assert.equal(n.id, null);
  assert.equal(log.addStored(mine(13, 'x', true)).adopted, true);
  assert.equal(n.id, '13');
});

test('a message sent from another tab of the same consultant is simply shown', () => {
  const log = new MessageLog(ME);
  assert.equal(log.addStored(mine(5, 'z innej karty')).added, true);
  assert.deepEqual(view(log), ['5:sent:z innej karty']);
});

test('an ack for an id already shown on its own drops the pending copy', () => {
  const log = new MessageLog(ME);
  log.addPending({ clientMsgId: 'c1', text: 'a', internal: false, author: { kind: 'agent', id: ME } });
  // Shown from another path whose text differs (e.g. trimmed by a server).
  log.addStored(mine(4, 'a '));
  const r = log.ack('c1', '4');
  assert.ok(r.removed);
  assert.deepEqual(view(log), ['4:sent:a ']);
});

test('failed messages can be retried and are listed as unsent until acked', () => {
  const log = new MessageLog(ME);
  log.addPending({ clientMsgId: 'c1', text: 'a', internal: false, author: { kind: 'agent', id: ME } });
  log.addPending({ clientMsgId: 'c2', text: 'b', internal: false, author: { kind: 'agent', id: ME } });
  log.fail('c1', { code: 'overloaded' });
  assert.deepEqual(log.unsent().map((it) => it.clientMsgId), ['c2']);
  assert.deepEqual(view(log), ['-:failed:a', '-:pending:b']);
  log.retry('c1');
  assert.deepEqual(log.unsent().map((it) => it.clientMsgId), ['c1', 'c2']);
  log.ack('c2', '8');
  log.ack('c1', '9');
  assert.deepEqual(view(log), ['8:sent:b', '9:sent:a']);
  assert.equal(log.unsent().length, 0);
  assert.equal(log.fail('c1', {}), null, 'a stored message cannot fail any more');
});
