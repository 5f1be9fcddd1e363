// Cases in the staff app (web/js/tickets.js) and the resident's status page
// (/sprawa) against the real server in headless Chromium: a consultant opens
// a case from the chat in the selected tab (category from the chat's topic,
// the chat linked), finds it again by a word of the description typed
// without Polish letters, attaches a photo for the resident (a text file and
// a too large one are refused in Polish), downloads it and the filtered list
// as CSV, and the resident checks it with number and key (and gets the photo).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';

import { axeSource, launchBrowser, runAxe, startServer, watchPage } from './support/harness.mjs';

const AGENT = { username: 'zosia', password: 'Zosia-Haslo-2026', role: 'agent', displayName: 'Zofia Sprawna' };

let server;
let browser;
let axe;
const contexts = [];

before(async () => {
  axe = axeSource();
  server = await startServer({
    users: [AGENT],
    configure(config) {
      for (const q of config.queues) q.hours = 'always';
      config.tickets.attachment_max_bytes = 20000;
    },
  });
  browser = await launchBrowser();
});

after(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  await server?.stop();
});

async function newPage() {
  const context = await browser.newContext({ locale: 'pl-PL', viewport: { width: 1280, height: 900 } });
  contexts.push(context);
  const page = await context.newPage();
  const problems = await watchPage(page);
  return { page, problems };
}

async function resident(topic) {
  const res = await fetch(`${server.url}/api/v1/public/chats`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: 'Halina Źródlana', lang: 'pl', topic }),
  });
  assert.equal(res.status, 201);
  const { chat_id: id, visitor_token: token } = await res.json();
  const headers = { 'Content-Type': 'application/json', 'X-Visitor-Token': token };
  const r = await fetch(`${server.url}/api/v1/public/chats/${id}/handoff`, { method: 'POST', headers });
  assert.equal(r.status, 200);
  return {
    id,
    async texts() {
      const m = await fetch(`${server.url}/api/v1/public/chats/${id}/messages?after=0`, { headers });
      return (await m.json()).items.map((x) => x.text);
    },
  };
}

test('a consultant creates a case from the chat and finds it by a word of its description', async () => {
  const { page, problems } = await newPage();
  await page.goto(server.url + '/');
  await page.getByLabel('Nazwa użytkownika').fill(AGENT.username);
  await page.getByLabel('Hasło', { exact: true }).fill(AGENT.password);
  await page.getByLabel('Hasło', { exact: true }).press('Enter');
  await page.waitForFunction(() => document.getElementById('connection')?.dataset.state === 'open', null, { timeout: 20_000 });
  await page.getByRole('button', { name: 'Dostępny', exact: true }).click();

  const chat = await resident('report');
  await page.locator('#offer-list > li').first().waitFor({ state: 'visible', timeout: 15_000 });
  await page.keyboard.press('Alt+KeyA');
  await page.locator(`.chat-tab[data-contact-id="${chat.id}"]`).waitFor({ state: 'visible' });

  // Click one: open the form, already filled from the chat.
  await page.getByText('Nowa sprawa', { exact: true }).click();
  await page.getByText('Sprawa zostanie powiązana z rozmową: Halina Źródlana.').waitFor();
  const category = page.getByLabel('Kategoria', { exact: true });
  assert.equal(await category.inputValue(), 'oswietlenie', 'the category follows the chat topic "report"');
  assert.equal(await page.getByLabel('Imię i nazwisko', { exact: true }).inputValue(), 'Halina Źródlana');
  await page.getByLabel('Opis', { exact: true }).fill('Latarnia przy ulicy Żeromskiego miga od wczoraj <b>nocą</b>.');
  await page.getByLabel('Adres lub miejsce').fill('ul. Żeromskiego 12');
  // Click two.
  await page.getByRole('button', { name: 'Utwórz sprawę' }).click();
  const created = page.getByText(/^Utworzono sprawę MCK-\d{4}-\d{6}\. Klucz dostępu dla mieszkańca: \S+$/);
  await created.waitFor({ timeout: 10_000 });
  const [, number, key] = (await created.textContent()).match(/(MCK-\d{4}-\d{6}).*: (\S+)$/);

  // The resident hears the number in the chat.
  const said = await chat.texts();
  assert.ok(said.some((t) => t.includes(number)), `the resident was told the number: ${said.join(' | ')}`);

  // Found again by a word of the description, typed without Polish letters.
  await page.getByLabel('Szukaj (temat, opis, komentarze)').fill('zeromskiego');
  await page.getByRole('button', { name: 'Szukaj', exact: true }).click();
  const item = page.locator('.tickets__item', { hasText: number });
  await item.waitFor({ timeout: 10_000 });
  assert.equal(await page.locator('.tickets__item').count(), 1);
  await item.click();
  await page.getByRole('heading', { name: `Sprawa ${number}` }).waitFor();
  // Markup typed by a person stays text.
  assert.equal(await page.locator('.tickets__description').textContent(),
    'Latarnia przy ulicy Żeromskiego miga od wczoraj <b>nocą</b>.');
  assert.equal(await page.locator('.tickets__description b').count(), 0);
  // Who filed it: a consultant — in the details, and as a search filter.
  assert.equal(await page.locator('.tickets__detail .details div', { hasText: 'Źródło' }).locator('dd').textContent(),
    'pracownik urzędu');
  await page.getByLabel('Źródło').selectOption({ label: 'czat — wirtualny asystent' });
  await page.getByRole('button', { name: 'Szukaj', exact: true }).click();
  await page.getByText('Nie znaleziono spraw.').waitFor();
  await page.getByLabel('Źródło').selectOption({ label: 'pracownik urzędu' });
  await page.getByRole('button', { name: 'Szukaj', exact: true }).click();
  await item.waitFor();

  // Take it and reply publicly; the history shows both.
  await page.getByRole('button', { name: 'Przejmij sprawę' }).click();
  await page.locator('.tickets__history li', { hasText: 'assigned' }).first().waitFor();
  await page.getByLabel('Nowy komentarz').fill('Zgłosiliśmy awarię do zakładu energetycznego.');
  await page.getByLabel('Komentarz wewnętrzny (mieszkaniec go nie zobaczy)').uncheck();
  await page.getByRole('button', { name: 'Dodaj komentarz' }).click();
  await page.locator('.tickets__comment-body', { hasText: 'zakładu energetycznego' }).waitFor();

  // Attachments: refusals in Polish, then a photo the resident may see.
  const fileInput = page.getByLabel('Plik (zdjęcie PNG, JPEG, GIF, WebP lub PDF)');
  const addFile = page.getByRole('button', { name: 'Dodaj załącznik' });
  await fileInput.setInputFiles({ name: 'notatka.txt', mimeType: 'text/plain', buffer: Buffer.from('to nie jest zdjęcie') });
  await addFile.click();
  await page.getByText('Tego rodzaju pliku nie można dołączyć. Dozwolone są zdjęcia (PNG, JPEG, GIF, WebP) i dokumenty PDF.').waitFor();
  const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 1)]);
  await fileInput.setInputFiles({ name: 'duza.png', mimeType: 'image/png', buffer: Buffer.concat([png, Buffer.alloc(30000)]) });
  await addFile.click();
  await page.getByText(/^Plik jest za duży — największy dozwolony rozmiar to 20\skB\.$/).waitFor();
  await fileInput.setInputFiles({ name: 'latarnia.png', mimeType: 'image/png', buffer: png });
  await page.getByLabel('Widoczny dla mieszkańca').check();
  await addFile.click();
  await page.getByText('Dodano załącznik latarnia.png.').waitFor();
  const link = page.locator('.tickets__attachments a', { hasText: 'latarnia.png' });
  assert.equal(await page.locator('.tickets__attachments li').count(), 1, 'the refused files were not stored');
  assert.match(await page.locator('.tickets__attachments li').textContent(), /dla mieszkańca/);
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  assert.equal(download.suggestedFilename(), 'latarnia.png');
  assert.deepEqual(readFileSync(await download.path()), png);

  // The filtered list (still the search for "zeromskiego") as CSV.
  const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Pobierz CSV' }).click()]);
  assert.equal(csv.suggestedFilename(), 'sprawy.csv');
  const rows = readFileSync(await csv.path(), 'utf8').replace(/^\uFEFF/, '').trim().split('\r\n');
  assert.match(rows[0], /^number,subject,category,department/);
  assert.equal(rows.length, 2, rows.join('\n'));
  assert.ok(rows[1].startsWith(`${number},`), rows[1]);

  const violations = await runAxe(page, axe);
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(serious.map((v) => `${v.id}: ${v.help}`), []);
  assert.deepEqual(problems, []);

  // The resident's status page, with number and key.
  const resPage = (await newPage()).page;
  await resPage.goto(server.url + '/sprawa');
  await resPage.getByLabel('Numer sprawy').fill(number.toLowerCase());
  await resPage.getByLabel('Klucz dostępu').fill('zly-klucz');
  await resPage.getByRole('button', { name: 'Sprawdź' }).click();
  await resPage.getByText('Nie znaleziono sprawy o tym numerze i kluczu.', { exact: false }).waitFor();
  await resPage.getByLabel('Klucz dostępu').fill(key);
  await resPage.getByRole('button', { name: 'Sprawdź' }).click();
  await resPage.getByRole('heading', { name: `Sprawa ${number}` }).waitFor();
  assert.equal(await resPage.locator('#result-status').textContent(), 'Przekazana do wydziału');
  assert.match(await resPage.locator('#result-comments').textContent(), /zakładu energetycznego/);
  // The photo marked "visible to the resident" is there for them, through the key.
  await resPage.getByRole('heading', { name: 'Załączniki od urzędu' }).waitFor();
  const [resDownload] = await Promise.all([
    resPage.waitForEvent('download'),
    resPage.locator('#result-attachments a', { hasText: 'latarnia.png' }).click(),
  ]);
  assert.deepEqual(readFileSync(await resDownload.path()), png);
  await resPage.getByRole('button', { name: 'English' }).click();
  assert.equal(await resPage.locator('#result-status').textContent(), 'Passed to the department');
  const resViolations = (await runAxe(resPage, axe)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(resViolations.map((v) => `${v.id}: ${v.help}`), []);
});
