// A long wait in the widget (open hours, callback.offer_after_wait_seconds):
// the advisor's offer of a call back is a working button while the resident
// waits in line; the phone number and the confirmation book it, and the chat
// is with the advisor again (the consultant calls). No CSP violations.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { launchBrowser, startServer, watchPage } from './support/harness.mjs';

let server;
let browser;
let context;

before(async () => {
  server = await startServer({
    configure(config) {
      for (const q of config.queues) q.hours = 'always';
      config.callback.offer_after_wait_seconds = 1;
    },
  });
  browser = await launchBrowser();
});

after(async () => {
  await context?.close().catch(() => {});
  await browser?.close();
  await server?.stop();
});

function botMessage(page, text) {
  return page.locator('#log li.w-msg--bot', { hasText: text }).last();
}

test('a resident waiting long books a call back from the queue and is back with the advisor', async () => {
  context = await browser.newContext({ locale: 'pl-PL', viewport: { width: 480, height: 800 } });
  const page = await context.newPage();
  const problems = await watchPage(page);
  await page.goto(server.url + '/widget.html');
  await page.getByRole('button', { name: 'Rozpocznij czat' }).click();
  await page.getByRole('button', { name: 'Porozmawiaj z konsultantem' }).click();

  // Nobody is available: in line, then the offer.
  const offer = botMessage(page, 'poprosić o oddzwonienie');
  await offer.waitFor({ timeout: 10000 });
  const button = offer.getByRole('button', { name: 'Poproś o oddzwonienie' });
  assert.equal(await button.isEnabled(), true, 'the offer answers while waiting in line');
  await button.click();

  await botMessage(page, 'numer telefonu').waitFor();
  await page.getByLabel('Twoja wiadomość').fill('600 100 200');
  await page.getByRole('button', { name: 'Wyślij', exact: true }).click();
  const confirm = botMessage(page, 'Potwierdzasz?');
  await confirm.waitFor();
  assert.match(await confirm.textContent(), /\+48 600 100 200/);
  assert.match(await confirm.textContent(), /zachowujesz swoje miejsce w kolejce/);
  await confirm.getByRole('button', { name: 'Potwierdzam' }).click();
  await botMessage(page, 'przyjęta').waitFor();

  // Out of the line: the status says the advisor, and a person can be asked for again.
  await page.locator('#status-main', { hasText: 'Rozmawiasz z wirtualnym asystentem.' }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Porozmawiaj z konsultantem' }).isVisible(), true);
  assert.deepEqual(problems, []);
});

// On a slow network the widget shows "Talk to a consultant" before its socket
// is up; a click then is held and sent once connected, not lost.
test('asking for a consultant before the chat is connected puts the resident in line once it is', async () => {
  const slow = await browser.newContext({ locale: 'pl-PL', viewport: { width: 480, height: 800 } });
  try {
    const page = await slow.newPage();
    const problems = await watchPage(page);
    let release;
    const connected = new Promise((resolve) => (release = resolve));
    await page.routeWebSocket(/\/ws\/chat/, async (ws) => {
      await connected;
      ws.connectToServer();
    });
    await page.goto(server.url + '/widget.html');
    await page.getByRole('button', { name: 'Rozpocznij czat' }).click();
    const handoff = page.getByRole('button', { name: 'Porozmawiaj z konsultantem' });
    await handoff.click();
    await page.locator('#status-main', { hasText: 'Poproszono o konsultanta.' }).waitFor();
    assert.equal(await handoff.isDisabled(), true, 'one request is enough');
    assert.equal(await page.locator('#chat-error').textContent(), '', 'no "no connection" error for a held request');

    release();
    await page.locator('#status-main', { hasText: /kolejce|Czekasz na konsultanta/ }).waitFor();
    assert.equal(await handoff.isVisible(), false);
    assert.deepEqual(problems, []);
  } finally {
    await slow.close();
  }
});
