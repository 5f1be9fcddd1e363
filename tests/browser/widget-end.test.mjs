// The resident ends the chat from the widget ("Zakończ rozmowę"): a question
// asked in place (no window.confirm), reachable and answerable by keyboard,
// Escape or "No" going back; then the closed view with the rating form and
// the transcript, as when a consultant closes. With the advisor, in the queue
// (abandoned) and with a consultant (who is told). axe-core stays clean.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  axeSource,
  connectAgent,
  launchBrowser,
  runAxe,
  staffLogin,
  staffRequest,
  startServer,
  watchPage,
} from './support/harness.mjs';

const PIOTR = {
  username: 'piotr',
  password: 'Piotr-Haslo-2026!',
  role: 'agent',
  displayName: 'Piotr Wiśniewski',
  skills: { vehicles: 5, waste: 5, taxes: 5, report: 5 },
};
const BOSS = { username: 'kierownik', password: 'Kierownik-Haslo-2026!', role: 'supervisor', displayName: 'Marta Zielińska' };
const ADMIN = { username: 'admin', password: 'Admin-Haslo-2026!', role: 'admin', displayName: 'Administrator' };

let server;
let browser;
let axe;
let bossToken;
const problems = [];
const dialogs = [];
const contexts = [];

before(async () => {
  axe = axeSource();
  server = await startServer({
    users: [PIOTR, BOSS, ADMIN],
    configure: (config) => {
      for (const q of config.queues) q.hours = 'always';
      config.chat.max_open_chats_per_address = 100;
    },
  });
  browser = await launchBrowser();
  bossToken = await staffLogin(server.url, BOSS);
});

after(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  const result = await server?.stop();
  assert.deepEqual(result, { code: 0, signal: null }, 'the server exits cleanly on SIGTERM');
});

// The widget on its own page (/widget), a fresh browser profile each time.
async function openWidget() {
  const context = await browser.newContext({ locale: 'pl-PL', viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  contexts.push(context);
  const page = await context.newPage();
  problems.push(await watchPage(page));
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    d.dismiss().catch(() => {});
  });
  await page.goto(`${server.url}/widget`);
  await page.locator('#start-view').waitFor({ state: 'visible' });
  return page;
}

async function startChat(page, { lang = 'pl' } = {}) {
  await page.locator('#lang').selectOption(lang);
  await page.locator('#topic-other').check();
  await page.locator('#start-chat').click();
  await page.locator('#chat-view').waitFor({ state: 'visible' });
  await page.locator('#log li').first().waitFor();
  return page.evaluate(() => JSON.parse(localStorage.getItem('centrala.widget.chat')));
}

const activeId = (page) => page.evaluate(() => document.activeElement?.id);

async function contactState(chatId) {
  const r = await staffRequest(server.url, bossToken, 'GET', `/api/v1/contacts/${chatId}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.state;
}

function seriousAxe(violations) {
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

test('with the advisor: asked in place, Escape and "No" go back, "Yes" closes with the rating form', async () => {
  const page = await openWidget();
  const chat = await startChat(page);

  // Keyboard only: from the message box, Tab reaches "Zakończ rozmowę".
  const end = page.getByRole('button', { name: 'Zakończ rozmowę' });
  assert.equal(await end.getAttribute('aria-expanded'), 'false');
  assert.equal(await page.locator('#end-confirm').isVisible(), false);
  await page.locator('#message').focus();
  for (let i = 0; i < 5 && (await activeId(page)) !== 'end-chat'; i++) await page.keyboard.press('Tab');
  assert.equal(await activeId(page), 'end-chat', '"End chat" is reachable with Tab');
  await page.keyboard.press('Enter');

  // The question takes the focus and is the group's name; nothing has ended yet.
  await page.locator('#end-confirm').waitFor({ state: 'visible' });
  assert.equal(await end.getAttribute('aria-expanded'), 'true');
  assert.equal(await activeId(page), 'end-question');
  const group = page.getByRole('group', { name: 'Czy na pewno chcesz zakończyć rozmowę? Nie będzie można już w niej pisać.' });
  assert.equal(await group.isVisible(), true);
  assert.deepEqual(seriousAxe(await runAxe(page, axe)), [], 'axe with the question open');
  assert.equal(await contactState(chat.chatId), 'bot');

  // Escape goes back to the conversation (and the button).
  await page.keyboard.press('Escape');
  await page.locator('#end-confirm').waitFor({ state: 'hidden' });
  assert.equal(await activeId(page), 'end-chat');
  assert.equal(await end.getAttribute('aria-expanded'), 'false');
  // So does "No".
  await page.keyboard.press('Enter');
  await page.getByRole('button', { name: 'Nie, wróć do rozmowy' }).click();
  await page.locator('#end-confirm').waitFor({ state: 'hidden' });
  assert.equal(await activeId(page), 'end-chat');
  assert.equal(await page.locator('#composer').isVisible(), true);
  assert.equal(await contactState(chat.chatId), 'bot');

  // "Yes", by keyboard.
  await page.keyboard.press('Enter');
  await page.keyboard.press('Tab');
  assert.equal(await activeId(page), 'end-yes');
  await page.keyboard.press('Enter');
  await page.locator('#closed-panel').waitFor({ state: 'visible' });
  await page.waitForFunction(() => document.activeElement?.id === 'closed-title');
  assert.equal(await page.locator('#status-main').textContent(), 'Rozmowa została zakończona.');
  assert.equal(await page.locator('#composer').isVisible(), false);
  assert.equal(await end.isVisible(), false, 'no "End chat" in an ended chat');
  assert.equal(await page.locator('#rating-form').isVisible(), true);
  assert.equal(await page.getByRole('button', { name: 'Pobierz zapis rozmowy' }).isVisible(), true);
  await page.locator('#log .w-msg__text', { hasText: 'Rozmowa została zakończona. Dziękujemy!' }).waitFor();
  assert.equal(await contactState(chat.chatId), 'closed');
  assert.deepEqual(seriousAxe(await runAxe(page, axe)), [], 'axe on the closed view');

  // The server refuses further messages; the rating goes through.
  const late = await fetch(`${server.url}/api/v1/public/chats/${chat.chatId}/messages`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Visitor-Token': chat.token },
    body: JSON.stringify({ text: 'Jeszcze coś', client_msg_id: 'late-1' }),
  });
  assert.equal(late.status, 409);
  await page.getByLabel('4 — dobrze').check();
  await page.getByRole('button', { name: 'Wyślij ocenę' }).click();
  await page.locator('#rating-result', { hasText: 'Dziękujemy za ocenę!' }).waitFor();

  // A reload keeps it ended.
  await page.reload();
  await page.locator('#closed-panel').waitFor({ state: 'visible' });
  assert.equal(await page.getByRole('button', { name: 'Zakończ rozmowę' }).isVisible(), false);
  assert.deepEqual(dialogs, [], 'no window.confirm or other dialog');
  await page.close();
});

test('waiting in the queue, in English: the chat leaves the queue as abandoned', async () => {
  const page = await openWidget();
  const chat = await startChat(page, { lang: 'en' });
  await page.getByRole('button', { name: 'Talk to a consultant' }).first().click();
  await page.locator('#status-main', { hasText: 'You are next in the queue.' }).waitFor();
  assert.equal(await contactState(chat.chatId), 'waiting');

  await page.getByRole('button', { name: 'End chat' }).click();
  await page.getByRole('group', { name: /Do you really want to end the conversation\?/ }).waitFor();
  await page.getByRole('button', { name: 'Yes, end it' }).click();
  await page.locator('#closed-panel').waitFor({ state: 'visible' });
  assert.equal(await page.locator('#status-main').textContent(), 'The conversation has ended.');
  assert.equal(await page.locator('#rating-form').isVisible(), true);
  assert.equal(await contactState(chat.chatId), 'abandoned');
  const live = await staffRequest(server.url, bossToken, 'GET', '/api/v1/stats/live');
  const abandoned = live.body.queues.reduce((n, q) => n + q.abandoned_today, 0);
  const waiting = live.body.queues.reduce((n, q) => n + q.waiting, 0);
  assert.equal(abandoned, 1, JSON.stringify(live.body.queues));
  assert.equal(waiting, 0);
  await page.close();
});

test('with a consultant: the consultant is told, and the resident gets the closed view', async () => {
  const page = await openWidget();
  const chat = await startChat(page, { lang: 'uk' });
  await page.getByRole('button', { name: 'Поговорити з консультантом' }).first().click();
  await page.locator('#status-main', { hasText: 'Ви наступні в черзі.' }).waitFor();

  const token = await staffLogin(server.url, PIOTR);
  const agent = await connectAgent(browser, server.url, token);
  const state = await staffRequest(server.url, token, 'PUT', '/api/v1/agents/me/state', { state: 'available' });
  assert.equal(state.status, 200);
  const offer = await agent.waitFrame((f) => f.type === 'offer' && f.contact?.id === chat.chatId);
  await agent.send({ type: 'accept', offer_id: offer.offer_id });
  await page.locator('#status-main', { hasText: 'Piotr Wiśniewski' }).waitFor();

  await page.getByRole('button', { name: 'Завершити розмову' }).click();
  await page.getByRole('button', { name: 'Так, завершити' }).click();
  await page.locator('#closed-panel').waitFor({ state: 'visible' });

  const note = await agent.waitFrame((f) => f.type === 'message' && f.contact_id === chat.chatId && f.message.author.kind === 'system' &&
    f.message.text === 'Mieszkaniec zakończył rozmowę.');
  assert.equal(note.message.internal, true);
  const closed = await agent.waitFrame((f) => f.type === 'contact_closed' && f.contact_id === chat.chatId);
  assert.equal(closed.reason, 'resident_ended');
  const me = await staffRequest(server.url, token, 'GET', '/api/v1/me');
  assert.equal(me.body.state, 'wrap_up');
  // The staff note is not in the resident's view.
  assert.equal(await page.locator('#log .w-msg__text', { hasText: 'Mieszkaniec zakończył' }).count(), 0);
  await agent.close();
  await page.close();
  for (const p of problems) assert.deepEqual(p, [], 'no CSP violations or script errors');
});

test('the resident’s data is erased while they wait: the widget shows the chat ended, without a rating form', async () => {
  const page = await openWidget();
  const chat = await startChat(page, { lang: 'en' });
  await page.getByRole('button', { name: 'Talk to a consultant' }).first().click();
  await page.locator('#status-main', { hasText: 'in the queue' }).waitFor();
  const filed = await staffRequest(server.url, bossToken, 'POST', '/api/v1/tickets', {
    subject: 'Deklaracja', description: 'Korekta', category: 'odpady_deklaracja', contact_id: chat.chatId,
    resident: { name: 'Zenon Usuwany', phone: '600700800' },
  });
  assert.equal(filed.status, 201, JSON.stringify(filed.body));
  const adminToken = await staffLogin(server.url, ADMIN);
  const erased = await staffRequest(server.url, adminToken, 'POST', '/api/v1/residents/erase', { phone: '600700800' });
  assert.equal(erased.status, 200, JSON.stringify(erased.body));

  await page.locator('#closed-panel').waitFor({ state: 'visible' });
  assert.equal(await page.locator('#status-main').textContent(), 'The conversation has ended.');
  assert.equal(await page.locator('#rating-form').isVisible(), false);
  assert.equal(await page.locator('#rating-result').textContent(), 'The conversation has ended and its data was erased (GDPR).');
  assert.equal(await contactState(chat.chatId), 'abandoned');
  // A reload remembers it.
  await page.reload();
  await page.locator('#closed-panel').waitFor({ state: 'visible' });
  assert.equal(await page.locator('#rating-form').isVisible(), false);
  await page.close();
  for (const p of problems) assert.deepEqual(p, [], 'no CSP violations or script errors');
});
