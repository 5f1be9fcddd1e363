// The agent console's callback card against the real server in headless
// Chromium: a resident books a call back in the chat (REST buttons), the
// consultant accepts the offer, sees „Oddzwoń: +48 600 100 200” with the
// topic, window, attempt and summary, answers „Nie odebrano” (the callback
// comes back after the pause) and then „Połączono — zakończ z tematem”; the
// resident's chat is told. axe-core on the card; no CSP violations.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { axeSource, launchBrowser, runAxe, staffLogin, startServer, watchPage } from './support/harness.mjs';

const AGENT = { username: 'dorota', password: 'Dorota-Haslo-2026', role: 'agent', displayName: 'Dorota Oddzwania' };
const SUPERVISOR = { username: 'kierownik', password: 'Kierownik-2026!!', role: 'supervisor', displayName: 'Kierowniczka Zmiany' };

let server;
let browser;
let context;

function configure(config) {
  for (const q of config.queues) {
    q.hours = 'always';
    q.wrap_up_seconds = 0;
  }
  config.callback = { max_attempts: 3, retry_seconds: 1, window_minutes: 240 };
}

before(async () => {
  server = await startServer({ users: [AGENT, SUPERVISOR], configure });
  browser = await launchBrowser();
});

after(async () => {
  await context?.close().catch(() => {});
  await browser?.close();
  await server?.stop();
});

async function json(res) {
  const text = await res.text();
  return text ? JSON.parse(text) : null;
}

// A resident books a call back through the public REST API.
async function bookCallback() {
  const res = await fetch(`${server.url}/api/v1/public/chats`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ lang: 'pl', name: 'Jan Kowalski' }),
  });
  assert.equal(res.status, 201);
  const { chat_id: id, visitor_token: token } = await json(res);
  const headers = { 'Content-Type': 'application/json', 'X-Visitor-Token': token };
  const press = async (value) => {
    const r = await fetch(`${server.url}/api/v1/public/chats/${id}/button`, { method: 'POST', headers, body: JSON.stringify({ value }) });
    assert.equal(r.status, 200, `button ${value}: ${r.status} ${await r.text()}`);
  };
  const messages = async () => {
    const r = await fetch(`${server.url}/api/v1/public/chats/${id}/messages?after=0`, { headers });
    return (await json(r)).items;
  };
  await press('callback');
  const say = await fetch(`${server.url}/api/v1/public/chats/${id}/messages`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ text: '600 100 200', client_msg_id: 'phone-1' }),
  });
  assert.equal(say.status, 201);
  // The advisor answers a moment after the ack.
  for (let i = 0; i < 50 && !(await messages()).some((m) => (m.buttons || []).some((b) => b.value === 'callback:any')); i++)
    await new Promise((r) => setTimeout(r, 100));
  await press('callback:any');
  await press('callback:confirm');
  return { id, messages };
}

test('a consultant makes a callback from its card: no answer, then connected with a topic', async () => {
  context = await browser.newContext({ locale: 'pl-PL', viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const problems = await watchPage(page);
  await page.goto(server.url + '/');
  await page.getByLabel('Nazwa użytkownika').fill(AGENT.username);
  await page.getByLabel('Hasło', { exact: true }).fill(AGENT.password);
  await page.getByLabel('Hasło', { exact: true }).press('Enter');
  await page.locator('.console').waitFor({ state: 'visible' });
  await page.waitForFunction(() => document.getElementById('connection')?.dataset.state === 'open', null, { timeout: 20_000 });
  assert.equal(await page.locator('#callbacks-empty').isVisible(), true);
  await page.getByRole('button', { name: 'Dostępny', exact: true }).click();

  const resident = await bookCallback();

  // The offer: an ordinary card, channel „oddzwonienie”.
  const offer = page.locator('#offer-list > li').first();
  await offer.waitFor({ state: 'visible', timeout: 10_000 });
  assert.match(await offer.textContent(), /oddzwonienie/);
  await offer.getByRole('button', { name: /Przyjmij/ }).click();

  const card = page.locator('#callback-list > li').first();
  await card.waitFor({ state: 'visible', timeout: 10_000 });
  assert.equal(await card.locator('h3').textContent(), 'Oddzwoń: +48 600 100 200');
  assert.match(await card.textContent(), /jak najszybciej/);
  assert.match(await card.textContent(), /1 z 3/);
  assert.equal(await page.locator('.chat-tab').count(), 0, 'a callback opens no chat tab');
  assert.equal(await page.locator('#callbacks-empty').isVisible(), false);
  const violations = (await runAxe(page, axeSource())).filter((v) => ['serious', 'critical'].includes(v.impact));
  assert.deepEqual(violations, []);

  await card.getByRole('button', { name: 'Nie odebrano' }).click();
  await page.locator('#callback-list > li').first().waitFor({ state: 'detached' });

  // Back after the pause: the second attempt.
  await offer.waitFor({ state: 'visible', timeout: 10_000 });
  await offer.getByRole('button', { name: /Przyjmij/ }).click();
  await card.waitFor({ state: 'visible', timeout: 10_000 });
  assert.match(await card.textContent(), /2 z 3/);
  await card.getByLabel('Temat sprawy').selectOption('civil_registry');
  await card.getByRole('button', { name: 'Połączono — zakończ z tematem' }).click();
  await page.locator('#callback-list > li').first().waitFor({ state: 'detached' });
  assert.equal(await page.locator('#callbacks-empty').isVisible(), true);

  // Closed with that topic; the resident's chat is told.
  const boss = await staffLogin(server.url, SUPERVISOR);
  const list = await fetch(`${server.url}/api/v1/callbacks`, { headers: { Authorization: `Bearer ${boss}` } });
  assert.deepEqual((await json(list)).items, []);
  let told = false;
  for (let i = 0; i < 50 && !told; i++) {
    told = (await resident.messages()).some((m) => (m.text || '').includes('oddzwonił'));
    if (!told) await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(told, 'the resident is told the call was made');
  assert.deepEqual(problems, []);
});
