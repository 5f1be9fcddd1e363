// Office appointments in the browser: a resident books a visit through the
// widget ("Umów wizytę"), gets a code and a calendar file, and a consultant
// finds the booking on the department's day list in the staff app and marks
// the arrival. Text typed by the resident stays text; no CSP violations;
// axe-core finds nothing serious in the booking view.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { axeSource, launchBrowser, runAxe, staffLogin, staffRequest, startServer, watchPage } from './support/harness.mjs';

const OLA = { username: 'ola', password: 'Ola-Haslo-2026!', role: 'agent', displayName: 'Ola Nowak', skills: { vehicles: 3 } };
const NAME = 'Zofia <b>Kamińska</b>';

let server;
let browser;
const contexts = [];

function everyDay(range) {
  const h = {};
  for (const d of ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']) h[d] = [range];
  h.closed_on_holidays = false; // the test must not depend on today's date
  return h;
}

before(async () => {
  server = await startServer({
    users: [OLA],
    configure(config) {
      const vr = config.appointments.services.find((s) => s.id === 'vehicle_registration');
      vr.hours = everyDay('08:00-16:00');
      vr.exceptions = {};
      vr.horizon_days = 14;
      config.appointments.public_bookings_per_hour = 100;
      for (const q of config.queues) q.hours = 'always'; // the in-chat booking test needs a consultant now
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

test('a resident books through the widget and the consultant sees it on the day list', async () => {
  // ---- the resident --------------------------------------------------------------
  const { page: resident, problems: residentProblems } = await newPage();
  await resident.goto(server.url + '/widget.html');
  await resident.getByRole('button', { name: 'Umów wizytę w urzędzie' }).click();
  await resident.locator('#appt-view').waitFor({ state: 'visible' });
  await resident.getByLabel('Sprawa', { exact: true }).selectOption({ label: 'Rejestracja pojazdu' });
  const day = resident.locator('#appt-days button:not([disabled])').first();
  await day.waitFor();
  assert.match(await day.textContent(), /\d+ wolnych/);
  await day.click();
  assert.equal(await day.getAttribute('aria-pressed'), 'true');
  const time = resident.locator('#appt-times button').first();
  await time.waitFor();
  const timeText = (await time.textContent()).trim();
  await time.click();
  assert.match(await resident.locator('#appt-status').textContent(), new RegExp(`Wybrano: .*${timeText}`));

  // Without a phone or e-mail the resident is told, in Polish, what is missing.
  await resident.getByLabel('Imię i nazwisko', { exact: true }).fill(NAME);
  await resident.getByRole('button', { name: 'Zarezerwuj wizytę' }).click();
  assert.equal(await resident.locator('#appt-error').textContent(), 'Podaj numer telefonu lub adres e-mail.');
  await resident.getByLabel('Telefon', { exact: true }).fill('600 100 200');
  await resident.getByRole('button', { name: 'Zarezerwuj wizytę' }).click();

  const code = resident.locator('#appt-code');
  await code.waitFor({ state: 'visible' });
  const codeText = (await code.textContent()).trim();
  assert.match(codeText, /^[A-Z2-9]{4}-[A-Z2-9]{4}$/);
  assert.match(await resident.locator('#appt-when').textContent(), new RegExp(timeText));
  assert.match(await resident.locator('#appt-where').textContent(), /Wydział Komunikacji/);
  const ics = await resident.locator('#appt-ics').getAttribute('href');
  const icsRes = await fetch(new URL(ics, server.url));
  assert.equal(icsRes.status, 200);
  assert.match(icsRes.headers.get('content-type'), /^text\/calendar/);
  assert.match(await icsRes.text(), /BEGIN:VEVENT\r\n/);

  const violations = (await runAxe(resident, axeSource())).filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(violations, [], JSON.stringify(violations, null, 2));
  assert.deepEqual(residentProblems, []);

  const booking = await (await fetch(`${server.url}/api/v1/public/appointments/${codeText}`)).json();
  assert.equal(booking.name, NAME);
  const bookedDay = new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Europe/Warsaw', year: 'numeric', month: '2-digit', day: '2-digit',
  }).format(new Date(booking.start));

  // ---- the consultant ----------------------------------------------------------
  const { page: staff, problems: staffProblems } = await newPage();
  await staff.goto(server.url + '/');
  await staff.getByLabel('Nazwa użytkownika').fill(OLA.username);
  await staff.getByLabel('Hasło', { exact: true }).fill(OLA.password);
  await staff.getByLabel('Hasło', { exact: true }).press('Enter');
  const dayView = staff.locator('section.appt-day');
  await dayView.waitFor({ state: 'visible' });
  await dayView.getByLabel('Dzień', { exact: true }).fill(bookedDay);
  await dayView.getByLabel('Wydział', { exact: true }).selectOption({ label: 'Wydział Komunikacji' });
  await dayView.getByRole('button', { name: 'Pokaż' }).click();

  const row = dayView.locator(`tr[data-code="${codeText}"]`);
  await row.waitFor({ state: 'visible' });
  assert.match(await dayView.locator('caption').first().textContent(), /Rejestracja pojazdu — Stanowisko 1/);
  // The resident's text is shown as text, never as markup.
  assert.equal(await row.locator('td').nth(1).textContent(), NAME);
  assert.equal(await row.locator('b').count(), 0);
  assert.match(await row.textContent(), /\+48600100200/);
  assert.match(await row.locator('td').nth(4).textContent(), /umówiona/);

  await row.getByRole('button', { name: /^Przyszedł/ }).click();
  await staff.waitForFunction(
    (c) => document.querySelector(`tr[data-code="${c}"] td:nth-child(5)`)?.textContent === 'obecny',
    codeText,
  );
  const after = await (await fetch(`${server.url}/api/v1/public/appointments/${codeText}`)).json();
  assert.equal(after.state, 'arrived');
  assert.match(await dayView.getByRole('link', { name: 'Pobierz CSV' }).getAttribute('href'), /format=csv/);
  assert.deepEqual(staffProblems, []);
});

test("the advisor's booking link /wizyta opens the widget on its booking view", async () => {
  const { page, problems } = await newPage();
  await page.goto(server.url + '/wizyta');
  await page.waitForURL(/\/widget\.html\?view=appointments$/);
  await page.locator('#appt-view').waitFor({ state: 'visible' });
  await page.getByLabel('Sprawa', { exact: true }).waitFor();
  assert.equal(await page.locator('#start-view').isVisible(), false);
  assert.deepEqual(problems, []);
});


test('a consultant books a visit from the chat: the box offers slots for the chat topic, the resident gets the code in the chat', async () => {
  // ---- a resident asks for a person about registering a car -----------------------
  const created = await fetch(`${server.url}/api/v1/public/chats`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: NAME, topic: 'vehicles', lang: 'pl' }),
  });
  assert.equal(created.status, 201);
  const { chat_id: chatId, visitor_token: token } = await created.json();
  const residentHeaders = { 'Content-Type': 'application/json', 'X-Visitor-Token': token };
  const handoff = await fetch(`${server.url}/api/v1/public/chats/${chatId}/handoff`, { method: 'POST', headers: residentHeaders });
  assert.equal(handoff.status, 200, await handoff.text());

  // ---- the consultant takes it ------------------------------------------------------
  const { page: staff, problems } = await newPage();
  await staff.goto(server.url + '/');
  await staff.getByLabel('Nazwa użytkownika').fill(OLA.username);
  await staff.getByLabel('Hasło', { exact: true }).fill(OLA.password);
  await staff.getByLabel('Hasło', { exact: true }).press('Enter');
  await staff.locator('.console').waitFor({ state: 'visible' });
  await staff.waitForFunction(() => document.getElementById('connection')?.dataset.state === 'open');
  await staff.getByRole('button', { name: 'Dostępny', exact: true }).click();
  const offer = staff.locator('#offer-list > li').first();
  await offer.waitFor({ state: 'visible', timeout: 15_000 });
  await staff.keyboard.press('Alt+KeyA');
  const panel = staff.locator(`.chat[data-contact-id="${chatId}"]`);
  await panel.waitFor({ state: 'visible' });

  // ---- the booking box in the chat ---------------------------------------------------
  const box = panel.locator('details.appt-box');
  await box.locator('summary', { hasText: 'Umów wizytę w urzędzie' }).click();
  const slot = box.locator('.appt-slot').first();
  await slot.waitFor({ state: 'visible' });
  // The chat's topic picked the service; the resident's name is filled in, as text.
  assert.equal(await box.getByLabel('Sprawa', { exact: true }).inputValue(), 'vehicle_registration');
  assert.equal(await box.getByLabel('Imię i nazwisko mieszkańca').inputValue(), NAME);

  // Submitting before choosing a time says what is missing and books nothing.
  await box.getByRole('button', { name: 'Zarezerwuj', exact: true }).click();
  assert.equal(await box.locator('.message--error').textContent(), 'Najpierw wybierz termin.');

  const slotStart = await slot.getAttribute('data-start');
  await slot.click();
  assert.equal(await slot.getAttribute('aria-pressed'), 'true');
  assert.match(await box.locator('.appt-box__chosen').textContent(), /^Wybrany termin: /);
  await box.getByLabel('Telefon (opcjonalnie)').fill('600 300 400');
  await box.getByRole('button', { name: 'Zarezerwuj', exact: true }).click();
  const result = box.locator('.appt-box__result');
  await staff.waitForFunction((el) => /Kod: /.test(el.textContent), await result.elementHandle());
  const code = /Kod: ([A-Z2-9]{4}-[A-Z2-9]{4})/.exec(await result.textContent())?.[1];
  assert.ok(code, `a code in: ${await result.textContent()}`);
  assert.match(await result.textContent(), /stanowisko \d+/);
  // The booked time is no longer offered.
  await staff.waitForFunction(
    ({ el, start }) => el.querySelectorAll('.appt-slot').length > 0 &&
      ![...el.querySelectorAll('.appt-slot')].some((b) => b.dataset.start === start && b.getAttribute('aria-pressed') === 'true'),
    { el: await box.elementHandle(), start: slotStart },
  );

  // ---- what the resident and the office see -------------------------------------------
  const booking = await (await fetch(`${server.url}/api/v1/public/appointments/${code}`)).json();
  assert.equal(booking.name, NAME);
  assert.equal(booking.service_id, 'vehicle_registration');
  assert.equal(new Date(booking.start).getTime(), new Date(slotStart).getTime());
  const seen = async () => {
    const r = await fetch(`${server.url}/api/v1/public/chats/${chatId}/messages?after=0`, { headers: residentHeaders });
    return (await r.json()).items;
  };
  let told = false;
  for (let i = 0; i < 50 && !told; i += 1) {
    told = (await seen()).some((m) => m.text.includes(code));
    if (!told) await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(told, 'the resident reads the booking code in the chat');

  // Leave the server as found: the chat closed, the consultant offline.
  const staffToken = await staffLogin(server.url, OLA);
  const closed = await staffRequest(server.url, staffToken, 'POST', `/api/v1/contacts/${chatId}/close`, { disposition: 'vehicles' });
  assert.equal(closed.status, 200);
  assert.deepEqual(problems, []);
});
