// Reporting a problem through the widget: the advisor's /zgloszenie link
// opens the widget with the report started; the resident picks the kind,
// shares the browser's location, adds a photo, gives an e-mail address,
// checks the summary and sends — and gets the case number and key, which
// the status page /sprawa accepts. Inside a chat the /zgloszenie link starts
// the report without leaving the widget. No CSP violations; axe-core finds
// nothing serious.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { launchBrowser, runAxe, startServer, watchPage } from './support/harness.mjs';

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 1)]);

let server;
let browser;
const contexts = [];

before(async () => {
  server = await startServer({
    configure(config) {
      for (const q of config.queues) q.hours = 'always';
    },
  });
  browser = await launchBrowser();
});

after(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  await server?.stop();
});

async function newPage(options = {}) {
  const context = await browser.newContext({ locale: 'pl-PL', viewport: { width: 480, height: 800 }, ...options });
  contexts.push(context);
  const page = await context.newPage();
  const problems = await watchPage(page);
  return { page, problems };
}

// The last bot message containing `text`.
function botMessage(page, text) {
  return page.locator('#log li.w-msg--bot', { hasText: text }).last();
}

test('/zgloszenie walks a report with location, photo and e-mail to its case number', async () => {
  const origin = new URL(server.url).origin;
  const { page, problems } = await newPage({
    geolocation: { latitude: 52.2297, longitude: 21.0122 },
    permissions: ['geolocation'],
  });
  await page.context().grantPermissions(['geolocation'], { origin });
  await page.goto(server.url + '/zgloszenie');
  await page.waitForURL(/\/widget\.html\?view=report$/);

  const first = botMessage(page, 'Co chcesz zgłosić?');
  await first.waitFor();
  await first.getByRole('button', { name: 'Martwe zwierzę do usunięcia' }).click();

  const where = botMessage(page, 'Gdzie to jest?');
  await where.waitFor();
  await where.getByRole('button', { name: 'Udostępnij lokalizację' }).click();

  const photo = botMessage(page, 'Możesz dodać zdjęcie');
  await photo.waitFor();
  await page.locator('#report-photo').setInputFiles({ name: 'lis.png', mimeType: 'image/png', buffer: PNG });
  await page.locator('#flow-status', { hasText: 'Zdjęcie wysłane.' }).waitFor();

  await botMessage(page, 'informację o załatwieniu').waitFor();
  await page.getByLabel('Twoja wiadomość').fill('jan.kowalski@example.pl');
  await page.getByRole('button', { name: 'Wyślij', exact: true }).click();

  const summary = botMessage(page, 'Sprawdź zgłoszenie');
  await summary.waitFor();
  const text = await summary.locator('.w-msg__text').textContent();
  assert.match(text, /Martwe zwierzę do usunięcia/);
  assert.match(text, /punkt na mapie 52\.22970, 21\.01220/);
  assert.match(text, /Zdjęcie: dołączone/);
  assert.match(text, /jan\.kowalski@example\.pl/);

  const violations = (await runAxe(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(violations, [], JSON.stringify(violations, null, 2));

  await summary.getByRole('button', { name: 'Wyślij zgłoszenie' }).click();
  const filed = botMessage(page, 'Zgłoszenie przyjęte');
  await filed.waitFor();
  const filedText = await filed.locator('.w-msg__text').textContent();
  const [, number] = filedText.match(/Numer sprawy: (MCK-\d{4}-\d{6,})/) || [];
  const [, key] = filedText.match(/kod dostępu: ([A-Za-z0-9_-]+)\./) || [];
  assert.ok(number && key, filedText);

  // The resident's status check accepts them.
  const status = await fetch(`${server.url}/api/v1/public/tickets/${number}?key=${key}`);
  assert.equal(status.status, 200);
  const body = await status.json();
  assert.equal(body.category, 'martwe_zwierze');
  assert.equal(body.status, 'new');

  // The link to the status page carries them.
  const link = filed.getByRole('link', { name: 'Sprawdź status sprawy' });
  assert.equal(new URL(await link.getAttribute('href')).pathname, '/sprawa');
  assert.match(await link.getAttribute('href'), new RegExp(`numer=${number}&klucz=${key}$`));
  assert.deepEqual(problems, []);
});

test('the /zgloszenie link inside the chat starts the report without leaving the widget', async () => {
  const { page, problems } = await newPage();
  await page.goto(server.url + '/widget.html');
  await page.getByRole('button', { name: 'Rozpocznij czat' }).click();
  await page.getByLabel('Twoja wiadomość').fill('jak zgłosić zniszczoną ławkę w parku');
  await page.getByRole('button', { name: 'Wyślij', exact: true }).click();
  // The advisor answers the matter; whatever it starts, the link starts (or repeats) the report here.
  const answer = page.locator('#log li.w-msg--bot a.w-msg__link', { hasText: 'Zgłoś problem' }).last();
  await answer.waitFor();
  const before = page.url();
  const popups = [];
  page.on('popup', (p) => popups.push(p.url()));
  const count = await page.locator('#log li.w-msg--bot').count();
  await answer.click();
  await page.waitForFunction((n) => document.querySelectorAll('#log li.w-msg--bot').length > n, count);
  assert.equal(page.url(), before, 'the widget did not navigate away');
  assert.deepEqual(popups, [], 'no new tab or window');
  const last = page.locator('#log li.w-msg--bot').last();
  assert.ok(
    (await last.getByRole('button', { name: 'Anuluj' }).count()) === 1,
    'the report question with its cancel button: ' + (await last.textContent()),
  );
  await last.getByRole('button', { name: 'Anuluj' }).click();
  await botMessage(page, 'Anulowano').waitFor();
  assert.deepEqual(problems, []);
});

test('a large phone photo is scaled down in the browser before it is sent', async () => {
  const { page, problems } = await newPage();
  await page.goto(server.url + '/zgloszenie');
  const first = botMessage(page, 'Co chcesz zgłosić?');
  await first.waitFor();
  await first.getByRole('button', { name: 'Dziura w jezdni lub chodniku' }).click();
  await botMessage(page, 'Gdzie to jest?').waitFor();
  await page.getByLabel('Twoja wiadomość').fill('ul. Polna 3');
  await page.getByRole('button', { name: 'Wyślij', exact: true }).click();
  await botMessage(page, 'Możesz dodać zdjęcie').waitFor();

  // A 2400×1800 PNG like a camera's (a gradient with sensor noise): several
  // megabytes, far over the server's limit of about one.
  const base64 = await page.evaluate(() => {
    const c = document.createElement('canvas');
    c.width = 2400;
    c.height = 1800;
    const ctx = c.getContext('2d');
    const img = ctx.createImageData(c.width, c.height);
    let x = 12345;
    for (let i = 0; i < img.data.length; i++) {
      x = (x * 1103515245 + 12345) & 0x7fffffff;
      const pixel = i >> 2;
      const base = ((pixel % c.width) / c.width) * 200 + 20;
      img.data[i] = i % 4 === 3 ? 255 : base + (x & 15) - 8;
    }
    ctx.putImageData(img, 0, 0);
    return c.toDataURL('image/png').split(',')[1];
  });
  const big = Buffer.from(base64, 'base64');
  assert.ok(big.length > 1500000, `the test photo is over the server's limit (${big.length} bytes)`);
  await page.locator('#report-photo').setInputFiles({ name: 'telefon.png', mimeType: 'image/png', buffer: big });
  await page.locator('#flow-status', { hasText: 'Zdjęcie wysłane.' }).waitFor({ timeout: 20000 });
  const contact = botMessage(page, 'informację o załatwieniu');
  await contact.waitFor();
  await contact.getByRole('button', { name: 'Nie, dziękuję' }).click();
  const summary = botMessage(page, 'Sprawdź zgłoszenie');
  await summary.waitFor();
  assert.match(await summary.locator('.w-msg__text').textContent(), /Zdjęcie: dołączone/);
  assert.deepEqual(problems, []);
});
