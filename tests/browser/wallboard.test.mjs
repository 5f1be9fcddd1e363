// The supervisor's wallboard at /wallboard against the real server in
// headless Chromium: login with the staff login form, a new waiting chat on
// the queue tile within a second and the waiting chart updated with it, an
// agent refused, TV mode without controls, axe-core without serious or
// critical violations (in the three languages), and no CSP violations.
// Canned responses edited on the board: search, create, edit, delete with
// Polish validation messages (client and server), keyboard only, audited.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { axeSource, freePort, launchBrowser, runAxe, startServer, watchPage } from './support/harness.mjs';

const SUPERVISOR = { username: 'kierownik', password: 'Kierownik-2026!!', role: 'supervisor', displayName: 'Kierowniczka Zmiany' };
const AGENT = { username: 'ewa', password: 'Ewa-Haslo-2026!!', role: 'agent', displayName: 'Ewa Konsultantka' };
const ADMIN = { username: 'admin', password: 'Admin-Haslo-2026!!', role: 'admin', displayName: 'Administrator' };

let server;
let listen;
let browser;
let axe;
const problems = [];
const contexts = [];

before(async () => {
  axe = axeSource();
  listen = `127.0.0.1:${await freePort()}`;
  server = await startServer({
    listen,
    users: [SUPERVISOR, AGENT, ADMIN],
    configure(config) {
      for (const q of config.queues) q.hours = 'always';
      config.chat = { ...(config.chat || {}), max_open_chats_per_address: 1000 };
      config.wallboard = { ...(config.wallboard || {}), waiting_warn: 1, waiting_alert: 3, service_level_warn_pct: 0, service_level_alert_pct: 0 };
    },
  });
  browser = await launchBrowser();
});

after(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  await server?.stop();
  assert.deepEqual(problems.flat(), [], 'CSP violations or script errors');
});

async function openBoard(user, query = '') {
  const context = await browser.newContext();
  contexts.push(context);
  const page = await context.newPage();
  problems.push(await watchPage(page));
  await page.goto(`${server.url}/wallboard${query}`);
  await page.getByLabel('Nazwa użytkownika').fill(user.username);
  await page.getByLabel('Hasło', { exact: true }).fill(user.password);
  await page.getByRole('button', { name: 'Zaloguj się' }).click();
  return page;
}

async function waitingChat(name) {
  const res = await fetch(`${server.url}/api/v1/public/chats`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name, lang: 'pl' }),
  });
  assert.equal(res.status, 201);
  const { chat_id: id, visitor_token: token } = await res.json();
  const h = await fetch(`${server.url}/api/v1/public/chats/${id}/handoff`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Visitor-Token': token },
    body: '{}',
  });
  assert.equal(h.status, 200);
  return id;
}

async function assertAxeClean(page, where) {
  const violations = await runAxe(page, axe);
  const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad, [], `${where}: serious/critical axe violations:\n${JSON.stringify(bad, null, 2)}`);
  for (const v of violations) console.log(`# axe ${where}: ${v.impact} ${v.id} — ${v.help}`);
}

test('a new waiting chat shows on the tile within a second and the waiting chart moves', async () => {
  const page = await openBoard(SUPERVISOR);
  const tile = page.locator('.tile[data-queue="general"]');
  await tile.waitFor({ state: 'visible' });
  await page.locator('#board-connection[data-state="open"]').waitFor();
  const waiting = tile.locator('[data-field="waiting"]');
  assert.equal(await waiting.textContent(), '0');
  const pointsBefore = Number(await page.locator('#chart-waiting').getAttribute('data-points'));
  const descBefore = await page.locator('#chart-waiting desc').textContent();

  await waitingChat('Jan Kowalski');
  const t0 = Date.now();
  await page.waitForFunction(
    () => document.querySelector('.tile[data-queue="general"] [data-field="waiting"]')?.textContent === '1',
    null,
    { timeout: 1000 },
  );
  const elapsed = Date.now() - t0;
  assert.ok(elapsed < 1000, `tile updated after ${elapsed} ms`);
  // Level in words, not colour alone (waiting_warn is 1 here).
  assert.equal(await tile.getAttribute('data-level'), 'warn');
  assert.equal(await tile.locator('.tile__level').textContent(), 'Uwaga');
  // The chart has a live point for now, which reflects the new chat.
  await page.waitForFunction(
    (before) => document.querySelector('#chart-waiting desc').textContent !== before,
    descBefore,
    { timeout: 1000 },
  );
  assert.match(await page.locator('#chart-waiting desc').textContent(), /teraz: 1\./);
  assert.ok(Number(await page.locator('#chart-waiting').getAttribute('data-points')) >= pointsBefore);
  // The longest wait ticks.
  const longest = tile.locator('[data-field="longest"]');
  const first = await longest.textContent();
  await page.waitForFunction(
    (v) => document.querySelector('.tile[data-queue="general"] [data-field="longest"]').textContent !== v,
    first,
    { timeout: 3000 },
  );
  // The waiting chat is listed with its actions.
  await page.locator('#contacts-body tr', { hasText: 'Jan Kowalski' }).waitFor({ timeout: 5000 });

  await assertAxeClean(page, 'wallboard');
  for (const lang of ['English', 'Українська']) {
    await page.getByRole('button', { name: lang }).click();
    await assertAxeClean(page, `wallboard in ${lang}`);
  }
  await page.getByRole('button', { name: 'Polski' }).click();
});

test('reports: today by queue in a table and a chart, and the same as CSV', async () => {
  const page = await openBoard(SUPERVISOR);
  await page.locator('#report-form').waitFor({ state: 'visible' });
  await page.getByLabel('Grupowanie').selectOption('queue');
  await page.getByRole('button', { name: 'Pokaż raport' }).click();
  const row = page.locator('#report-body tr', { hasText: 'Informacja ogólna' });
  await row.waitFor({ timeout: 5000 });
  assert.equal(await row.locator('td').first().textContent(), '1', 'one chat offered to general today');
  assert.match(await page.locator('#chart-report desc').textContent(), /Informacja ogólna/);
  const href = await page.locator('#rp-csv').getAttribute('href');
  assert.match(href, /group_by=queue/);
  assert.match(href, /format=csv/);
  const csv = await page.evaluate(async (url) => {
    const r = await fetch(url, { credentials: 'same-origin' });
    return { type: r.headers.get('Content-Type'), text: await r.text() };
  }, href);
  assert.match(csv.type, /^text\/csv/);
  assert.match(csv.text, /^queue,offered,answered,/);
  assert.match(csv.text, /\r\ngeneral,1,0,/);
  await assertAxeClean(page, 'wallboard with a report');
});

test('after a server restart the wallboard reconnects and shows today\'s figures again', async () => {
  const page = await openBoard(SUPERVISOR);
  const today = page.locator('.tile[data-queue="general"] .metric', { hasText: 'Dziś' }).locator('dd');
  await today.waitFor();
  const before = await today.textContent();
  assert.match(before, /przychodzące [1-9]/);
  const { code } = await server.stop({ keep: true });
  assert.equal(code, 0);
  await page.locator('#board-connection[data-state="reconnecting"]').waitFor({ timeout: 5000 });
  server = await startServer({ dir: server.dir, listen });
  await page.locator('#board-connection[data-state="open"]').waitFor({ timeout: 20000 });
  await page.waitForFunction((text) => {
    const dd = [...document.querySelectorAll('.tile[data-queue="general"] .metric')].find((m) => m.textContent.includes('Dziś'));
    return dd && dd.querySelector('dd').textContent === text;
  }, before, { timeout: 5000 });
});

test('a case opened from a waiting chat shows on its queue tile and in today\'s line', async () => {
  const page = await openBoard(SUPERVISOR);
  const cases = page.locator('.tile[data-queue="general"] [data-field="cases"]');
  await cases.waitFor();
  const before = Number(await cases.textContent());
  const chat = await waitingChat('Zofia Nowak');
  const r = await apiAs(AGENT, 'POST', '/api/v1/tickets', {
    subject: 'Nieodebrane odpady', category: 'odpady_deklaracja', contact_id: chat,
  });
  assert.equal(r.status, 201);
  await page.waitForFunction(
    (n) => document.querySelector('.tile[data-queue="general"] [data-field="cases"]')?.textContent === String(n),
    before + 1,
    { timeout: 5000 },
  );
  assert.match(await page.locator('#board-today').textContent(), new RegExp(`^Dziś założono spraw: ${before + 1};`));
});

test('TV mode: large type, no controls', async () => {
  const page = await openBoard(SUPERVISOR, '?tv=1');
  await page.locator('.tile[data-queue="general"]').waitFor({ state: 'visible' });
  assert.equal(await page.locator('#queue-form').isVisible(), false);
  assert.equal(await page.locator('#contacts-table').isVisible(), false);
  assert.equal(await page.locator('#canned-table').isVisible(), false);
  assert.equal(await page.locator('.lang-switcher').isVisible(), false);
  await assertAxeClean(page, 'wallboard in TV mode');
});

test('an agent is told the wallboard is for supervisors', async () => {
  const page = await openBoard(AGENT);
  await page.locator('#board-denied').waitFor({ state: 'visible' });
  assert.equal(await page.locator('#board').isVisible(), false);
});

async function apiAs(user, method, path, body) {
  const login = await fetch(`${server.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: user.username, password: user.password }),
  });
  assert.equal(login.status, 200);
  const { token } = await login.json();
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, json: res.status === 204 ? null : await res.json() };
}

test('canned responses: a supervisor finds, adds, edits and deletes them with the keyboard, in Polish, audited', async () => {
  const page = await openBoard(SUPERVISOR);
  const section = page.locator('section.canned-admin');
  await section.waitFor({ state: 'visible' });
  // The queues arrive in the selects.
  await page.waitForFunction(() => document.querySelectorAll('#cn-queue option').length > 1);

  // New, by keyboard: the form opens with the focus in the title.
  await page.getByRole('button', { name: 'Nowy szablon' }).focus();
  await page.keyboard.press('Enter');
  await page.locator('#canned-form').waitFor({ state: 'visible' });
  assert.equal(await page.evaluate(() => document.activeElement.id), 'cn-title');

  // Nothing filled in: Polish messages at the fields, focus on the first.
  await page.locator('#canned-form').getByRole('button', { name: 'Zapisz szablon' }).click();
  assert.equal(await page.locator('#cn-title-error').textContent(), 'Podaj tytuł szablonu.');
  assert.equal(await page.locator('#cn-body-error').textContent(), 'Wpisz treść szablonu.');
  assert.equal(await page.locator('#cn-title').getAttribute('aria-invalid'), 'true');
  assert.equal(await page.locator('#canned-error').textContent(), 'Popraw zaznaczone pola.');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'cn-title');

  const title = 'Godziny <b>otwarcia</b> urzędu';
  await page.keyboard.type(title);
  await page.keyboard.press('Tab');
  await page.keyboard.type('Urząd jest czynny od 7:30 do 15:30. Pozdrawiam, {agent}');
  await page.locator('#cn-queue').selectOption('general');
  await page.locator('#cn-lang').selectOption('pl');
  await page.locator('#cn-shortcut').fill('Zły skrót');
  await page.locator('#cn-shortcut').press('Enter');
  assert.equal(await page.locator('#cn-shortcut-error').textContent(),
    'Skrót może zawierać tylko małe litery a–z, cyfry, _ i -, najwyżej 32 znaki.');
  assert.equal(await page.locator('#cn-title-error').textContent(), '', 'the title is fine now');

  // The server's limit (a chat message's length) in Polish, at the field.
  await page.locator('#cn-shortcut').fill('godziny');
  const body = await page.locator('#cn-body').inputValue();
  await page.locator('#cn-body').fill('x'.repeat(4001));
  await page.locator('#cn-shortcut').press('Enter');
  await page.locator('#cn-body-error').filter({ hasText: 'Treść jest dłuższa, niż może być wiadomość czatu.' }).waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.id), 'cn-body');
  await assertAxeClean(page, 'canned responses form with errors');

  await page.locator('#cn-body').fill(body);
  await page.locator('#cn-shortcut').press('Enter');
  await page.locator('#canned-status').filter({ hasText: `Dodano szablon „${title}”.` }).waitFor();
  assert.equal(await page.locator('#canned-form').isVisible(), false);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'canned-new', 'focus back where it started');
  const row = page.locator('#canned-body tr', { hasText: 'Godziny' });
  await row.waitFor();
  // Markup in a title is text.
  assert.equal(await row.locator('th').textContent(), title);
  assert.equal(await row.locator('b').count(), 0);
  assert.match(await row.textContent(), /Informacja ogólna/);
  const stored = await apiAs(SUPERVISOR, 'GET', '/api/v1/canned-responses?q=czynny');
  const created = stored.json.items.find((i) => i.title === title);
  assert.ok(created, 'stored on the server');
  assert.equal(created.queue, 'general');
  assert.equal(created.lang, 'pl');
  assert.equal(created.shortcut, 'godziny');

  // Search and filter.
  await page.locator('#cf-q').fill('czynny');
  await page.waitForFunction(() => document.querySelectorAll('#canned-body tr').length === 1);
  await page.locator('#cf-lang').selectOption('en');
  await page.locator('#canned-empty').waitFor({ state: 'visible' });
  await page.locator('#cf-lang').selectOption('pl');
  await row.waitFor();

  // Edit by keyboard.
  await page.getByRole('button', { name: `Edytuj szablon „${title}”` }).focus();
  await page.keyboard.press('Enter');
  await page.locator('#canned-form-title').filter({ hasText: `Edycja szablonu „${title}”` }).waitFor();
  assert.equal(await page.locator('#cn-shortcut').inputValue(), 'godziny');
  await page.locator('#cn-body').fill('W piątki urząd jest czynny do 14:00.');
  await page.locator('#canned-form').getByRole('button', { name: 'Zapisz szablon' }).click();
  await page.locator('#canned-status').filter({ hasText: `Zapisano zmiany szablonu „${title}”.` }).waitFor();
  await page.locator('#canned-body tr', { hasText: 'W piątki' }).waitFor();
  const after = await apiAs(SUPERVISOR, 'GET', '/api/v1/canned-responses?q=piatki');
  assert.equal(after.json.items.find((i) => i.id === created.id)?.body, 'W piątki urząd jest czynny do 14:00.');

  // Escape closes an open form without saving.
  await page.getByRole('button', { name: 'Nowy szablon' }).click();
  await page.locator('#cn-title').fill('Nie zapisuj');
  await page.keyboard.press('Escape');
  assert.equal(await page.locator('#canned-form').isVisible(), false);

  // Delete, after the browser's confirmation.
  await page.locator('#cf-q').fill('');
  page.once('dialog', (d) => d.accept());
  await page.getByRole('button', { name: `Usuń szablon „${title}”` }).click();
  await page.locator('#canned-status').filter({ hasText: `Usunięto szablon „${title}”.` }).waitFor();
  await page.waitForFunction(() => ![...document.querySelectorAll('#canned-body th')].some((th) => th.textContent.includes('Godziny')));
  assert.equal((await apiAs(SUPERVISOR, 'PATCH', `/api/v1/canned-responses/${created.id}`, { title: 'x' })).status, 404);

  // An agent may read them but not change them.
  assert.equal((await apiAs(AGENT, 'POST', '/api/v1/canned-responses', { title: 'x', body: 'y' })).status, 403);
  // Every change is in the audit log, with who made it.
  const audit = await apiAs(ADMIN, 'GET', '/api/v1/audit?limit=200');
  assert.equal(audit.status, 200);
  const mine = audit.json.items.filter((e) => e.actor === SUPERVISOR.username && e.target === `canned_response:${created.id}`);
  assert.deepEqual(mine.map((e) => e.action).sort(),
    ['canned_response_created', 'canned_response_deleted', 'canned_response_updated']);

  await page.getByRole('button', { name: 'English' }).click();
  assert.equal(await page.locator('#canned-title').textContent(), 'Canned responses');
  await assertAxeClean(page, 'canned responses in English');
  await page.getByRole('button', { name: 'Polski' }).click();
});
