// The agent console at / (after login) against the real server in headless
// Chromium. Residents are simulated through the public chat REST API.
// Covers: status, an offer with sound and countdown accepted with Alt+A,
// replies and internal notes (the resident sees the one, not the other),
// closing with a disposition, two chats in tabs with unread counts and a
// transfer, markup in resident text shown as text, a server restart in the
// middle of a conversation (reconnect, missed messages once, the pending
// reply sent once), axe-core on the console, and no CSP violations.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { axeSource, freePort, launchBrowser, runAxe, staffLogin, startServer, watchPage } from './support/harness.mjs';

const AGENTS = {
  ewa: { username: 'ewa', password: 'Ewa-Haslo-2026!!', role: 'agent', displayName: 'Ewa Konsultantka' },
  olek: { username: 'olek', password: 'Olek-Haslo-2026!', role: 'agent', displayName: 'Aleksander Nowak' },
  iga: { username: 'iga', password: 'Iga-Haslo-2026!!', role: 'agent', displayName: 'Iga Malinowska' },
  tomek: { username: 'tomek', password: 'Tomek-Haslo-2026', role: 'agent', displayName: 'Tomasz Lis' },
  ula: { username: 'ula', password: 'Ula-Haslo-2026!!', role: 'agent', displayName: 'Urszula Bąk' },
  zosia: { username: 'zosia', password: 'Zosia-Haslo-2026', role: 'agent', displayName: 'Zofia Kamińska' },
  marek: { username: 'marek', password: 'Marek-Haslo-2026', role: 'agent', displayName: 'Marek Zając' },
  kuba: { username: 'kuba', password: 'Kuba-Haslo-2026!', role: 'agent', displayName: 'Jakub Wróbel' },
  ola: { username: 'ola', password: 'Ola-Haslo-2026!!', role: 'agent', displayName: 'Aleksandra Sowa' },
  staszek: { username: 'staszek', password: 'Staszek-Haslo-26', role: 'agent', displayName: 'Stanisław Kos' },
  jola: { username: 'jola', password: 'Jola-Haslo-2026!!', role: 'agent', displayName: 'Jolanta Pawlak' },
};
// Reads contacts the consultants no longer serve (closed, transferred).
const SUPERVISOR = { username: 'kierownik', password: 'Kierownik-2026!!', role: 'supervisor', displayName: 'Kierowniczka Zmiany' };
// Erases a resident's data (RODO).
const ADMIN = { username: 'admin', password: 'Admin-Haslo-2026!', role: 'admin', displayName: 'Administrator' };

let server;
let browser;
let axe;
let listen;
const problems = []; // one list per page, from watchPage()
const contexts = [];

function configure(config) {
  // The taxes department's second line is closed throughout (the transfer form says so).
  config.business_hours.never = { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] };
  for (const q of config.queues) {
    q.hours = q.id === 'dept_podatki' ? 'never' : 'always';
    q.wrap_up_seconds = 2;
  }
  config.chat = {
    ...(config.chat || {}),
    max_open_chats_per_address: 1000,
    messages_per_10s: 1000,
    abandon_grace_seconds: 600,
    agent_return_grace_seconds: 600,
  };
}

before(async () => {
  axe = axeSource();
  listen = `127.0.0.1:${await freePort()}`;
  server = await startServer({ users: [...Object.values(AGENTS), SUPERVISOR, ADMIN], configure, listen });
  browser = await launchBrowser();
});

after(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  await server?.stop();
});

// ---- helpers ----------------------------------------------------------------

async function json(res) {
  const text = await res.text();
  return text ? JSON.parse(text) : null;
}

// A resident on the public REST API.
async function newResident({ name, lang = 'pl', residentKey } = {}) {
  const body = { lang };
  if (name) body.name = name;
  if (residentKey) body.resident_key = residentKey;
  const res = await fetch(`${server.url}/api/v1/public/chats`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  assert.equal(res.status, 201, `create chat: ${res.status}`);
  const { chat_id: id, visitor_token: token } = await json(res);
  const headers = { 'Content-Type': 'application/json', 'X-Visitor-Token': token };
  let seq = 0;
  return {
    id,
    async handoff() {
      const r = await fetch(`${server.url}/api/v1/public/chats/${id}/handoff`, { method: 'POST', headers });
      assert.equal(r.status, 200, `handoff: ${r.status} ${await r.text()}`);
    },
    async say(text) {
      seq += 1;
      const r = await fetch(`${server.url}/api/v1/public/chats/${id}/messages`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ text, client_msg_id: `r-${id}-${seq}-${Date.now()}` }),
      });
      assert.equal(r.status, 201, `resident message: ${r.status}`);
      return json(r);
    },
    async end() {
      const r = await fetch(`${server.url}/api/v1/public/chats/${id}/end`, { method: 'POST', headers, body: '{}' });
      assert.equal(r.status, 200, `end: ${r.status} ${await r.text()}`);
    },
    async messages() {
      const r = await fetch(`${server.url}/api/v1/public/chats/${id}/messages?after=0`, { headers });
      assert.equal(r.status, 200);
      return (await json(r)).items;
    },
  };
}

// Staff REST as one of the agents (bearer token), for checks and clean-up.
async function staffApi(user) {
  const token = await staffLogin(server.url, user);
  const call = async (method, path, body) => {
    const res = await fetch(server.url + path, {
      method,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: await json(res) };
  };
  return { call, token };
}

async function newPage() {
  const context = await browser.newContext({ locale: 'pl-PL', viewport: { width: 1280, height: 900 } });
  contexts.push(context);
  const page = await context.newPage();
  problems.push(await watchPage(page));
  // Count the offer beeps: every oscillator the page starts.
  await page.addInitScript(() => {
    window.__beeps = 0;
    const Ctx = window.AudioContext;
    if (Ctx) {
      const create = Ctx.prototype.createOscillator;
      Ctx.prototype.createOscillator = function createOscillator(...args) {
        window.__beeps += 1;
        return create.apply(this, args);
      };
    }
  });
  return page;
}

async function login(page, user) {
  await page.goto(server.url + '/');
  await page.getByLabel('Nazwa użytkownika').fill(user.username);
  await page.getByLabel('Hasło', { exact: true }).fill(user.password);
  await page.getByLabel('Hasło', { exact: true }).press('Enter');
  await page.locator('#home-view').waitFor({ state: 'visible' });
  await page.locator('.console').waitFor({ state: 'visible' });
  await waitConnected(page);
}

async function waitConnected(page, timeout = 20_000) {
  await page.waitForFunction(() => document.getElementById('connection')?.dataset.state === 'open', null, { timeout });
}

async function goAvailable(page) {
  await page.getByRole('button', { name: 'Dostępny', exact: true }).click();
  await page.waitForFunction(
    () => document.querySelector('.status-button[data-status="available"]')?.getAttribute('aria-pressed') === 'true',
  );
}

// Goes offline through the API so this agent takes no offers in later tests.
async function goOffline(user) {
  const { call } = await staffApi(user);
  await call('PUT', '/api/v1/agents/me/state', { state: 'offline' });
}

function offer(page) {
  return page.locator('#offer-list > li').first();
}

function chatPanel(page, contactId) {
  return page.locator(`.chat[data-contact-id="${contactId}"]`);
}

function chatTab(page, contactId) {
  return page.locator(`.chat-tab[data-contact-id="${contactId}"]`);
}

// Texts of the messages shown in a chat, in order.
function shownTexts(page, contactId) {
  return chatPanel(page, contactId).locator('.msg .msg__text').allTextContents();
}

async function waitShown(page, contactId, text, timeout = 15_000) {
  await page.waitForFunction(
    ({ contactId, text }) =>
      [...document.querySelectorAll(`.chat[data-contact-id="${contactId}"] .msg__text`)].some((el) => el.textContent === text),
    { contactId, text },
    { timeout },
  );
}

function countOf(list, text) {
  return list.filter((t) => t === text).length;
}

async function acceptWithKeyboard(page) {
  await offer(page).waitFor({ state: 'visible' });
  await page.keyboard.press('Alt+KeyA');
  await page.locator('#offer-list > li').first().waitFor({ state: 'detached' });
}

// Accepts offers until the chat of `residentId` is this consultant's. Chats
// left waiting by earlier tests may be offered first: those are accepted and
// closed at once through the API, so the consultant has room for ours.
async function acceptOfferFor(page, user, residentId) {
  const { call } = await staffApi(user);
  for (let i = 0; i < 6; i += 1) {
    await acceptWithKeyboard(page);
    let mine = [];
    for (let wait = 0; wait < 50 && !mine.length; wait += 1) {
      mine = (await call('GET', '/api/v1/contacts?state=active&limit=50')).body.items;
      if (!mine.length) await page.waitForTimeout(100);
    }
    if (mine.some((c) => String(c.id) === String(residentId))) {
      await chatTab(page, residentId).waitFor({ state: 'visible' });
      return;
    }
    for (const c of mine) await call('POST', `/api/v1/contacts/${c.id}/close`, { disposition: 'other' });
  }
  assert.fail(`no offer for chat ${residentId}`);
}

async function assertAxeClean(page, where) {
  const violations = await runAxe(page, axe);
  const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad, [], `${where}: serious/critical axe violations:\n${JSON.stringify(bad, null, 2)}`);
  for (const v of violations) console.log(`# axe ${where}: ${v.impact} ${v.id} — ${v.help}`);
}

// ---- tests ------------------------------------------------------------------

test('(1) available → offer with sound and countdown → Alt+A → reply, internal note, close with a topic', async () => {
  const page = await newPage();
  await login(page, AGENTS.ewa);
  // Nothing yet: the Polish console with its shortcuts on screen.
  assert.equal(await page.locator('#chats-empty').isVisible(), true);
  assert.ok(await page.getByRole('heading', { name: 'Skróty klawiszowe' }).isVisible());
  assert.match(await page.locator('.shortcut-list').innerText(), /Alt\s*\+\s*A\s*przyjmij ofertę/);
  await goAvailable(page);
  assert.equal(await page.locator('#agent-state-value').textContent(), 'Dostępny');

  const resident = await newResident({ name: 'Jan Kowalski' });
  await resident.handoff();

  // The offer: title, queue, countdown going down, a beep, announced assertively.
  await offer(page).waitFor({ state: 'visible' });
  assert.equal(await offer(page).locator('.offer__title').textContent(), 'Nowa rozmowa: Jan Kowalski');
  assert.match(await offer(page).innerText(), /Informacja ogólna/);
  const first = await offer(page).locator('.offer__remaining').textContent();
  assert.match(first, /^Pozostało: \d+ s$/);
  await page.waitForFunction(
    (before) => {
      const el = document.querySelector('#offer-list .offer__remaining');
      return el && el.textContent !== before;
    },
    first,
  );
  const secondsLeft = Number((await offer(page).locator('.offer__remaining').textContent()).match(/\d+/)[0]);
  assert.ok(secondsLeft < Number(first.match(/\d+/)[0]), 'the countdown goes down');
  assert.ok(Number(await offer(page).locator('progress').getAttribute('max')) >= secondsLeft);
  assert.ok((await page.evaluate(() => window.__beeps)) >= 1, 'the offer beeped');
  await page.waitForFunction(() => document.getElementById('console-alert').textContent.startsWith('Nowa rozmowa do przyjęcia: Jan Kowalski'));
  assert.equal(await page.locator('#agent-state-value').textContent(), 'Oferta rozmowy');

  // Alt+A accepts; the chat opens in a tab, focus lands in the reply box.
  await acceptWithKeyboard(page);
  const tab = chatTab(page, resident.id);
  await tab.waitFor({ state: 'visible' });
  assert.equal(await tab.getAttribute('aria-selected'), 'true');
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-label') || document.activeElement?.labels?.[0]?.textContent), 'Odpowiedź dla mieszkańca');
  await page.waitForFunction(() => document.getElementById('agent-state-value').textContent === 'Zajęty — w rozmowie');
  // The conversation so far (the assistant's greeting) is there.
  await page.waitForFunction(
    (id) => document.querySelectorAll(`.chat[data-contact-id="${id}"] .msg--bot`).length >= 1,
    resident.id,
  );

  // The resident writes; the consultant sees it with author and time.
  await resident.say('Dzień dobry, chcę zarejestrować samochód.');
  await waitShown(page, resident.id, 'Dzień dobry, chcę zarejestrować samochód.');
  const residentMsg = chatPanel(page, resident.id).locator('.msg--resident').last();
  assert.equal(await residentMsg.locator('.msg__author').textContent(), 'Jan Kowalski');
  assert.equal(await residentMsg.locator('.msg__kind').textContent(), '(mieszkaniec)');
  assert.match(await residentMsg.locator('time').textContent(), /^\d{2}:\d{2}$/);

  // A reply: shown at once as pending, then with the stored id from the ack.
  await page.evaluate(() => {
    window.__statuses = [];
    const list = document.querySelector('.chat:not([hidden]) .chat__messages');
    new MutationObserver(() => {
      for (const li of list.querySelectorAll('.msg--mine')) {
        const entry = `${li.dataset.clientMsgId}|${li.dataset.status}|${li.dataset.messageId || ''}`;
        if (window.__statuses.at(-1) !== entry) window.__statuses.push(entry);
      }
    }).observe(list, { subtree: true, childList: true, attributes: true, characterData: true });
  });
  const reply = 'Dzień dobry! Proszę podać numer rejestracyjny.';
  await page.keyboard.type(reply);
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('.chat:not([hidden]) .msg--mine[data-status="sent"][data-message-id]'));
  const statuses = await page.evaluate(() => window.__statuses);
  assert.match(statuses[0], /^c-.+\|pending\|$/, `first shown as pending: ${statuses}`);
  assert.match(statuses.at(-1), /^c-.+\|sent\|\d+$/, `then sent with the stored id: ${statuses}`);
  const mine = chatPanel(page, resident.id).locator('.msg--mine').last();
  assert.equal(await mine.locator('.msg__author').textContent(), 'Ty');
  assert.equal(await mine.locator('.msg__status').textContent(), 'Wysłano');
  assert.equal(await page.locator('.chat:not([hidden]) .composer__text').inputValue(), '');
  // The resident sees the reply.
  const replyId = await mine.getAttribute('data-message-id');
  let seen = await resident.messages();
  const stored = seen.find((m) => m.text === reply);
  assert.ok(stored, 'the resident sees the reply');
  assert.equal(stored.id, replyId);
  assert.equal(stored.author.kind, 'agent');

  // Shift+Enter makes a new line, Enter sends.
  await page.keyboard.type('Linia pierwsza');
  await page.keyboard.press('Shift+Enter');
  await page.keyboard.type('Linia druga');
  await page.keyboard.press('Enter');
  await waitShown(page, resident.id, 'Linia pierwsza\nLinia druga');

  // An internal note: toggled with the checkbox, shown differently, never sent to the resident.
  const panel = chatPanel(page, resident.id);
  await panel.getByLabel('Notatka wewnętrzna', { exact: true }).check();
  assert.equal(await panel.locator('label.composer__label').textContent(), 'Notatka wewnętrzna (mieszkaniec jej nie zobaczy)');
  const note = 'Mieszkaniec pyta o auto sprowadzone z Niemiec.';
  await panel.getByLabel('Notatka wewnętrzna (mieszkaniec jej nie zobaczy)').fill(note);
  await panel.getByRole('button', { name: 'Zapisz notatkę' }).click();
  await page.waitForFunction(
    (text) =>
      [...document.querySelectorAll('.msg--internal[data-status="sent"] .msg__text')].some((el) => el.textContent === text),
    note,
  );
  const noteEl = panel.locator('.msg--internal').last();
  assert.equal(await noteEl.locator('.msg__badge').textContent(), 'Notatka wewnętrzna');
  assert.ok(await noteEl.locator('.msg__badge').isVisible());
  const [noteBg, replyBg] = await page.evaluate(() => [
    getComputedStyle(document.querySelector('.msg--internal')).backgroundColor,
    getComputedStyle(document.querySelector('.msg--mine:not(.msg--internal)')).backgroundColor,
  ]);
  assert.notEqual(noteBg, replyBg, 'internal notes look different from replies');
  // Alt+I switches back to replies.
  await page.keyboard.press('Alt+KeyI');
  assert.equal(await panel.getByLabel('Notatka wewnętrzna', { exact: true }).isChecked(), false);

  seen = await resident.messages();
  assert.equal(seen.some((m) => m.text === note), false, 'the resident never sees the internal note');
  assert.equal(seen.filter((m) => m.text === reply).length, 1);
  const staff = await staffApi(AGENTS.ewa);
  const all = (await staff.call('GET', `/api/v1/contacts/${resident.id}/messages?after=0`)).body.items;
  assert.equal(all.find((m) => m.text === note)?.internal, true);

  // Close with a topic and a note.
  await panel.getByText('Zakończ rozmowę').click();
  await panel.getByLabel('Temat sprawy').selectOption({ label: 'Rejestracja pojazdów' });
  await panel.getByLabel('Notatka (opcjonalnie)').fill('Umówiono wizytę w wydziale.');
  const closed = page.waitForResponse((r) => r.url().endsWith(`/api/v1/contacts/${resident.id}/close`));
  await panel.getByRole('button', { name: 'Zakończ', exact: true }).click();
  assert.equal((await closed).status(), 200);
  await tab.waitFor({ state: 'detached' });
  assert.equal(await page.locator('#chats-empty').isVisible(), true);
  await page.waitForFunction(() => document.getElementById('console-announcer').textContent.includes('Temat: Rejestracja pojazdów'));
  const supervisor = await staffApi(SUPERVISOR);
  const contact = (await supervisor.call('GET', `/api/v1/contacts/${resident.id}`)).body;
  assert.equal(contact.state, 'closed');
  assert.equal(contact.disposition, 'vehicles');
  await page.waitForFunction(() => ['Porządkowanie po rozmowie', 'Dostępny'].includes(document.getElementById('agent-state-value').textContent));

  await goOffline(AGENTS.ewa);
  await page.context().close();
});

test('(2) two chats at once in tabs with unread counts; Alt+N switches; transfer to a department and to a colleague', async () => {
  const page = await newPage();
  await login(page, AGENTS.olek);
  await goAvailable(page);

  const a = await newResident({ name: 'Anna Pierwsza' });
  const b = await newResident({ name: 'Bogdan Drugi' });
  await a.handoff();
  await offer(page).waitFor({ state: 'visible' });
  await offer(page).getByRole('button', { name: /Przyjmij/ }).click();
  await chatTab(page, a.id).waitFor({ state: 'visible' });
  await b.handoff();
  await acceptWithKeyboard(page);
  await chatTab(page, b.id).waitFor({ state: 'visible' });
  assert.equal(await page.getByRole('tab').count(), 2);
  assert.equal(await chatTab(page, b.id).getAttribute('aria-selected'), 'true');
  assert.equal(await chatPanel(page, a.id).isVisible(), false);

  // Messages to the chat in the background count as unread.
  await a.say('Czy jest tam ktoś?');
  await a.say('Halo?');
  await page.waitForFunction((id) => document.querySelector(`.chat-tab[data-contact-id="${id}"]`)?.dataset.unread === '2', a.id);
  assert.equal(await chatTab(page, a.id).locator('.chat-tab__badge').textContent(), '2');
  assert.ok(await chatTab(page, a.id).locator('.chat-tab__badge').isVisible());
  // The count is part of the tab's accessible name, not only a red badge.
  assert.equal(await page.getByRole('tab', { name: /^Anna Pierwsza.*2 nieprzeczytane$/ }).count(), 1);
  assert.equal(await chatTab(page, b.id).getAttribute('data-unread'), '0');
  await page.waitForFunction(() => document.getElementById('console-announcer').textContent === 'Nowa wiadomość w rozmowie: Anna Pierwsza.');

  // Alt+N: the next chat; its unread count clears and focus goes to its reply box.
  await page.keyboard.press('Alt+KeyN');
  assert.equal(await chatTab(page, a.id).getAttribute('aria-selected'), 'true');
  assert.equal(await chatTab(page, a.id).getAttribute('data-unread'), '0');
  assert.equal(await chatTab(page, a.id).locator('.chat-tab__badge').isVisible(), false);
  assert.equal(await page.evaluate(() => document.activeElement?.closest('.chat')?.dataset.contactId), a.id);
  assert.deepEqual((await shownTexts(page, a.id)).slice(-2), ['Czy jest tam ktoś?', 'Halo?']);

  await b.say('Mam pytanie o podatek od nieruchomości.');
  await page.waitForFunction((id) => document.querySelector(`.chat-tab[data-contact-id="${id}"]`)?.dataset.unread === '1', b.id);
  // Arrow keys move between tabs as well.
  await chatTab(page, a.id).focus();
  await page.keyboard.press('ArrowRight');
  assert.equal(await chatTab(page, b.id).getAttribute('aria-selected'), 'true');
  assert.equal(await chatTab(page, b.id).getAttribute('data-unread'), '0');

  // Transfer chat A to the waste department with a note.
  await page.keyboard.press('Alt+KeyP');
  const panel = chatPanel(page, a.id);
  await panel.getByText('Przekaż rozmowę').click();
  // A consultant may not read the queues' configuration, yet sees every
  // second line by its name (GET /api/v1/transfer-targets).
  await panel.getByLabel('Przekaż do').selectOption({ label: 'Wydział Gospodarki Odpadami — druga linia' });
  assert.equal(await panel.getByLabel('Przekaż do').inputValue(), 'queue:dept_odpady');
  assert.equal(
    await panel.getByLabel('Przekaż do').locator('option[value="queue:dept_podatki"]').textContent(),
    'Wydział Podatków — druga linia (teraz zamknięta)',
  );
  await panel.getByLabel('Notatka dla przejmującego (wewnętrzna)').fill('Pyta o deklarację śmieciową.');
  const transferred = page.waitForResponse((r) => r.url().endsWith(`/api/v1/contacts/${a.id}/transfer`));
  await panel.getByRole('button', { name: 'Przekaż', exact: true }).click();
  assert.equal((await transferred).status(), 200);
  await chatTab(page, a.id).waitFor({ state: 'detached' });
  assert.equal(await chatTab(page, b.id).getAttribute('aria-selected'), 'true');
  const staff = await staffApi(AGENTS.olek);
  // The consultant no longer serves it (404 for them); it waits in the department queue.
  assert.equal((await staff.call('GET', `/api/v1/contacts/${a.id}`)).status, 404);
  const supervisor = await staffApi(SUPERVISOR);
  const moved = (await supervisor.call('GET', `/api/v1/contacts/${a.id}`)).body;
  assert.equal(moved.state, 'waiting');
  assert.equal(moved.queue, 'dept_odpady');
  const residentView = await a.messages();
  assert.ok(residentView.some((m) => m.author.kind === 'system' && /Przekazuję rozmowę/.test(m.text)));
  assert.equal(residentView.some((m) => /deklarację śmieciową/.test(m.text)), false, 'the transfer note is internal');

  // Close B with the keyboard-reachable form.
  const panelB = chatPanel(page, b.id);
  await panelB.getByText('Zakończ rozmowę').click();
  await panelB.getByLabel('Temat sprawy').selectOption('taxes');
  await panelB.getByRole('button', { name: 'Zakończ', exact: true }).click();
  await chatTab(page, b.id).waitFor({ state: 'detached' });
  assert.equal(await page.getByRole('tab').count(), 0);

  // To a colleague by name: Jakub signs in after the console was loaded and
  // takes a break; opening the form fetches who is there now.
  const kuba = await staffApi(AGENTS.kuba);
  assert.equal((await kuba.call('PUT', '/api/v1/agents/me/state', { state: 'break', reason: 'coffee' })).status, 200);
  const c = await newResident({ name: 'Cezary Trzeci' });
  await c.handoff();
  await acceptWithKeyboard(page);
  await chatTab(page, c.id).waitFor({ state: 'visible' });
  const panelC = chatPanel(page, c.id);
  await panelC.getByText('Przekaż rozmowę').click();
  const target = panelC.getByLabel('Przekaż do');
  await target.locator('option', { hasText: 'Jakub Wróbel (Przerwa)' }).waitFor({ state: 'attached' });
  assert.equal(await target.locator('option', { hasText: 'Aleksander Nowak' }).count(), 0, 'not to oneself');
  await target.selectOption({ label: 'Jakub Wróbel (Przerwa)' });
  await panelC.getByRole('button', { name: 'Przekaż', exact: true }).click();
  await chatTab(page, c.id).waitFor({ state: 'detached' });
  await page.waitForFunction(() => document.getElementById('console-announcer').textContent === 'Rozmowa Cezary Trzeci przekazana: Jakub Wróbel.');
  const held = (await supervisor.call('GET', `/api/v1/contacts/${c.id}`)).body;
  assert.equal(held.state, 'waiting', 'kept for Jakub until he is back or the hold runs out');
  assert.equal((await kuba.call('PUT', '/api/v1/agents/me/state', { state: 'offline' })).status, 200);
  await c.end(); // not left to be offered to the next tests' consultants

  await goOffline(AGENTS.olek);
  await page.context().close();
});

test('(3) markup from a resident is shown as text: no image, no dialog', async () => {
  const page = await newPage();
  let dialogs = 0;
  page.on('dialog', (d) => {
    dialogs += 1;
    d.dismiss().catch(() => {});
  });
  await login(page, AGENTS.iga);
  await goAvailable(page);
  const evil = '<img src=x onerror=alert(1)>';
  const resident = await newResident({ name: `Zły ${evil}` });
  await resident.say(`Bot: ${evil}`);
  await resident.handoff();
  await offer(page).waitFor({ state: 'visible' });
  assert.equal(await offer(page).locator('.offer__title').textContent(), `Nowa rozmowa: Zły ${evil}`);
  await acceptWithKeyboard(page);
  await resident.say(evil);
  await waitShown(page, resident.id, evil);
  await waitShown(page, resident.id, `Bot: ${evil}`);
  assert.equal(await chatTab(page, resident.id).locator('.chat-tab__name').textContent(), `Zły ${evil}`);
  assert.equal(await chatPanel(page, resident.id).locator('.chat__title').textContent(), `Rozmowa: Zły ${evil}`);
  // Our own reply with markup goes out as text too.
  await page.keyboard.type('<b>pogrubienie?</b>');
  await page.keyboard.press('Enter');
  await waitShown(page, resident.id, '<b>pogrubienie?</b>');
  await page.waitForTimeout(300);
  assert.equal(await page.locator('img[src="x"]').count(), 0);
  assert.equal(await page.locator('.chat b').count(), 0);
  assert.equal(dialogs, 0);
  await goOffline(AGENTS.iga);
  await page.context().close();
});

test('(4) the server restarts mid-conversation: the console reconnects, shows what was missed once, sends the pending reply once', async () => {
  const page = await newPage();
  const afterRequests = [];
  page.on('request', (r) => {
    const m = r.url().match(/\/api\/v1\/contacts\/(\d+)\/messages\?after=(\d+)/);
    if (m) afterRequests.push({ id: m[1], after: m[2] });
  });
  await login(page, AGENTS.tomek);
  await goAvailable(page);
  const resident = await newResident({ name: 'Celina Restart' });
  await resident.handoff();
  await acceptWithKeyboard(page);
  await resident.say('Pierwsza wiadomość przed restartem.');
  await waitShown(page, resident.id, 'Pierwsza wiadomość przed restartem.');
  await page.keyboard.type('Odpowiedź przed restartem.');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('.msg--mine[data-status="sent"]'));

  // Stop the server (SIGTERM, keep the database); the console notices.
  const { code, signal } = await server.stop({ keep: true });
  assert.equal(signal, null);
  assert.equal(code, 0);
  await page.waitForFunction(() => document.getElementById('connection').dataset.state === 'lost');
  assert.equal(await page.locator('#connection').textContent(), 'Połączenie z serwerem przerwane. Trwa ponowne łączenie…');

  // A reply typed while the server is down waits as pending.
  const offlineReply = 'Odpowiedź napisana podczas przerwy.';
  await page.locator('.chat:not([hidden]) .composer__text').fill(offlineReply);
  await page.locator('.chat:not([hidden]) .composer__text').press('Enter');
  await page.waitForFunction(
    (text) =>
      [...document.querySelectorAll('.msg--mine[data-status="pending"] .msg__text')].some((el) => el.textContent === text),
    offlineReply,
  );
  // Let a few reconnection attempts fail so the backoff grows.
  await page.waitForTimeout(2500);

  // Same port, same database; the resident writes before the console is back.
  server = await startServer({ dir: server.dir, listen });
  const missed = ['Wiadomość 1 w czasie przerwy.', 'Wiadomość 2 w czasie przerwy.'];
  for (const text of missed) await resident.say(text);

  await waitConnected(page, 30_000);
  for (const text of missed) await waitShown(page, resident.id, text, 20_000);
  await page.waitForFunction(
    (text) =>
      [...document.querySelectorAll('.msg--mine[data-status="sent"][data-message-id] .msg__text')].some(
        (el) => el.textContent === text,
      ),
    offlineReply,
    { timeout: 20_000 },
  );
  assert.ok(
    afterRequests.some((r) => r.id === resident.id && r.after !== '0'),
    `missed messages fetched with ?after=: ${JSON.stringify(afterRequests)}`,
  );

  // A message after the reconnection arrives live.
  await resident.say('Wiadomość po powrocie serwera.');
  await waitShown(page, resident.id, 'Wiadomość po powrocie serwera.');
  await page.waitForTimeout(500);

  // Every message exactly once, in the server's order, and nothing missing.
  const staff = await staffApi(AGENTS.tomek);
  const stored = (await staff.call('GET', `/api/v1/contacts/${resident.id}/messages?after=0`)).body.items;
  const shown = await chatPanel(page, resident.id)
    .locator('.msg')
    .evaluateAll((els) => els.map((el) => ({ id: el.dataset.messageId || null, text: el.querySelector('.msg__text').textContent })));
  assert.deepEqual(
    shown.map((m) => m.id),
    stored.map((m) => m.id),
    `shown ${JSON.stringify(shown)}\nstored ${JSON.stringify(stored.map((m) => ({ id: m.id, text: m.text })))}`,
  );
  assert.deepEqual(shown.map((m) => m.text), stored.map((m) => m.text));
  for (const text of [...missed, offlineReply, 'Odpowiedź przed restartem.']) {
    assert.equal(countOf(shown.map((m) => m.text), text), 1, `"${text}" shown once`);
  }
  // The resident got the reply typed during the outage once.
  const residentView = await resident.messages();
  assert.equal(countOf(residentView.map((m) => m.text), offlineReply), 1);
  // The server knew the consultant as offline after the restart; the console put back "available".
  await page.waitForFunction(
    () => document.querySelector('.status-button[data-status="available"]').getAttribute('aria-pressed') === 'true',
  );
  const me = (await staff.call('GET', '/api/v1/me')).body;
  assert.equal(me.status, 'available');

  await goOffline(AGENTS.tomek);
  await page.context().close();
});

test('(5) axe: the console with an offer, chats, notes, in Polish, English and Ukrainian', async () => {
  const page = await newPage();
  await login(page, AGENTS.ula);
  await assertAxeClean(page, 'console, empty');
  await goAvailable(page);
  const r1 = await newResident({ name: 'Dorota Test' });
  await r1.handoff();
  await offer(page).waitFor({ state: 'visible' });
  await assertAxeClean(page, 'console with an offer');
  await acceptWithKeyboard(page);
  await r1.say('Pytanie o dowód osobisty.');
  await waitShown(page, r1.id, 'Pytanie o dowód osobisty.');
  await page.keyboard.type('Odpowiedź.');
  await page.keyboard.press('Enter');
  await page.keyboard.press('Alt+KeyI');
  await page.keyboard.type('Notatka.');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('.msg--internal[data-status="sent"]'));
  const r2 = await newResident({ name: 'Edward Drugi' });
  await r2.handoff();
  await offer(page).waitFor({ state: 'visible' });
  await page.keyboard.press('Alt+KeyA');
  await chatTab(page, r2.id).waitFor({ state: 'visible' });
  await r1.say('Jeszcze jedno.');
  await page.waitForFunction((id) => document.querySelector(`.chat-tab[data-contact-id="${id}"]`)?.dataset.unread === '1', r1.id);
  await chatPanel(page, r2.id).getByText('Zakończ rozmowę').click();
  await chatPanel(page, r2.id).getByText('Przekaż rozmowę').click();
  await assertAxeClean(page, 'console with two chats');

  await page.getByRole('button', { name: 'English' }).click();
  assert.equal(await page.getByRole('heading', { name: 'Keyboard shortcuts' }).count(), 1);
  assert.equal(await page.locator('.status-button[data-status="available"]').textContent(), 'Available');
  await assertAxeClean(page, 'console in English');
  await page.getByRole('button', { name: 'Українська' }).click();
  assert.equal(await page.locator('.status-button[data-status="break"]').textContent(), 'Перерва');
  await assertAxeClean(page, 'console in Ukrainian');
  await page.getByRole('button', { name: 'Polski' }).click();

  // Break with a reason, then offline.
  await page.getByLabel('Powód przerwy').selectOption('meal');
  await page.getByRole('button', { name: 'Przerwa', exact: true }).click();
  // Still serving two chats: the system says busy, the chosen status is the break.
  await page.waitForFunction(
    () => document.querySelector('.status-button[data-status="break"]').getAttribute('aria-pressed') === 'true',
  );
  assert.equal(await page.locator('#agent-state-value').textContent(), 'Zajęty — w rozmowie');
  const staff = await staffApi(AGENTS.ula);
  const me = (await staff.call('GET', '/api/v1/me')).body;
  assert.equal(me.status, 'break');
  assert.equal(me.state_reason, 'meal');

  // Narrow screen: no horizontal scrolling.
  await page.setViewportSize({ width: 320, height: 640 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `horizontal scrolling at 320 px: ${overflow}`);
  await assertAxeClean(page, 'console at 320 px');

  for (const r of [r1, r2]) await staff.call('POST', `/api/v1/contacts/${r.id}/close`, { disposition: 'other' });
  // Closed elsewhere: the tabs say so and can be dismissed.
  await page.setViewportSize({ width: 1280, height: 900 });
  await chatTab(page, r1.id).click();
  await chatPanel(page, r1.id).locator('.chat__ended').waitFor({ state: 'visible' });
  assert.equal(await chatPanel(page, r1.id).locator('.chat__ended').textContent(), 'Rozmowa została zakończona.');
  assert.equal(await chatPanel(page, r1.id).locator('.composer__text').isDisabled(), true);
  await page.waitForFunction(() => document.getElementById('agent-state-value').textContent.startsWith('Przerwa'));
  assert.equal(await page.locator('#agent-state-value').textContent(), 'Przerwa (posiłek)');
  await assertAxeClean(page, 'console with ended chats');
  await chatPanel(page, r1.id).getByRole('button', { name: 'Zamknij kartę' }).click();
  await chatTab(page, r1.id).waitFor({ state: 'detached' });
  await goOffline(AGENTS.ula);
  await page.context().close();
});

// Last of the flows: the resident it leaves waiting would be offered to the next consultant.
test('canned responses: Alt+T, a search without Polish letters, the template goes into the reply box and out to the resident', async () => {
  const supervisor = await staffApi(SUPERVISOR);
  const created = await supervisor.call('POST', '/api/v1/canned-responses', {
    title: 'Rejestracja używanego samochodu',
    body: 'Nazywam się {agent}. Do rejestracji potrzebna jest umowa kupna i dowód rejestracyjny.',
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const other = await supervisor.call('POST', '/api/v1/canned-responses', { title: 'Odpady wielkogabarytowe', body: 'Zbiórka raz w miesiącu.' });
  assert.equal(other.status, 201);

  const page = await newPage();
  await login(page, AGENTS.zosia);
  await goAvailable(page);
  const resident = await newResident({ name: 'Karol Kupił' });
  await resident.handoff();
  await acceptOfferFor(page, AGENTS.zosia, resident.id);
  await chatTab(page, resident.id).click();
  const panel = chatPanel(page, resident.id);
  await panel.waitFor({ state: 'visible' });

  await page.keyboard.press('Alt+KeyT');
  const search = panel.getByLabel('Szukaj szablonu');
  await search.waitFor({ state: 'visible' });
  await page.waitForFunction(() => document.activeElement?.classList.contains('canned__search'));
  await search.fill('uzywanego samoch');
  const items = panel.locator('.canned__item');
  await page.waitForFunction(
    (id) => document.querySelectorAll(`.chat[data-contact-id="${id}"] .canned__item`).length === 1,
    resident.id,
  );
  assert.equal(await items.first().locator('.canned__title').textContent(), 'Rejestracja używanego samochodu');
  await assertAxeClean(page, 'canned responses open');
  await search.press('ArrowDown');
  await page.keyboard.press('Enter');

  const text = panel.locator('textarea.composer__text');
  const expected = 'Nazywam się Zofia Kamińska. Do rejestracji potrzebna jest umowa kupna i dowód rejestracyjny.';
  assert.equal(await text.inputValue(), expected);
  assert.ok(await text.evaluate((el) => el === document.activeElement), 'back in the reply box');
  assert.equal(await panel.locator('.canned__panel').isVisible(), false);
  await text.press('Enter');
  await waitShown(page, resident.id, expected);
  const seen = (await resident.messages()).map((m) => m.text);
  assert.ok(seen.includes(expected), `the resident got the template: ${JSON.stringify(seen)}`);

  // Escape closes the list and leaves the reply box as it was.
  await page.keyboard.press('Alt+KeyT');
  await search.waitFor({ state: 'visible' });
  await page.waitForFunction(() => document.activeElement?.classList.contains('canned__search'));
  await page.keyboard.press('Escape');
  assert.equal(await panel.locator('.canned__panel').isVisible(), false);
  assert.equal(await text.inputValue(), '');
  await goOffline(AGENTS.zosia);
  await page.context().close();
});

test('the resident\'s earlier conversation is shown above the chat, with its transcript on request', async () => {
  const residentKey = 'b1e2c3d4e5f60718293a4b5c6d7e8f90';
  const earlier = await newResident({ name: 'Halina Wraca', residentKey });
  await earlier.say('Wczoraj pytałam o harmonogram odbioru śmieci.');
  const today = await newResident({ name: 'Halina Wraca', residentKey });

  const page = await newPage();
  await login(page, AGENTS.marek);
  await goAvailable(page);
  await today.handoff();
  await acceptOfferFor(page, AGENTS.marek, today.id);
  await chatTab(page, today.id).click();
  const panel = chatPanel(page, today.id);
  const summary = panel.locator('.chat-history__summary');
  await summary.waitFor({ state: 'visible' });
  assert.equal(await summary.textContent(), 'Wcześniejsze rozmowy tego mieszkańca (1)');
  await summary.click();
  await panel.getByRole('button', { name: 'Pokaż rozmowę' }).click();
  await page.waitForFunction(
    (id) => [...document.querySelectorAll(`.chat[data-contact-id="${id}"] .chat-history__text`)]
      .some((el) => el.textContent === 'Wczoraj pytałam o harmonogram odbioru śmieci.'),
    today.id,
  );
  await assertAxeClean(page, 'earlier conversations open');
  await goOffline(AGENTS.marek);
  await page.context().close();
});

test('the cases filed from the resident\'s conversations are beside the chat and open in the cases panel', async () => {
  const residentKey = 'c2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7';
  const staff = await staffApi(AGENTS.ola);
  const fileCase = async (contactId, subject) => {
    const r = await staff.call('POST', '/api/v1/tickets', { subject, description: 'Z czatu', category: 'podatek_nieruchomosci', contact_id: contactId });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body;
  };
  const earlier = await newResident({ name: 'Roman Sprawa', residentKey });
  await earlier.say('Pytałem o raty podatku.');
  const subject = 'Raty podatku <b>pilne</b> <img src=x onerror=alert(1)>';
  const filed = await fileCase(earlier.id, subject);
  const stranger = await newResident({ name: 'Ktoś Obcy', residentKey: 'ffffffffffffffffffffffffffffffff' });
  await fileCase(stranger.id, 'Cudza sprawa');
  const today = await newResident({ name: 'Roman Sprawa', residentKey });

  const page = await newPage();
  await login(page, AGENTS.ola);
  await goAvailable(page);
  await today.handoff();
  await acceptOfferFor(page, AGENTS.ola, today.id);
  await chatTab(page, today.id).click();
  const panel = chatPanel(page, today.id);
  const summary = panel.locator('.chat-history__summary');
  await summary.waitFor({ state: 'visible' });
  assert.equal(await summary.textContent(), 'Wcześniejsze rozmowy (1) i sprawy (1) tego mieszkańca');
  await summary.click();
  assert.equal(await panel.locator('.chat-history__cases-heading').textContent(), 'Sprawy z rozmów tego mieszkańca');
  const cases = panel.locator('.chat-history__case');
  assert.equal(await cases.count(), 1, 'only this resident\'s case');
  const open = panel.getByRole('button', { name: `Otwórz sprawę ${filed.number}: ${subject}` });
  assert.equal(await open.isVisible(), true);
  assert.match(await cases.first().locator('.chat-history__facts').textContent(), /^nowa · Wydział Podatków · założona .+/);
  assert.equal(await panel.locator('.chat-history img, .chat-history b').count(), 0, 'the subject is text');
  await assertAxeClean(page, 'cases beside the chat');

  // Opens in the cases panel, which takes the focus.
  await open.click();
  const detail = page.locator('.tickets__detail');
  await detail.getByRole('heading', { name: `Sprawa ${filed.number}` }).waitFor();
  await page.waitForFunction(() => document.activeElement?.classList.contains('tickets__detail'));
  assert.equal(await detail.locator('.tickets__subject').textContent(), subject);
  await goOffline(AGENTS.ola);
  await page.context().close();
});

test('the resident ends the chat: the consultant is told, picks the topic and closes the tab', async () => {
  const page = await newPage();
  await login(page, AGENTS.staszek);
  await goAvailable(page);
  const resident = await newResident({ name: 'Wanda Kończy' });
  await resident.handoff();
  await acceptOfferFor(page, AGENTS.staszek, resident.id);
  await chatTab(page, resident.id).click();
  const panel = chatPanel(page, resident.id);
  await resident.say('Dziękuję, to wszystko.');
  await waitShown(page, resident.id, 'Dziękuję, to wszystko.');

  await resident.end();
  await waitShown(page, resident.id, 'Mieszkaniec zakończył rozmowę.');
  await panel.locator('.chat__ended', { hasText: 'Mieszkaniec zakończył rozmowę. Wybierz temat sprawy i zamknij rozmowę.' }).waitFor();
  await page.waitForFunction(() => document.getElementById('console-announcer').textContent.startsWith('Mieszkaniec zakończył rozmowę: '));
  // Nothing more can be written; the topic can still be given.
  assert.equal(await panel.locator('.composer__text').isDisabled(), true);
  const topic = panel.getByLabel('Temat sprawy');
  assert.equal(await topic.isEnabled(), true);
  assert.equal(await panel.getByRole('button', { name: 'Zakończ', exact: true }).isVisible(), true);
  await assertAxeClean(page, 'a chat the resident ended');
  await topic.selectOption('taxes');
  await panel.getByRole('button', { name: 'Zakończ', exact: true }).click();
  await chatTab(page, resident.id).waitFor({ state: 'detached' });
  const boss = await staffApi(SUPERVISOR);
  const contact = await boss.call('GET', `/api/v1/contacts/${resident.id}`);
  assert.equal(contact.body.state, 'closed');
  assert.equal(contact.body.disposition, 'taxes');
  await goOffline(AGENTS.staszek);
  await page.context().close();
});

test('the resident’s data is erased while the chat is served: the consultant is told, and the transcript and name leave the page', async () => {
  const page = await newPage();
  await login(page, AGENTS.jola);
  await goAvailable(page);
  const resident = await newResident({ name: 'Zenon Usuwany' });
  await resident.handoff();
  await acceptOfferFor(page, AGENTS.jola, resident.id);
  await chatTab(page, resident.id).click();
  const panel = chatPanel(page, resident.id);
  await resident.say('Mój telefon to 600 700 800.');
  await waitShown(page, resident.id, 'Mój telefon to 600 700 800.');
  const staff = await staffApi(AGENTS.jola);
  const filed = await staff.call('POST', '/api/v1/tickets', {
    subject: 'Deklaracja', description: 'Korekta', category: 'odpady_deklaracja', contact_id: resident.id,
    resident: { name: 'Zenon Usuwany', phone: '600700800' },
  });
  assert.equal(filed.status, 201, JSON.stringify(filed.body));

  const admin = await staffApi(ADMIN);
  const erased = await admin.call('POST', '/api/v1/residents/erase', { phone: '600700800' });
  assert.equal(erased.status, 200, JSON.stringify(erased.body));
  await panel.locator('.chat__ended', { hasText: 'Dane mieszkańca zostały usunięte na jego wniosek (RODO).' }).waitFor();
  await page.waitForFunction(() => document.getElementById('console-announcer').textContent
    .startsWith('Rozmowa zakończona po usunięciu danych mieszkańca: '));
  assert.equal(await panel.locator('.composer__text').isDisabled(), true);
  // No topic to give: the chat is gone with the data.
  assert.equal(await panel.getByLabel('Temat sprawy').isVisible(), false);
  assert.deepEqual(await shownTexts(page, resident.id), []);
  const text = await page.locator('main').innerText();
  for (const gone of ['Zenon', 'Usuwany', '600 700 800']) assert.ok(!text.includes(gone), `the page still shows ${gone}: ${text}`);
  await assertAxeClean(page, 'a chat of an erased resident');
  await panel.getByRole('button', { name: 'Zamknij kartę' }).click();
  await chatTab(page, resident.id).waitFor({ state: 'detached' });
  await goOffline(AGENTS.jola);
  await page.context().close();
});

test('a reload while an offer is pending shows it again with the time left; Alt+R rejects it', async () => {
  const page = await newPage();
  await login(page, AGENTS.kuba);
  await goAvailable(page);
  const resident = await newResident({ name: 'Filip Czeka' });
  await resident.handoff();
  await offer(page).waitFor({ state: 'visible' });
  const id = await offer(page).getAttribute('data-offer-id');
  const before = Number((await offer(page).locator('.offer__remaining').textContent()).match(/\d+/)[0]);
  await page.waitForTimeout(1500);

  await page.reload();
  await page.locator('.console').waitFor({ state: 'visible' });
  await waitConnected(page);
  await offer(page).waitFor({ state: 'visible' });
  assert.equal(await offer(page).getAttribute('data-offer-id'), id);
  const left = Number((await offer(page).locator('.offer__remaining').textContent()).match(/\d+/)[0]);
  assert.ok(left < before, `time left after the reload (${left}) is less than before (${before})`);
  assert.equal(await offer(page).locator('.offer__title').textContent(), 'Nowa rozmowa: Filip Czeka');

  const rejected = page.waitForResponse((r) => r.url().endsWith(`/api/v1/offers/${id}/reject`));
  await page.keyboard.press('Alt+KeyR');
  assert.equal((await rejected).status(), 200);
  await page.locator('#offer-list > li').waitFor({ state: 'detached' });
  assert.ok(await page.locator('#offers-empty').isVisible());
  await page.waitForFunction(() => document.getElementById('console-announcer').textContent === 'Oferta odrzucona.');
  await goOffline(AGENTS.kuba);
  await page.context().close();
});

test('(6) no Content-Security-Policy violations or script errors in any console flow', () => {
  assert.ok(problems.length >= 5, 'every flow above was watched');
  assert.deepEqual(problems.flat(), []);
});

test('the server exits 0 on SIGTERM', async () => {
  for (const c of contexts.splice(0)) await c.close().catch(() => {});
  const { code, signal } = await server.stop();
  assert.equal(signal, null, `server ended by signal ${signal}; stderr:\n${server.stderr()}`);
  assert.equal(code, 0, `server exit code ${code}; stderr:\n${server.stderr()}`);
});
