// Staff login page at / against the real server in headless Chromium:
// log in, wrong password, reload, logout, throttling, languages, tabs, and
// no Content-Security-Policy violations along the way.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { launchBrowser, startServer, watchPage } from './support/harness.mjs';

const ANNA = { username: 'anna', password: 'Tajne-Haslo-2026!', role: 'supervisor', displayName: 'Anna Nowak' };
const PIOTR = { username: 'piotr', password: 'Piotr-Haslo-2026!', role: 'agent', displayName: 'Piotr Wiśniewski' };
const ZOFIA = {
  username: 'zofia',
  password: 'Zofia-Haslo-2026!',
  role: 'admin',
  displayName: 'Zofia <img src=x onerror=alert(1)> Kowalska',
};
const JAN = { username: 'jan', password: 'Jan-Haslo-2026!!', role: 'agent', displayName: 'Jan Zieliński' };

let server;
let browser;
const contexts = [];
const problems = []; // one list per page, from watchPage()

before(async () => {
  server = await startServer({ users: [ANNA, PIOTR, ZOFIA, JAN] });
  browser = await launchBrowser();
});

after(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  await server?.stop();
});

async function newContext() {
  const context = await browser.newContext({ locale: 'pl-PL', viewport: { width: 1280, height: 800 } });
  contexts.push(context);
  return context;
}

async function openPage(context) {
  const page = await context.newPage();
  problems.push(await watchPage(page));
  await page.goto(server.url + '/');
  return page;
}

async function loginThroughForm(page, user, password = user.password) {
  await page.getByLabel('Nazwa użytkownika').fill(user.username);
  await page.getByLabel('Hasło', { exact: true }).fill(password);
  await page.getByLabel('Hasło', { exact: true }).press('Enter');
}

function loggedInView(page) {
  return page.locator('#home-view');
}

function loginForm(page) {
  return page.locator('#login-form');
}

test('(a) logging in through the page shows the user and the Polish role', async () => {
  const page = await openPage(await newContext());
  await assert.doesNotReject(loginForm(page).waitFor({ state: 'visible' }));
  assert.equal(await page.getAttribute('html', 'lang'), 'pl');
  assert.equal(await page.title(), 'Logowanie — Centrala');

  await loginThroughForm(page, ANNA);

  await loggedInView(page).waitFor({ state: 'visible' });
  assert.equal(await page.locator('#user-display-name').textContent(), 'Anna Nowak');
  assert.equal(await page.locator('#user-username').textContent(), 'anna');
  assert.equal(await page.locator('#user-role').textContent(), 'kierownik zmiany');
  assert.equal(await page.locator('#home-title').textContent(), 'Witaj, Anna Nowak');
  assert.equal(await page.locator('#user-bar-name').textContent(), 'Anna Nowak');
  assert.equal(await page.locator('#user-bar-role').textContent(), 'kierownik zmiany');
  assert.ok(await page.getByRole('button', { name: 'Wyloguj' }).isVisible());
  assert.equal(await loginForm(page).isVisible(), false);
  assert.equal(await page.title(), 'Panel pracownika — Centrala');
  // Focus moved to the new view's heading.
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'home-title');
  // The password is not left in the (hidden) form.
  assert.equal(await page.locator('#password').inputValue(), '');
  // The CSRF token is kept for this tab; the session token is not exposed to script.
  const storage = await page.evaluate(() => ({ ...sessionStorage }));
  assert.ok(storage['centrala.csrf']?.length > 10);
  assert.equal(await page.evaluate(() => document.cookie.includes('centrala_session')), false);
  await page.close();
});

test('role labels for consultant and administrator; names are shown as text, never as markup', async () => {
  const page = await openPage(await newContext());
  await loginThroughForm(page, PIOTR);
  await loggedInView(page).waitFor({ state: 'visible' });
  assert.equal(await page.locator('#user-role').textContent(), 'konsultant');
  assert.equal(await page.locator('#user-display-name').textContent(), 'Piotr Wiśniewski');
  await page.getByRole('button', { name: 'Wyloguj' }).click();
  await loginForm(page).waitFor({ state: 'visible' });

  let dialogs = 0;
  page.on('dialog', (d) => {
    dialogs += 1;
    d.dismiss();
  });
  await loginThroughForm(page, ZOFIA);
  await loggedInView(page).waitFor({ state: 'visible' });
  assert.equal(await page.locator('#user-role').textContent(), 'administrator');
  assert.equal(await page.locator('#user-display-name').textContent(), ZOFIA.displayName);
  assert.equal(await page.locator('#user-bar-name').textContent(), ZOFIA.displayName);
  assert.equal(await page.locator('#home-title').textContent(), `Witaj, ${ZOFIA.displayName}`);
  assert.equal(await page.locator('img[src="x"]').count(), 0);
  assert.equal(dialogs, 0);
  await page.close();
});

test('(b) a wrong password shows the Polish error in the live region and no logged-in view', async () => {
  const page = await openPage(await newContext());
  await loginThroughForm(page, ANNA, 'to-nie-jest-haslo');

  const error = page.locator('#login-error');
  await assert.doesNotReject(
    page.waitForFunction(() => document.getElementById('login-error').textContent.length > 0),
  );
  assert.equal(await error.textContent(), 'Nieprawidłowa nazwa użytkownika lub hasło.');
  assert.equal(await error.getAttribute('aria-live'), 'assertive');
  assert.equal(await error.getAttribute('role'), 'alert');
  assert.equal(await loggedInView(page).isVisible(), false);
  assert.equal(await page.locator('#user-bar').isVisible(), false);
  assert.ok(await loginForm(page).isVisible());
  // The fields are marked invalid and point at the message; the password is cleared and focused.
  assert.equal(await page.locator('#password').getAttribute('aria-invalid'), 'true');
  assert.equal(await page.locator('#password').getAttribute('aria-describedby'), 'login-error');
  assert.equal(await page.locator('#password').inputValue(), '');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'password');

  // Empty fields are caught before any request, in Polish.
  await page.getByLabel('Nazwa użytkownika').fill('');
  await page.getByRole('button', { name: 'Zaloguj się' }).click();
  await page.waitForFunction(() => document.getElementById('login-error').textContent === 'Podaj nazwę użytkownika i hasło.');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'username');
  await page.close();
});

test('(c) a reload keeps the logged-in view; logout returns to the form and ends the session', async () => {
  const page = await openPage(await newContext());
  await loginThroughForm(page, ANNA);
  await loggedInView(page).waitFor({ state: 'visible' });

  await page.reload();
  await loggedInView(page).waitFor({ state: 'visible' });
  assert.equal(await page.locator('#user-display-name').textContent(), 'Anna Nowak');
  assert.equal(await loginForm(page).isVisible(), false);

  const logout = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/logout'));
  await page.getByRole('button', { name: 'Wyloguj' }).click();
  assert.equal((await logout).status(), 204);
  await loginForm(page).waitFor({ state: 'visible' });
  assert.equal(await loggedInView(page).isVisible(), false);
  await page.waitForFunction(() => document.getElementById('login-status').textContent === 'Wylogowano.');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'username');
  assert.equal(await page.evaluate(() => sessionStorage.getItem('centrala.csrf')), null);

  const me = await page.evaluate(async () => (await fetch('/api/v1/me', { credentials: 'same-origin' })).status);
  assert.equal(me, 401);
  await page.reload();
  await loginForm(page).waitFor({ state: 'visible' });
  assert.equal(await loggedInView(page).isVisible(), false);
  await page.close();
});

test('(d) switching the language to English and Ukrainian changes the labels and is remembered', async () => {
  const page = await openPage(await newContext());
  await loginForm(page).waitFor({ state: 'visible' });
  const nav = page.getByRole('navigation', { name: 'Język' });
  assert.equal(await nav.getByRole('button', { name: 'Polski' }).getAttribute('aria-pressed'), 'true');

  await nav.getByRole('button', { name: 'English' }).click();
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.equal(await page.locator('label[for="username"]').textContent(), 'Username');
  assert.equal(await page.locator('label[for="password"]').textContent(), 'Password');
  assert.equal(await page.locator('#login-submit').textContent(), 'Sign in');
  assert.equal(await page.locator('#login-title').textContent(), 'Staff sign-in');
  assert.equal(await page.title(), 'Sign in — Centrala');
  assert.equal(await page.getByRole('navigation', { name: 'Language' }).count(), 1);
  assert.equal(await page.getByRole('button', { name: 'English' }).getAttribute('aria-pressed'), 'true');
  assert.equal(await page.getByRole('button', { name: 'Polski' }).getAttribute('aria-pressed'), 'false');

  // An error on screen follows the language.
  await page.getByLabel('Username').fill('anna');
  await page.getByLabel('Password', { exact: true }).fill('wrong-password-here');
  await page.getByLabel('Password', { exact: true }).press('Enter');
  await page.waitForFunction(() => document.getElementById('login-error').textContent === 'Wrong username or password.');

  await page.getByRole('button', { name: 'Українська' }).click();
  assert.equal(await page.getAttribute('html', 'lang'), 'uk');
  assert.equal(await page.locator('label[for="username"]').textContent(), 'Ім’я користувача');
  assert.equal(await page.locator('label[for="password"]').textContent(), 'Пароль');
  assert.equal(await page.locator('#login-submit').textContent(), 'Увійти');
  assert.equal(await page.locator('#login-error').textContent(), 'Неправильне ім’я користувача або пароль.');
  assert.equal(await page.getByRole('navigation', { name: 'Мова' }).count(), 1);

  // Remembered across a reload, and applies to the logged-in view.
  await page.reload();
  await loginForm(page).waitFor({ state: 'visible' });
  assert.equal(await page.getAttribute('html', 'lang'), 'uk');
  assert.equal(await page.locator('#login-submit').textContent(), 'Увійти');
  await page.getByLabel('Ім’я користувача').fill(ANNA.username);
  await page.getByLabel('Пароль', { exact: true }).fill(ANNA.password);
  await page.getByLabel('Пароль', { exact: true }).press('Enter');
  await loggedInView(page).waitFor({ state: 'visible' });
  assert.equal(await page.locator('#user-role').textContent(), 'керівник зміни');
  assert.equal(await page.locator('#logout-button').textContent(), 'Вийти');

  await page.getByRole('button', { name: 'English' }).click();
  assert.equal(await page.locator('#user-role').textContent(), 'shift supervisor');
  assert.equal(await page.locator('#logout-button').textContent(), 'Log out');
  assert.equal(await page.locator('#home-title').textContent(), 'Welcome, Anna Nowak');
  assert.equal(await page.title(), 'Staff desk — Centrala');

  await page.getByRole('button', { name: 'Polski' }).click();
  assert.equal(await page.getAttribute('html', 'lang'), 'pl');
  assert.equal(await page.locator('#user-role').textContent(), 'kierownik zmiany');
  assert.equal(await page.locator('#logout-button').textContent(), 'Wyloguj');
  assert.equal(await page.evaluate(() => localStorage.getItem('centrala.lang')), 'pl');
  await page.close();
});

test('a second tab borrows the CSRF token; logging out there logs out the first tab', async () => {
  const context = await newContext();
  const first = await openPage(context);
  await loginThroughForm(first, ANNA);
  await loggedInView(first).waitFor({ state: 'visible' });

  const second = await openPage(context);
  await loggedInView(second).waitFor({ state: 'visible' });
  assert.equal(await second.locator('#user-display-name').textContent(), 'Anna Nowak');
  assert.equal(
    await second.evaluate(() => sessionStorage.getItem('centrala.csrf')),
    await first.evaluate(() => sessionStorage.getItem('centrala.csrf')),
  );

  const logout = second.waitForResponse((r) => r.url().endsWith('/api/v1/auth/logout'));
  await second.getByRole('button', { name: 'Wyloguj' }).click();
  assert.equal((await logout).status(), 204);
  await loginForm(second).waitFor({ state: 'visible' });
  await loginForm(first).waitFor({ state: 'visible' });
  await first.waitForFunction(
    () => document.getElementById('login-status').textContent === 'Wylogowano w innej karcie przeglądarki.',
  );

  // A login in one tab reaches the others.
  await loginThroughForm(first, ANNA);
  await loggedInView(first).waitFor({ state: 'visible' });
  await loggedInView(second).waitFor({ state: 'visible' });

  // A stale token is refused (403); the tab borrows the current one and retries.
  await second.evaluate(() => sessionStorage.setItem('centrala.csrf', 'stale-token'));
  const statuses = [];
  second.on('response', (r) => {
    if (r.url().endsWith('/api/v1/auth/logout')) statuses.push(r.status());
  });
  await second.getByRole('button', { name: 'Wyloguj' }).click();
  await loginForm(second).waitFor({ state: 'visible' });
  await loginForm(first).waitFor({ state: 'visible' });
  assert.deepEqual(statuses, [403, 204]);

  // With no other tab to ask, a tab without the token asks for a fresh login.
  await loginThroughForm(first, ANNA);
  await loggedInView(first).waitFor({ state: 'visible' });
  await first.close();
  await second.close();
  const third = await openPage(context);
  await loginForm(third).waitFor({ state: 'visible' });
  await third.waitForFunction(
    () => document.getElementById('login-status').textContent === 'Ze względów bezpieczeństwa zaloguj się ponownie w tej karcie.',
  );
  assert.equal(await third.locator('#username').inputValue(), 'anna');
  await third.getByLabel('Hasło', { exact: true }).fill(ANNA.password);
  await third.getByLabel('Hasło', { exact: true }).press('Enter');
  await loggedInView(third).waitFor({ state: 'visible' });
  const logout3 = third.waitForResponse((r) => r.url().endsWith('/api/v1/auth/logout'));
  await third.getByRole('button', { name: 'Wyloguj' }).click();
  assert.equal((await logout3).status(), 204);
  await loginForm(third).waitFor({ state: 'visible' });
  await third.close();
});

test('after repeated failures the page shows the Polish throttling message with the wait', async () => {
  const page = await openPage(await newContext());
  let status = 0;
  for (let i = 0; i < 10 && status !== 429; i += 1) {
    const response = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/login'));
    await loginThroughForm(page, JAN, `zle-haslo-numer-${i}`);
    status = (await response).status();
    await page.waitForFunction(() => document.getElementById('login-error').textContent.length > 0);
  }
  assert.equal(status, 429);
  const text = await page.locator('#login-error').textContent();
  assert.match(text, /^Zbyt wiele nieudanych prób logowania\. Spróbuj ponownie za \d+ (sekund|sekundy|sekundę|minut|minuty|minutę)\.$/);
  await page.close();
});

test('/widget.js (placeholder until the resident chat) loads as a classic script without errors', async () => {
  const page = await openPage(await newContext());
  const loaded = await page.evaluate(
    () =>
      new Promise((resolve) => {
        const s = document.createElement('script');
        s.src = '/widget.js';
        s.async = true;
        s.onload = () => resolve('loaded');
        s.onerror = () => resolve('error');
        document.head.append(s);
      }),
  );
  assert.equal(loaded, 'loaded');
  await page.close();
});

test('every interface string exists in Polish, English and Ukrainian', async () => {
  const page = await openPage(await newContext());
  await loginForm(page).waitFor({ state: 'visible' });
  const result = await page.evaluate(async () => {
    const i18n = await import('/js/i18n.js');
    const used = [...document.querySelectorAll('[data-i18n]')].map((el) => el.dataset.i18n);
    for (const el of document.querySelectorAll('[data-i18n-attr]')) {
      for (const pair of el.dataset.i18nAttr.split(';')) used.push(pair.split(':')[1].trim());
    }
    return { missing: i18n.missingKeys(), unknown: used.filter((k) => !i18n.has(k)) };
  });
  assert.deepEqual(result, { missing: { pl: [], en: [], uk: [] }, unknown: [] });
  await page.close();
});

test('(f) no Content-Security-Policy violations or script errors in any flow', async () => {
  assert.ok(problems.length >= 8, 'every flow above was watched');
  assert.deepEqual(problems.flat(), []);
});

test('the server exits 0 on SIGTERM', async () => {
  for (const c of contexts.splice(0)) await c.close();
  const { code, signal } = await server.stop();
  assert.equal(signal, null, `server ended by signal ${signal}; stderr:\n${server.stderr()}`);
  assert.equal(code, 0, `server exit code ${code}; stderr:\n${server.stderr()}`);
});
