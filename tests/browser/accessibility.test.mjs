// Accessibility of the staff login page and the logged-in view: axe-core
// (no serious or critical violations), keyboard-only use with a visible
// focus ring, and reflow at 200% zoom / 320 CSS px.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { axeSource, launchBrowser, runAxe, startServer, watchPage } from './support/harness.mjs';

const ANNA = { username: 'anna', password: 'Tajne-Haslo-2026!', role: 'supervisor', displayName: 'Anna Nowak' };

let server;
let browser;
let axe;
const problems = [];

before(async () => {
  axe = axeSource();
  server = await startServer({ users: [ANNA] });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function openPage(options = {}) {
  const context = await browser.newContext({ locale: 'pl-PL', viewport: { width: 1280, height: 800 }, ...options });
  const page = await context.newPage();
  problems.push(await watchPage(page));
  await page.goto(server.url + '/');
  await page.locator('#login-form').waitFor({ state: 'visible' });
  return page;
}

async function login(page) {
  await page.getByLabel('Nazwa użytkownika').fill(ANNA.username);
  await page.getByLabel('Hasło', { exact: true }).fill(ANNA.password);
  await page.getByRole('button', { name: 'Zaloguj się' }).click();
  await page.locator('#home-view').waitFor({ state: 'visible' });
}

function serious(violations) {
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

async function assertAxeClean(page, where) {
  const violations = await runAxe(page, axe);
  const bad = serious(violations);
  assert.deepEqual(bad, [], `${where}: serious/critical axe violations:\n${JSON.stringify(bad, null, 2)}`);
  // Lesser findings are reported, not failed, so they get noticed.
  for (const v of violations) console.log(`# axe ${where}: ${v.impact} ${v.id} — ${v.help}`);
}

test('(e) axe: the login page has no serious or critical violations', async () => {
  const page = await openPage();
  await assertAxeClean(page, 'login page');

  // The error state too (error colours, aria-invalid fields).
  await page.getByLabel('Nazwa użytkownika').fill('anna');
  await page.getByLabel('Hasło', { exact: true }).fill('zle-haslo-zle-haslo');
  await page.getByRole('button', { name: 'Zaloguj się' }).click();
  await page.waitForFunction(() => document.getElementById('login-error').textContent.length > 0);
  await assertAxeClean(page, 'login page with an error');

  for (const lang of ['English', 'Українська']) {
    await page.getByRole('button', { name: lang }).click();
    await assertAxeClean(page, `login page in ${lang}`);
  }
  await page.context().close();
});

test('(e) axe: the logged-in view has no serious or critical violations', async () => {
  const page = await openPage();
  await login(page);
  await assertAxeClean(page, 'logged-in view');
  await page.reload();
  await page.locator('#home-view').waitFor({ state: 'visible' });
  await assertAxeClean(page, 'logged-in view after reload');
  await page.context().close();
});

test('keyboard only: tab to the fields, log in with Enter, log out with the keyboard; focus is visible', async () => {
  const page = await openPage();
  const focused = () =>
    page.evaluate(() => {
      const el = document.activeElement;
      const s = getComputedStyle(el);
      return {
        id: el.id,
        tag: el.tagName,
        text: el.textContent.trim(),
        outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2,
      };
    });

  // First stop: the skip link, visible when focused.
  await page.keyboard.press('Tab');
  let f = await focused();
  assert.equal(f.text, 'Przejdź do treści głównej');
  assert.ok(await page.locator('.skip-link').isVisible());

  // Then the language buttons, then the form fields, in reading order.
  const order = [];
  for (let i = 0; i < 8; i += 1) {
    await page.keyboard.press('Tab');
    f = await focused();
    order.push(f.id || f.text);
    assert.ok(f.outline, `no visible focus ring on ${f.tag}#${f.id} "${f.text}"`);
    if (f.id === 'login-submit') break;
  }
  assert.deepEqual(order, ['Polski', 'English', 'Українська', 'username', 'password', 'show-password', 'login-submit']);

  // Type the credentials without the mouse and press Enter.
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Shift+Tab');
  assert.equal((await focused()).id, 'username');
  await page.keyboard.type(ANNA.username);
  await page.keyboard.press('Tab');
  await page.keyboard.type(ANNA.password);
  // The "show password" checkbox toggles with Space.
  await page.keyboard.press('Tab');
  await page.keyboard.press('Space');
  assert.equal(await page.locator('#password').getAttribute('type'), 'text');
  await page.keyboard.press('Space');
  assert.equal(await page.locator('#password').getAttribute('type'), 'password');
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Enter');
  await page.locator('#home-view').waitFor({ state: 'visible' });
  assert.equal((await focused()).id, 'home-title');

  // Reach "Wyloguj" with the keyboard: it sits in the header, before the main content.
  await page.keyboard.press('Shift+Tab');
  for (let i = 0; i < 6 && (await focused()).id !== 'logout-button'; i += 1) await page.keyboard.press('Shift+Tab');
  f = await focused();
  assert.equal(f.id, 'logout-button');
  assert.ok(f.outline, 'the logout button shows a focus ring');
  await page.keyboard.press('Enter');
  await page.locator('#login-form').waitFor({ state: 'visible' });
  assert.equal((await focused()).id, 'username');
  await page.context().close();
});

async function assertReflows(page, where) {
  const overflow = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
  }));
  assert.ok(overflow.scroll <= overflow.client, `${where}: horizontal scrolling (${overflow.scroll} > ${overflow.client})`);
}

test('200% zoom and 320 px: no horizontal scrolling, everything reachable', async () => {
  // 200% zoom of a 1280x800 window lays out like a 640x400 viewport at
  // device scale 2; WCAG 1.4.10 asks for reflow down to 320 CSS px.
  for (const viewport of [{ width: 640, height: 400 }, { width: 320, height: 256 }]) {
    const page = await openPage({ viewport, deviceScaleFactor: 2 });
    const where = `${viewport.width}x${viewport.height}`;
    await assertReflows(page, `${where} login`);
    for (const name of ['Nazwa użytkownika', 'Hasło']) {
      const box = await page.getByLabel(name, { exact: true }).boundingBox();
      assert.ok(box && box.width >= 200, `${where}: the ${name} field is usable (${box?.width}px)`);
    }
    await page.getByRole('button', { name: 'Українська' }).click();
    await assertReflows(page, `${where} login (uk)`);
    await page.getByRole('button', { name: 'Polski' }).click();
    await login(page);
    await assertReflows(page, `${where} logged in`);
    await page.getByRole('button', { name: 'Wyloguj' }).scrollIntoViewIfNeeded();
    assert.ok(await page.getByRole('button', { name: 'Wyloguj' }).isVisible());
    await page.context().close();
  }
});

test('the CSP watcher itself notices a violation (canary)', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const seen = await watchPage(page);
  await page.goto(server.url + '/');
  await page.evaluate(() => {
    const s = document.createElement('script');
    s.textContent = 'window.__inline = 1';
    document.body.append(s);
  });
  await page.waitForTimeout(200);
  assert.ok(seen.some((p) => /script-src/.test(p)), `expected a script-src violation, saw: ${JSON.stringify(seen)}`);
  assert.equal(await page.evaluate(() => window.__inline), undefined);
  await context.close();
});

test('no Content-Security-Policy violations or script errors in these flows', () => {
  assert.ok(problems.length >= 5);
  assert.deepEqual(problems.flat(), []);
});

test('the server exits 0 on SIGTERM', async () => {
  await browser.close();
  const { code, signal } = await server.stop();
  assert.equal(signal, null, `server ended by signal ${signal}; stderr:\n${server.stderr()}`);
  assert.equal(code, 0, `server exit code ${code}; stderr:\n${server.stderr()}`);
});
