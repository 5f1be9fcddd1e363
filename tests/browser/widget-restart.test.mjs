// The resident chat widget survives a server restart in the middle of a
// conversation: it reconnects with backoff to the same address, fetches what
// it missed (each message once, in order), and sends what the resident typed
// meanwhile (each once). The server runs on a fixed port chosen here, so it
// comes back where the widget looks for it.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  connectAgent,
  embeddedWidgetConfig,
  freePort,
  launchBrowser,
  staffLogin,
  staffRequest,
  startHostPage,
  startServer,
  watchPage,
} from './support/harness.mjs';

const PIOTR = { username: 'piotr', password: 'Piotr-Haslo-2026!', role: 'agent', displayName: 'Piotr Wiśniewski' };

let port;
let server;
let host;
let browser;
let dir;
const problems = [];

before(async () => {
  port = await freePort();
  const serverUrl = `http://127.0.0.1:${port}`;
  host = await startHostPage(() => ({
    html: `<!doctype html><html lang="pl"><head><meta charset="utf-8"><title>Urząd Miasta</title></head>
<body><h1>Urząd Miasta</h1><script src="${serverUrl}/widget.js" async></script></body></html>`,
  }));
  server = await startServer({ users: [PIOTR], configure: embeddedWidgetConfig(host.origin), listen: `127.0.0.1:${port}` });
  assert.equal(server.url, serverUrl);
  dir = server.dir;
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await host?.close();
  if (server) {
    const result = await server.stop();
    assert.deepEqual(result, { code: 0, signal: null });
  }
});

async function restart({ between } = {}) {
  const stopped = await server.stop({ keep: true });
  assert.deepEqual(stopped, { code: 0, signal: null }, 'SIGTERM ends the server cleanly');
  if (between) await between();
  server = await startServer({ dir, listen: `127.0.0.1:${port}` });
}

function residentTexts(frame) {
  return frame.locator('#log li.w-msg--resident .w-msg__text').allTextContents();
}

function agentTexts(frame) {
  return frame.locator('#log li.w-msg--agent .w-msg__text').allTextContents();
}

async function waitForLogText(frame, text, timeout = 20_000) {
  await frame.locator('#log .w-msg__text', { hasText: text }).first().waitFor({ timeout });
}

async function assertIdsOnceInOrder(frame) {
  const ids = await frame.locator('#log li').evaluateAll((lis) => lis.map((li) => li.dataset.id));
  assert.equal(new Set(ids).size, ids.length, `no message twice: ${ids}`);
  assert.deepEqual(ids, [...ids].sort((a, b) => a.length - b.length || (a < b ? -1 : 1)), 'messages in id order');
}

test('(4) the widget resumes after a server restart and shows what was sent meanwhile exactly once', async () => {
  const context = await browser.newContext({ locale: 'pl-PL', viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  problems.push(await watchPage(page));
  await page.goto(host.url);
  await page.locator('[data-centrala-widget="launcher"]').click();
  const frame = await (await page.locator('iframe[data-centrala-widget="frame"]').elementHandle()).contentFrame();
  await frame.locator('#start-view').waitFor({ state: 'visible' });
  await frame.getByLabel('Inna sprawa').check();
  await frame.getByRole('button', { name: 'Rozpocznij czat' }).click();
  await waitForLogText(frame, 'Dzień dobry!');
  const chat = await frame.evaluate(() => JSON.parse(localStorage.getItem('centrala.widget.chat')));

  // A consultant takes the conversation.
  await frame.locator('#handoff').click();
  await frame.locator('#status-main', { hasText: /kolejce/ }).waitFor();
  let token = await staffLogin(server.url, PIOTR);
  let agent = await connectAgent(browser, server.url, token);
  await staffRequest(server.url, token, 'PUT', '/api/v1/agents/me/state', { state: 'available' });
  const offer = await agent.waitFrame((f) => f.type === 'offer' && f.contact?.id === chat.chatId);
  await agent.send({ type: 'accept', offer_id: offer.offer_id });
  await frame.locator('#status-main', { hasText: 'Piotr Wiśniewski' }).waitFor();

  const say = async (text, n) => {
    const r = await staffRequest(server.url, token, 'POST', `/api/v1/contacts/${chat.chatId}/messages`, {
      text,
      client_msg_id: `restart-${n}`,
    });
    assert.equal(r.status, 201, `consultant message: ${r.status} ${JSON.stringify(r.body)}`);
  };
  await say('Przed restartem', 1);
  await waitForLogText(frame, 'Przed restartem');
  await frame.getByLabel('Twoja wiadomość').fill('Mieszkaniec przed restartem');
  await frame.getByLabel('Twoja wiadomość').press('Enter');
  await waitForLogText(frame, 'Mieszkaniec przed restartem');

  // 1. The server goes away. The resident keeps typing; the page is held
  // offline while the server comes back and the consultant writes, so the
  // widget has to fetch those messages when it returns.
  await agent.close();
  await restart({
    between: async () => {
      await frame.locator('#conn-status', { hasText: 'Brak połączenia' }).waitFor();
      await frame.getByLabel('Twoja wiadomość').fill('Napisane, gdy serwer nie działał');
      await frame.getByLabel('Twoja wiadomość').press('Enter');
      await frame.locator('#pending li', { hasText: 'Napisane, gdy serwer nie działał' }).waitFor();
      assert.match(await frame.locator('#pending .w-msg__status').textContent(), /czeka na połączenie/);
      await context.setOffline(true);
    },
  });
  token = await staffLogin(server.url, PIOTR);
  await say('Po restarcie, pierwsza', 2);
  await say('Po restarcie, druga', 3);
  // The same client_msg_id again is stored once (and not shown twice).
  await staffRequest(server.url, token, 'POST', `/api/v1/contacts/${chat.chatId}/messages`, {
    text: 'Po restarcie, druga',
    client_msg_id: 'restart-3',
  });
  // The widget has not been back yet: these can only arrive by fetching.
  await frame.waitForTimeout(1500);
  assert.match(await frame.locator('#conn-status').textContent(), /Brak połączenia/);
  assert.equal(await frame.locator('#log .w-msg__text', { hasText: 'Po restarcie' }).count(), 0);
  await context.setOffline(false);

  await waitForLogText(frame, 'Po restarcie, druga');
  await waitForLogText(frame, 'Napisane, gdy serwer nie działał');
  await frame.locator('#pending li').first().waitFor({ state: 'detached' });
  await frame.locator('#conn-status', { hasText: 'Połączono ponownie.' }).waitFor();
  assert.deepEqual(await agentTexts(frame), ['Przed restartem', 'Po restarcie, pierwsza', 'Po restarcie, druga']);
  assert.deepEqual(await residentTexts(frame), ['Mieszkaniec przed restartem', 'Napisane, gdy serwer nie działał']);
  await assertIdsOnceInOrder(frame);

  // 2. A plain restart, the widget reconnecting on its own (backoff), and a
  // consultant message as soon as the server is back.
  await restart();
  token = await staffLogin(server.url, PIOTR);
  await say('Zaraz po drugim restarcie', 4);
  await waitForLogText(frame, 'Zaraz po drugim restarcie');
  await frame.getByLabel('Twoja wiadomość').fill('Nadal tu jestem');
  await frame.getByLabel('Twoja wiadomość').press('Enter');
  await waitForLogText(frame, 'Nadal tu jestem');
  await frame.locator('#pending li').first().waitFor({ state: 'detached' });
  assert.deepEqual(await agentTexts(frame), [
    'Przed restartem',
    'Po restarcie, pierwsza',
    'Po restarcie, druga',
    'Zaraz po drugim restarcie',
  ]);
  assert.deepEqual(await residentTexts(frame), ['Mieszkaniec przed restartem', 'Napisane, gdy serwer nie działał', 'Nadal tu jestem']);
  await assertIdsOnceInOrder(frame);

  // The server stored each message once.
  const res = await fetch(`${server.url}/api/v1/public/chats/${chat.chatId}/messages?after=0`, {
    headers: { 'X-Visitor-Token': chat.token },
  });
  const stored = (await res.json()).items.filter((m) => m.author.kind !== 'system' && m.author.kind !== 'bot').map((m) => m.text);
  assert.deepEqual(stored, [
    'Przed restartem',
    'Mieszkaniec przed restartem',
    'Po restarcie, pierwsza',
    'Po restarcie, druga',
    'Napisane, gdy serwer nie działał',
    'Zaraz po drugim restarcie',
    'Nadal tu jestem',
  ]);

  assert.deepEqual(problems.flat(), [], 'no CSP violations or script errors');
  await context.close();
});
