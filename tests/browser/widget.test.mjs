// The resident chat widget end to end: /widget.js embedded in a page served
// from another origin, a conversation with the bot, the queue, a consultant
// (over the real /ws/agent), closing and the rating, text never turned into
// markup, axe-core inside the iframe, and no CSP violations anywhere.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';

import {
  axeSource,
  connectAgent,
  embeddedWidgetConfig,
  launchBrowser,
  runAxe,
  staffLogin,
  staffRequest,
  startHostPage,
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

const XSS = '<img src=x onerror=alert(1)>';

let server;
let host;
let browser;
let axe;
const contexts = [];
const problems = []; // one list per page, from watchPage()
const dialogs = [];

// The city's page: its own strict CSP (no inline styles or scripts allowed,
// the widget's server allowed for scripts and frames) and unfriendly CSS.
function hostPage(serverUrl) {
  return (origin) => ({
    headers: {
      'Content-Security-Policy':
        `default-src 'self'; script-src 'self' ${serverUrl}; frame-src ${serverUrl}; ` +
        `style-src 'self'; img-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'`,
    },
    html: `<!doctype html>
<html lang="pl">
<head>
  <meta charset="utf-8">
  <title>Urząd Miasta — strona główna</title>
</head>
<body>
  <main>
    <h1>Urząd Miasta</h1>
    <p>Strona testowa na ${origin}.</p>
    <button type="button" id="host-button">Przycisk strony</button>
  </main>
  <script src="${serverUrl}/widget.js" async></script>
</body>
</html>`,
  });
}

before(async () => {
  axe = axeSource();
  // The page's origin has to be in the server's config, and the page has to
  // know the server's address: start the page server first.
  let serverUrl = null;
  host = await startHostPage((origin) => hostPage(serverUrl)(origin));
  server = await startServer({ users: [PIOTR], configure: embeddedWidgetConfig(host.origin) });
  serverUrl = server.url;
  browser = await launchBrowser();
});

after(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  await host?.close();
  const result = await server?.stop();
  assert.deepEqual(result, { code: 0, signal: null }, 'the server exits cleanly on SIGTERM');
});

async function newContext(options = {}) {
  const context = await browser.newContext({ locale: 'pl-PL', viewport: { width: 1280, height: 800 }, acceptDownloads: true, ...options });
  contexts.push(context);
  return context;
}

async function openHostPage(context) {
  const page = await context.newPage();
  problems.push(await watchPage(page));
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    d.dismiss().catch(() => {});
  });
  await page.goto(host.url);
  return page;
}

function launcher(page) {
  return page.locator('[data-centrala-widget="launcher"]');
}

// Opens the panel (unless it is open already) and returns the widget's frame.
async function openWidget(page) {
  await launcher(page).waitFor({ state: 'visible' });
  if ((await launcher(page).getAttribute('aria-expanded')) !== 'true') await launcher(page).click();
  const frameEl = page.locator('iframe[data-centrala-widget="frame"]');
  await frameEl.waitFor({ state: 'visible' });
  const frame = await (await frameEl.elementHandle()).contentFrame();
  await frame.waitForLoadState('load');
  await frame.locator('#boot').waitFor({ state: 'hidden' });
  return frame;
}

async function startChat(frame, { name = '', topic = 'Inna sprawa' } = {}) {
  await frame.locator('#start-view').waitFor({ state: 'visible' });
  if (name) await frame.getByLabel('Imię (opcjonalnie)').fill(name);
  if (topic) await frame.getByLabel(topic).check();
  await frame.getByRole('button', { name: 'Rozpocznij czat' }).click();
  await frame.locator('#chat-view').waitFor({ state: 'visible' });
  await frame.locator('#log li').first().waitFor();
  return frame.evaluate(() => JSON.parse(localStorage.getItem('centrala.widget.chat')));
}

function logTexts(frame) {
  return frame.locator('#log .w-msg__text').allTextContents();
}

async function waitForLogText(frame, text, timeout = 10_000) {
  await frame.locator('#log .w-msg__text', { hasText: text }).first().waitFor({ timeout });
}

async function sendFromWidget(frame, text) {
  await frame.getByLabel('Twoja wiadomość').fill(text);
  await frame.getByLabel('Twoja wiadomość').press('Enter');
  await waitForLogText(frame, text);
  await frame.locator('#pending li').first().waitFor({ state: 'detached' }).catch(() => {});
}

// A consultant who is available and takes the next offer for `chatId`.
async function consultantTakes(chatId) {
  const token = await staffLogin(server.url, PIOTR);
  const agent = await connectAgent(browser, server.url, token);
  const state = await staffRequest(server.url, token, 'PUT', '/api/v1/agents/me/state', { state: 'available' });
  assert.equal(state.status, 200, JSON.stringify(state.body));
  // Residents left waiting by earlier tests are taken and closed on the way.
  for (;;) {
    const offer = await agent.waitFrame((f) => f.type === 'offer');
    await agent.send({ type: 'accept', offer_id: offer.offer_id });
    const id = offer.contact.id;
    await agent.waitFrame((f) => f.type === 'contact_assigned' && f.contact?.id === id);
    if (id === chatId) return { token, agent };
    const r = await staffRequest(server.url, token, 'POST', `/api/v1/contacts/${id}/close`, { disposition: 'other' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
  }
}

let cmidSeq = 0;
async function agentSays(agent, chatId, text) {
  const client_msg_id = `agent-${++cmidSeq}`;
  await agent.send({ type: 'message', contact_id: chatId, text, client_msg_id });
  return agent.waitFrame((f) => f.type === 'ack' && f.client_msg_id === client_msg_id);
}

test('(1) embedded on another origin: start, bot greeting, a message, a consultant asked for, the queue position', async () => {
  const context = await newContext();
  const page = await openHostPage(context);

  await launcher(page).waitFor({ state: 'visible' });
  assert.equal(await launcher(page).getAttribute('aria-expanded'), 'false');
  assert.equal(await launcher(page).textContent(), 'Czat z urzędem');
  assert.equal(page.frames().length, 1, 'no iframe before the resident opens the chat');

  const frame = await openWidget(page);
  assert.equal(new URL(frame.url()).origin, server.url, 'the chat runs on the server origin');
  assert.equal(await launcher(page).getAttribute('aria-expanded'), 'true');
  assert.equal(await page.locator('iframe[data-centrala-widget="frame"]').getAttribute('title'), 'Czat z urzędem — Miejskie Centrum Kontaktu');
  // The panel takes focus: the start screen's heading.
  assert.equal(await frame.evaluate(() => document.activeElement?.id), 'start-title');

  // Topics and languages.
  const topics = await frame.locator('#topics label').allTextContents();
  assert.deepEqual(topics, [
    'Pojazdy, rejestracja, prawo jazdy',
    'Odpady i opłata śmieciowa',
    'Podatki i opłaty lokalne',
    'Zgłoszenie problemu w mieście',
    'Umówienie wizyty w urzędzie',
    'Inna sprawa',
  ]);
  assert.equal(await frame.locator('#lang').inputValue(), 'pl');

  // Video and PJM say they are coming, and nothing else happens.
  await frame.getByRole('button', { name: 'Rozmowa wideo' }).click();
  assert.match(await frame.locator('#start-notice').textContent(), /Rozmowy wideo będą dostępne wkrótce/);
  await frame.getByRole('button', { name: 'Tłumacz polskiego języka migowego (PJM)' }).click();
  assert.match(await frame.locator('#start-notice').textContent(), /tłumaczem polskiego języka migowego \(PJM\) będzie dostępna wkrótce/);
  assert.equal(await frame.locator('#start-view').isVisible(), true);

  const chat = await startChat(frame, { name: 'Jan', topic: 'Inna sprawa' });
  assert.match(chat.chatId, /^\d+$/);
  assert.equal(chat.lang, 'pl');

  await waitForLogText(frame, 'Dzień dobry! Jestem wirtualnym doradcą');
  const greeting = frame.locator('#log li').first();
  assert.equal(await greeting.locator('.w-msg__author').textContent(), 'Wirtualny asystent');
  assert.match(await greeting.locator('time').getAttribute('datetime'), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.match(await greeting.locator('time').textContent(), /^\d\d:\d\d$/);
  assert.equal(await frame.evaluate(() => document.activeElement?.id), 'message', 'the message box has focus');
  assert.equal(await frame.locator('#status-main').textContent(), 'Rozmawiasz z wirtualnym asystentem.');

  await sendFromWidget(frame, 'Kupiłem używany samochód, jak go zarejestrować?');
  const mine = frame.locator('#log li.w-msg--resident').last();
  assert.equal(await mine.locator('.w-msg__author').textContent(), 'Ty');
  // The advisor answers with choices and links (new tab, web addresses only).
  const answer = frame.locator('#log li.w-msg--bot').nth(1);
  await answer.waitFor();
  assert.match(await answer.locator('.w-msg__text').textContent(), /dowód rejestracyjny/);
  const links = answer.locator('a.w-msg__link');
  assert.ok(await links.count() >= 1, 'the answer links to booking a visit');
  assert.equal(await links.first().getAttribute('target'), '_blank');
  assert.equal(await links.first().getAttribute('rel'), 'noopener noreferrer');
  assert.match(await links.first().getAttribute('href'), /^https?:\/\//);
  const choices = answer.locator('.w-button--choice');
  assert.ok(await choices.count() >= 1, 'the answer offers choices');
  // A choice is a button frame; the advisor answers it.
  const label = await choices.first().textContent();
  await choices.first().click();
  await frame.locator('#log li.w-msg--bot').nth(2).waitFor();
  assert.notEqual(await frame.locator('#log li.w-msg--bot').nth(2).locator('.w-msg__text').textContent(),
    await answer.locator('.w-msg__text').textContent(), `the choice "${label}" led somewhere`);

  await frame.getByRole('button', { name: 'Porozmawiaj z konsultantem' }).first().click();
  await frame.locator('#status-main', { hasText: 'Jesteś następny w kolejce.' }).waitFor();
  assert.equal(await frame.locator('#handoff').isVisible(), false);
  await waitForLogText(frame, 'Łączę z konsultantem');

  // Every message once, in id order.
  const ids = await frame.locator('#log li').evaluateAll((lis) => lis.map((li) => li.dataset.id));
  assert.equal(new Set(ids).size, ids.length);
  assert.deepEqual(ids, [...ids].sort((a, b) => a.length - b.length || (a < b ? -1 : 1)));

  // Minimise from inside (Escape) gives focus back to the launcher.
  await frame.getByLabel('Twoja wiadomość').press('Escape');
  await page.locator('[data-centrala-widget="panel"]').waitFor({ state: 'hidden' });
  assert.equal(await launcher(page).getAttribute('aria-expanded'), 'false');
  assert.equal(await page.evaluate(() => document.activeElement?.shadowRoot?.activeElement?.dataset.centralaWidget), 'launcher');
  await page.close();
});

test('(2, 3) a consultant joins and writes; markup stays text; closing, the rating once, the transcript', async () => {
  const context = await newContext();
  const page = await openHostPage(context);
  const frame = await openWidget(page);
  const chat = await startChat(frame, { name: `Ala ${XSS}`, topic: 'Pojazdy, rejestracja, prawo jazdy' });

  await frame.getByRole('button', { name: 'Porozmawiaj z konsultantem' }).last().click();
  await frame.locator('#status-main', { hasText: /kolejce/ }).waitFor();

  const { token, agent } = await consultantTakes(chat.chatId);
  await frame.locator('#status-main', { hasText: 'Rozmawiasz z konsultantem: Piotr Wiśniewski.' }).waitFor();
  await waitForLogText(frame, 'Piotr Wiśniewski');

  // Minimised, a new message shows as a count on the launcher.
  await frame.getByLabel('Twoja wiadomość').press('Escape');
  await page.locator('[data-centrala-widget="panel"]').waitFor({ state: 'hidden' });
  await agentSays(agent, chat.chatId, 'Czy jest Pan/Pani jeszcze z nami?');
  await page.getByRole('button', { name: 'Czat z urzędem (nowe wiadomości: 1)', exact: true }).waitFor();
  await launcher(page).click();
  assert.equal(await launcher(page).textContent(), 'Czat z urzędem');
  await frame.waitForFunction(() => document.activeElement?.id === 'message');

  // Typing, then a message.
  await agent.send({ type: 'typing', contact_id: chat.chatId });
  await frame.locator('#typing', { hasText: 'Konsultant pisze…' }).waitFor();
  await agentSays(agent, chat.chatId, 'Dzień dobry, w czym mogę pomóc?');
  await waitForLogText(frame, 'Dzień dobry, w czym mogę pomóc?');
  const agentMsg = frame.locator('#log li.w-msg--agent').last();
  assert.equal(await agentMsg.locator('.w-msg__author').textContent(), 'Piotr Wiśniewski');
  assert.equal(await frame.locator('#typing').textContent(), '');

  // (3) Markup from both sides is shown as text, and nothing runs.
  await agentSays(agent, chat.chatId, XSS);
  await waitForLogText(frame, XSS);
  await sendFromWidget(frame, `Odpowiedź ${XSS} z <b>pogrubieniem</b>`);
  assert.equal(await frame.locator('#log img, #log b, #pending img').count(), 0);
  const fromAgent = await frame.locator('#log li.w-msg--agent .w-msg__text').allTextContents();
  assert.ok(fromAgent.includes(XSS));
  const residentFrame = await agent.waitFrame((f) => f.type === 'message' && f.message?.author?.kind === 'resident' && f.message.text.includes('pogrubieniem'));
  assert.equal(residentFrame.message.text, `Odpowiedź ${XSS} z <b>pogrubieniem</b>`);
  await page.waitForTimeout(300);
  assert.deepEqual(dialogs, [], 'no dialog was opened');

  // Transcript: plain text built in the page, downloaded through a Blob URL.
  const [download] = await Promise.all([page.waitForEvent('download'), frame.getByRole('button', { name: 'Pobierz zapis rozmowy' }).click()]);
  assert.equal(download.suggestedFilename(), `rozmowa-${chat.chatId}.txt`);
  assert.match(download.url(), /^blob:/);
  const transcript = readFileSync(await download.path(), 'utf8');
  assert.match(transcript, new RegExp(`^Zapis rozmowy — Miejskie Centrum Kontaktu\nRozmowa nr ${chat.chatId}\n`));
  assert.match(transcript, /\] Wirtualny asystent: Dzień dobry! Jestem wirtualnym doradcą/);
  assert.match(transcript, /\] Piotr Wiśniewski: Dzień dobry, w czym mogę pomóc\?\n/);
  assert.ok(transcript.includes(`] Ty: Odpowiedź ${XSS} z <b>pogrubieniem</b>\n`));
  for (const text of await logTexts(frame)) assert.ok(transcript.includes(text.split('\n')[0]), `transcript has: ${text}`);

  // The consultant closes the conversation.
  await frame.getByLabel('Twoja wiadomość').focus();
  const closed = await staffRequest(server.url, token, 'POST', `/api/v1/contacts/${chat.chatId}/close`, { disposition: 'vehicles' });
  assert.equal(closed.status, 200, JSON.stringify(closed.body));
  await frame.locator('#closed-panel').waitFor({ state: 'visible' });
  assert.equal(await frame.locator('#status-main').textContent(), 'Rozmowa została zakończona.');
  assert.equal(await frame.locator('#composer').isVisible(), false, 'a closed chat cannot be written to');
  assert.equal(await frame.locator('#message').isDisabled(), true);
  assert.equal(await frame.evaluate(() => document.activeElement?.id), 'closed-title', 'focus moves to the closed notice');
  // The closing notice arrives too.
  await waitForLogText(frame, 'Rozmowa została zakończona. Dziękujemy!');

  // (5) The closed view with the rating form passes axe too.
  const closedViolations = (await runAxe(frame, axe)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(closedViolations, [], JSON.stringify(closedViolations, null, 2));

  // Rating: a score is required; then it is sent once.
  await frame.getByRole('button', { name: 'Wyślij ocenę' }).click();
  assert.equal(await frame.locator('#rating-error').textContent(), 'Wybierz ocenę od 1 do 5.');
  await frame.getByLabel('5 — bardzo dobrze').check();
  await frame.getByLabel('Komentarz (opcjonalnie)').fill(`Bardzo sprawnie ${XSS}`);
  await frame.getByRole('button', { name: 'Wyślij ocenę' }).click();
  await frame.locator('#rating-result', { hasText: 'Dziękujemy za ocenę!' }).waitFor();
  assert.equal(await frame.locator('#rating-form').isVisible(), false);
  assert.equal(await frame.evaluate(() => document.activeElement?.id), 'rating-result');
  // The server has it: a second rating is refused.
  const again = await fetch(`${server.url}/api/v1/public/chats/${chat.chatId}/rating`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Visitor-Token': chat.token },
    body: JSON.stringify({ score: 1 }),
  });
  assert.equal(again.status, 409);

  // A reload keeps the (closed, rated) conversation: no form, no composer.
  // The panel was open, so it opens again by itself.
  await page.reload();
  await launcher(page).waitFor({ state: 'visible' });
  assert.equal(await launcher(page).getAttribute('aria-expanded'), 'true');
  const frame2 = await openWidget(page);
  await frame2.locator('#chat-view').waitFor({ state: 'visible' });
  await waitForLogText(frame2, 'Dzień dobry, w czym mogę pomóc?');
  await frame2.locator('#closed-panel').waitFor({ state: 'visible' });
  assert.equal(await frame2.locator('#rating-form').isVisible(), false);
  assert.equal(await frame2.locator('#rating-result').textContent(), 'Ta rozmowa została już oceniona. Dziękujemy!');
  assert.equal(await frame2.locator('#composer').isVisible(), false);
  const texts = await logTexts(frame2);
  assert.equal(texts.filter((t) => t === XSS).length, 1, 'each message once after a reload');

  // A new conversation starts from the start screen.
  await frame2.getByRole('button', { name: 'Rozpocznij nową rozmowę' }).click();
  await frame2.locator('#start-view').waitFor({ state: 'visible' });
  assert.equal(await frame2.evaluate(() => localStorage.getItem('centrala.widget.chat')), null);
  await agent.close();
  await page.close();
});

test('a reload in the middle of a conversation keeps it, and messages typed offline are sent once', async () => {
  const context = await newContext();
  const page = await openHostPage(context);
  const frame = await openWidget(page);
  const chat = await startChat(frame, { topic: 'Odpady i opłata śmieciowa' });
  await sendFromWidget(frame, 'Pierwsza wiadomość');

  // Offline: the message waits in the outbox and says so.
  await context.setOffline(true);
  await frame.locator('#conn-status', { hasText: 'Brak połączenia' }).waitFor();
  await frame.getByLabel('Twoja wiadomość').fill('Napisane bez sieci');
  await frame.getByLabel('Twoja wiadomość').press('Enter');
  await frame.locator('#pending li', { hasText: 'Napisane bez sieci' }).waitFor();
  assert.match(await frame.locator('#pending .w-msg__status').textContent(), /czeka na połączenie/);

  // Reload while offline would lose the page; reload after coming back: the
  // outbox survives in localStorage either way.
  const outbox = await frame.evaluate(() => JSON.parse(localStorage.getItem('centrala.widget.outbox')));
  assert.equal(outbox.length, 1);
  await context.setOffline(false);
  await waitForLogText(frame, 'Napisane bez sieci');
  await frame.locator('#pending li').first().waitFor({ state: 'detached' });

  // The panel was open: after a reload it opens again, with the conversation.
  await page.reload();
  const frameEl = page.locator('iframe[data-centrala-widget="frame"]');
  await frameEl.waitFor({ state: 'visible' });
  const frame2 = await (await frameEl.elementHandle()).contentFrame();
  await waitForLogText(frame2, 'Napisane bez sieci');
  // The restored history is not read out again; what comes next is.
  await frame2.waitForFunction(() => document.getElementById('log-region').getAttribute('aria-live') === 'polite');
  const texts = await logTexts(frame2);
  assert.equal(texts.filter((t) => t === 'Napisane bez sieci').length, 1);
  assert.equal(texts.filter((t) => t === 'Pierwsza wiadomość').length, 1);
  assert.equal(await frame2.evaluate(() => JSON.parse(localStorage.getItem('centrala.widget.chat')).chatId), chat.chatId);

  // The server stored each once.
  const res = await fetch(`${server.url}/api/v1/public/chats/${chat.chatId}/messages?after=0`, { headers: { 'X-Visitor-Token': chat.token } });
  const stored = (await res.json()).items.filter((m) => m.author.kind === 'resident').map((m) => m.text);
  assert.deepEqual(stored, ['Pierwsza wiadomość', 'Napisane bez sieci']);
  await page.close();
});

test('English and Ukrainian: the start screen and the conversation follow the chosen language', async () => {
  const context = await newContext();
  const page = await openHostPage(context);
  const frame = await openWidget(page);
  await frame.locator('#lang').selectOption('en');
  assert.equal(await frame.evaluate(() => document.documentElement.lang), 'en');
  assert.equal(await frame.locator('#start-title').textContent(), 'How can we help?');
  assert.equal(await frame.getByRole('button', { name: 'Start chat' }).count(), 1);
  // The launcher on the (Polish) host page follows the language the resident reads.
  await launcher(page).filter({ hasText: 'Chat with the city hall' }).waitFor();
  await frame.locator('#lang').selectOption('uk');
  assert.equal(await frame.locator('#start-title').textContent(), 'Чим ми можемо допомогти?');
  await launcher(page).filter({ hasText: 'Чат з міською радою' }).waitFor();
  assert.equal(await launcher(page).textContent(), 'Чат з міською радою');
  assert.equal(
    await page.locator('iframe[data-centrala-widget="frame"]').getAttribute('title'),
    'Чат з міською радою — Міський контакт-центр',
  );
  await frame.getByLabel('Інше питання').check();
  await frame.getByRole('button', { name: 'Почати чат' }).click();
  await waitForLogText(frame, 'Добрий день! Я віртуальний помічник');
  assert.equal(await frame.locator('#log li .w-msg__author').first().textContent(), 'Віртуальний помічник');
  assert.equal(await frame.evaluate(() => JSON.parse(localStorage.getItem('centrala.widget.chat')).lang), 'uk');

  const missing = await frame.evaluate(async () => (await import('/widget/i18n.js')).missingKeys());
  assert.deepEqual(missing, { pl: [], en: [], uk: [] });
  await page.close();
});

test('opened on its own at /widget (a link from a phone app or an e-mail) it works without a host page', async () => {
  const context = await newContext({ viewport: { width: 390, height: 740 } });
  const page = await context.newPage();
  problems.push(await watchPage(page));
  await page.goto(server.url + '/widget');
  await page.locator('#start-view').waitFor({ state: 'visible' });
  assert.equal(await page.locator('#minimize').isVisible(), false, 'nothing to minimise into');
  assert.equal(await page.title(), 'Czat z urzędem — Miejskie Centrum Kontaktu');
  await page.getByRole('button', { name: 'Rozpocznij czat' }).click();
  await waitForLogText(page, 'Dzień dobry!');
  await page.close();
});

test('(5) axe-core inside the iframe: no serious or critical violations (start, conversation; closed in test 2)', async () => {
  const context = await newContext();
  const page = await openHostPage(context);
  const frame = await openWidget(page);

  const check = async (where) => {
    const violations = await runAxe(frame, axe);
    const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    assert.deepEqual(bad, [], `${where}: serious/critical axe violations:\n${JSON.stringify(bad, null, 2)}`);
    for (const v of violations) console.log(`# axe widget ${where}: ${v.impact} ${v.id} — ${v.help}`);
  };
  await check('start screen');
  await frame.getByRole('button', { name: 'Rozmowa wideo' }).click();
  await frame.getByRole('button', { name: 'Rozpocznij czat' }).click(); // no topic, no name: both optional
  await frame.locator('#chat-view').waitFor({ state: 'visible' });
  await waitForLogText(frame, 'Dzień dobry!');
  await sendFromWidget(frame, 'Pytanie o podatek od psa');
  await frame.locator('#log li.w-msg--bot').nth(1).waitFor();
  await check('conversation');

  // Also the host page around it (the launcher).
  const hostViolations = (await runAxe(page, axe)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(hostViolations, [], JSON.stringify(hostViolations, null, 2));
  await page.close();
});

test('keyboard only: open, start, write, minimise; 200% zoom reflows without sideways scrolling', async () => {
  const context = await newContext();
  const page = await openHostPage(context);
  await launcher(page).waitFor({ state: 'visible' });
  // Tab from the page's own button to the launcher.
  await page.locator('#host-button').focus();
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.shadowRoot?.activeElement?.dataset.centralaWidget), 'launcher');
  // The focus ring is visible.
  const outline = await launcher(page).evaluate((b) => getComputedStyle(b).outlineStyle + ' ' + getComputedStyle(b).outlineWidth);
  assert.equal(outline, 'solid 3px');
  await page.keyboard.press('Enter');
  const frameEl = page.locator('iframe[data-centrala-widget="frame"]');
  await frameEl.waitFor({ state: 'visible' });
  const frame = await (await frameEl.elementHandle()).contentFrame();
  await frame.waitForFunction(() => document.activeElement?.id === 'start-title');
  await page.keyboard.press('Tab'); // name
  assert.equal(await frame.evaluate(() => document.activeElement?.id), 'name');
  await page.keyboard.type('Ola');
  await page.keyboard.press('Tab'); // topics (radio group)
  assert.equal(await frame.evaluate(() => document.activeElement?.name), 'topic');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Tab'); // language
  assert.equal(await frame.evaluate(() => document.activeElement?.id), 'lang');
  await page.keyboard.press('Tab'); // start
  assert.equal(await frame.evaluate(() => document.activeElement?.id), 'start-chat');
  await page.keyboard.press('Enter');
  await frame.waitForFunction(() => document.activeElement?.id === 'message');
  await page.keyboard.type('Z klawiatury');
  await page.keyboard.press('Enter');
  await waitForLogText(frame, 'Z klawiatury');
  await page.keyboard.press('Escape');
  await page.locator('[data-centrala-widget="panel"]').waitFor({ state: 'hidden' });
  assert.equal(await page.evaluate(() => document.activeElement?.shadowRoot?.activeElement?.dataset.centralaWidget), 'launcher');
  await page.keyboard.press('Enter');
  await frame.waitForFunction(() => document.activeElement?.id === 'message');
  await page.close();

  // 200% zoom of a 1280×800 window is a 640×400 CSS px viewport: the panel
  // takes the whole window and nothing scrolls sideways.
  const zoomed = await newContext({ viewport: { width: 640, height: 400 }, deviceScaleFactor: 2 });
  const page2 = await openHostPage(zoomed);
  const frame2 = await openWidget(page2);
  const box = await page2.locator('[data-centrala-widget="panel"]').boundingBox();
  assert.deepEqual([box.x, box.y, box.width, box.height], [0, 0, 640, 400]);
  const overflow = await frame2.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.equal(overflow, 0);
  await frame2.getByRole('button', { name: 'Rozpocznij czat' }).click();
  await waitForLogText(frame2, 'Dzień dobry!');
  assert.equal(await frame2.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth), 0);
  assert.equal(await frame2.getByLabel('Twoja wiadomość').isVisible(), true);
  await page2.close();

  // A 320 CSS px wide phone: the same.
  const narrow = await newContext({ viewport: { width: 320, height: 640 } });
  const page3 = await openHostPage(narrow);
  const frame3 = await openWidget(page3);
  const box3 = await page3.locator('[data-centrala-widget="panel"]').boundingBox();
  assert.deepEqual([box3.x, box3.y, box3.width, box3.height], [0, 0, 320, 640]);
  assert.equal(await frame3.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth), 0);
  await page3.close();
});

test('the widget sources build no markup from strings and widget.js is a classic script', () => {
  const root = new URL('../../web/', import.meta.url);
  const files = ['widget.js', 'widget/app.js', 'widget/chat-client.js', 'widget/i18n.js', 'widget/transcript.js'];
  for (const f of files) {
    const src = readFileSync(new URL(f, root), 'utf8').replace(/^\s*\/\/.*$/gm, '');
    for (const bad of ['innerHTML', 'outerHTML', 'insertAdjacentHTML', 'document.write', 'eval(', 'new Function', 'setAttribute(\'style\'']) {
      assert.ok(!src.includes(bad), `${f} uses ${bad}`);
    }
  }
  const launcherSrc = readFileSync(new URL('widget.js', root), 'utf8');
  assert.doesNotMatch(launcherSrc, /^\s*(import|export)\b/m, 'widget.js is not a module');
  assert.doesNotThrow(() => new Function(launcherSrc), 'widget.js parses as a classic script');
  const html = readFileSync(new URL('widget.html', root), 'utf8');
  assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)/, 'no inline script');
  assert.doesNotMatch(html, /<style|\sstyle=/, 'no inline style');
});

test('(6) no Content-Security-Policy violations or script errors, on the host page or in the widget', async () => {
  assert.ok(problems.length >= 6, 'every flow above was watched');
  assert.deepEqual(problems.flat(), []);
  assert.deepEqual(dialogs, []);
});
