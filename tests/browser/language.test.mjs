// The language a page starts in (web/js/language.js, docs/widget.md):
// ?lang= > the choice stored in this browser > the browser's languages (by
// primary subtag) > Polish. A resident whose browser asks for Ukrainian gets
// the /zgloszenie report — the widget and the advisor's questions — in
// Ukrainian; a link with ?lang=en is English whatever the browser says; a
// language the resident picked earlier wins over the browser. The same rule
// on /sprawa, /wizyta and the staff login.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { launchBrowser, startServer, watchPage } from './support/harness.mjs';

let server;
let browser;
const contexts = [];
const problems = [];

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

async function newPage(locale) {
  const context = await browser.newContext({ locale, viewport: { width: 480, height: 800 } });
  contexts.push(context);
  const page = await context.newPage();
  problems.push(await watchPage(page));
  return page;
}

const botMessage = (page, text) => page.locator('#log li.w-msg--bot', { hasText: text }).last();
const pageLang = (page) => page.evaluate(() => document.documentElement.lang);

test('a Ukrainian browser gets /zgloszenie in Ukrainian: the widget and the advisor', async () => {
  const page = await newPage('uk-UA');
  assert.deepEqual(await page.evaluate(() => navigator.languages), ['uk-UA'], 'the context is a Ukrainian browser');
  await page.goto(server.url + '/zgloszenie');
  await page.waitForURL(/\/widget\.html\?view=report$/);
  await botMessage(page, 'Про що ви хочете повідомити?').waitFor();
  assert.equal(await pageLang(page), 'uk');
  assert.equal(await page.title(), 'Чат з міською радою — Міський контакт-центр');
  assert.equal(await page.locator('#chat-title').textContent(), 'Розмова');
});

test('?lang=en on /zgloszenie wins over the Ukrainian browser and reaches the widget', async () => {
  const page = await newPage('uk-UA');
  await page.goto(server.url + '/zgloszenie?lang=en');
  await page.waitForURL(/\/widget\.html\?view=report&lang=en$/);
  await botMessage(page, 'What would you like to report?').waitFor();
  assert.equal(await pageLang(page), 'en');
  assert.equal(await page.title(), 'Chat with the city hall — City Contact Centre');
});

test('a language picked in the widget wins over the browser on the next visit', async () => {
  const page = await newPage('uk-UA');
  await page.goto(server.url + '/widget.html');
  await page.locator('#lang').waitFor();
  assert.equal(await page.locator('#lang').inputValue(), 'uk', 'first the browser decides');
  await page.locator('#lang').selectOption('pl');
  assert.equal(await pageLang(page), 'pl');

  await page.goto(server.url + '/zgloszenie');
  await page.waitForURL(/\/widget\.html\?view=report$/);
  await botMessage(page, 'Co chcesz zgłosić?').waitFor();
  assert.equal(await pageLang(page), 'pl');
  assert.equal(await page.title(), 'Czat z urzędem — Miejskie Centrum Kontaktu');
});

test('/sprawa, /wizyta and the staff login follow the same rule; a browser in none of our languages gets Polish', async () => {
  const en = await newPage('en-GB');
  await en.goto(server.url + '/sprawa');
  await en.waitForFunction(() => document.documentElement.lang === 'en');
  assert.equal(await pageLang(en), 'en');
  assert.equal(await en.title(), 'Check the status of a case — City Contact Centre');
  assert.equal(await en.locator('.lang-switcher__button[aria-pressed="true"]').getAttribute('data-lang'), 'en');

  const uk = await newPage('uk-UA');
  await uk.goto(server.url + '/wizyta?lang=en');
  await uk.waitForURL(/\/widget\.html\?view=appointments&lang=en$/);
  await uk.locator('#appt-view:not([hidden])').waitFor();
  assert.equal(await pageLang(uk), 'en');
  await uk.goto(server.url + '/');
  await uk.getByRole('button', { name: 'Увійти' }).waitFor();
  assert.equal(await pageLang(uk), 'uk');

  const de = await newPage('de-DE');
  await de.goto(server.url + '/sprawa'); // 'load': the page's modules have run
  assert.equal(await pageLang(de), 'pl');
  assert.equal(await de.title(), 'Sprawdź status sprawy — Miejskie Centrum Kontaktu');
});

test('no Content-Security-Policy violations or script errors', () => {
  assert.ok(problems.length >= 6);
  assert.deepEqual(problems.flat(), []);
});
