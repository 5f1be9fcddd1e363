// Shared set-up for the browser tests: a real centrala server on a free
// loopback port with its own temporary database, and headless Chromium
// driven by playwright-core.
//
// Environment:
//   CENTRALA_BIN         the server binary (set by ctest)
//   CENTRALA_SOURCE_DIR  the repository root (set by ctest; defaults to ../..)
//   CHROMIUM             the browser (default /usr/bin/chromium)

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const SOURCE_DIR = path.resolve(process.env.CENTRALA_SOURCE_DIR || path.join(here, '..', '..', '..'));
export const WEB_ROOT = path.join(SOURCE_DIR, 'web');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1',
];

function fail(message) {
  throw new Error(`browser tests: ${message}`);
}

// Loads an npm test tool from the repository's node_modules, failing with a
// clear message when `npm ci` has not been run.
function requireTool(name) {
  const manifest = path.join(SOURCE_DIR, 'node_modules', name, 'package.json');
  if (!existsSync(manifest)) {
    fail(`${name} is not installed in ${path.join(SOURCE_DIR, 'node_modules')}. Run \`npm ci\` in ${SOURCE_DIR} first.`);
  }
  return createRequire(pathToFileURL(path.join(SOURCE_DIR, 'package.json')))(name);
}

export function serverBinary() {
  const bin = process.env.CENTRALA_BIN;
  if (!bin) fail('set CENTRALA_BIN to the centrala server binary (ctest does this).');
  if (!existsSync(bin)) fail(`CENTRALA_BIN=${bin} does not exist; build the centrala target first.`);
  return bin;
}

// ---- server -----------------------------------------------------------------

// Starts `centrala serve` with a fresh database and the given users
// ({username, password, role, displayName, skills: {vehicles: 5}}).
// Returns {url, dir, stop()}.
//
// Options:
//   configure(config)  changes the config object before it is written
//   listen             HOST:PORT (default 127.0.0.1:0, a free port)
//   dir                start again on the database and config of an earlier
//                      server (stopped with stop({keep: true}))
export async function startServer({ users = [], configure, listen = '127.0.0.1:0', dir: reuse } = {}) {
  const bin = serverBinary();
  if (!existsSync(path.join(WEB_ROOT, 'index.html'))) fail(`no web/index.html under ${SOURCE_DIR}`);

  const dir = reuse || mkdtempSync(path.join(tmpdir(), 'centrala-browser-'));
  const db = path.join(dir, 'centrala.db');
  const configPath = path.join(dir, 'centrala.json');
  if (!reuse) {
    const config = JSON.parse(readFileSync(path.join(SOURCE_DIR, 'config', 'centrala.json'), 'utf8'));
    config.web_root = WEB_ROOT;
    config.database = db;
    config.security.argon2 = { memory_kib: 64, iterations: 1, parallelism: 1 };
    if (configure) configure(config);
    writeFileSync(configPath, JSON.stringify(config, null, 2));
  }

  for (const u of users) {
    const args = ['user', 'add', '--db', db, '--username', u.username, '--role', u.role, '--config', configPath];
    if (u.displayName) args.push('--display-name', u.displayName);
    if (u.skills) args.push('--skills', Object.entries(u.skills).map(([k, v]) => `${k}:${v}`).join(','));
    const r = spawnSync(bin, args, { input: `${u.password}\n`, encoding: 'utf8', timeout: 30_000 });
    if (r.status !== 0) fail(`user add ${u.username} failed (${r.status}): ${r.stderr || r.stdout}`);
  }

  const child = spawn(bin, ['serve', '--config', configPath, '--listen', listen, '--db', db], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d) => {
    stderr += d;
    if (stderr.length > 64_000) stderr = stderr.slice(-32_000);
  });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));

  const url = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start in 15 s; stderr:\n${stderr}`)), 15_000);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`server exited early (code ${code}, signal ${signal}); stderr:\n${stderr}`));
    });
  });

  let stopped = null;
  return {
    url,
    dir,
    stderr: () => stderr,
    // SIGTERM, then waits for the exit; resolves {code, signal}. The
    // temporary directory is removed unless {keep: true} (to start again).
    stop({ keep = false } = {}) {
      if (!stopped) {
        stopped = (async () => {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          const timeout = new Promise((resolve) =>
            setTimeout(() => {
              child.kill('SIGKILL');
              resolve({ code: null, signal: 'SIGKILL (no exit within 15 s of SIGTERM)' });
            }, 15_000),
          );
          const result = await Promise.race([exited, timeout]);
          if (!keep) rmSync(dir, { recursive: true, force: true });
          return result;
        })();
      }
      return stopped;
    },
  };
}

// A loopback port that was free a moment ago (for a server that has to come
// back on the same address after a restart).
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

// ---- browser ----------------------------------------------------------------

// Contexts and pages are Polish browsers unless a test asks for another
// locale: the pages start in the browser's language (web/js/language.js), and
// Chromium's own default would make every Polish assertion depend on the
// machine the tests run on.
export const DEFAULT_LOCALE = 'pl-PL';

export async function launchBrowser() {
  const { chromium } = requireTool('playwright-core');
  if (!existsSync(CHROMIUM)) fail(`${CHROMIUM} is missing; install it with \`apt-get install -y chromium\`.`);
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  const newContext = browser.newContext.bind(browser);
  const newPage = browser.newPage.bind(browser);
  browser.newContext = (options = {}) => newContext({ locale: DEFAULT_LOCALE, ...options });
  browser.newPage = (options = {}) => newPage({ locale: DEFAULT_LOCALE, ...options });
  return browser;
}

export function axeSource() {
  requireTool('axe-core');
  return readFileSync(path.join(SOURCE_DIR, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
}

// Collects Content-Security-Policy violations and script errors on a page:
// console messages, the securitypolicyviolation event, and uncaught errors.
export async function watchPage(page) {
  const problems = [];
  page.on('console', (msg) => {
    const text = msg.text();
    if (/Content[- ]Security[- ]Policy/i.test(text)) problems.push(`console ${msg.type()}: ${text}`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  await page.exposeFunction('__reportCspViolation', (v) => problems.push(`CSP violation: ${v}`));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__reportCspViolation(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`);
    });
  });
  return problems;
}

// Runs axe-core on the page and returns the violations (all impacts).
// The script is evaluated through the DevTools protocol, which the page's CSP
// does not govern, so no bypassCSP is needed.
export async function runAxe(page, source = axeSource()) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(source);
  return page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary}`),
    }));
  });
}

// ---- resident chat: a page on another origin, and a consultant --------------

// The server config for the widget embedded on a page of `hostOrigin`:
// queues always open, the page's origin allowed to connect and to frame the
// widget, and room for the many chats one test address opens.
export function embeddedWidgetConfig(hostOrigin) {
  return (config) => {
    for (const q of config.queues) q.hours = 'always';
    config.security.allowed_origins.push(hostOrigin);
    config.security.frame_ancestors = [hostOrigin];
    config.chat.max_open_chats_per_address = 100;
  };
}

// A tiny web server on another loopback port that serves one page (an
// embedding city page). `page(origin)` returns {html, headers}.
export async function startHostPage(page) {
  const server = http.createServer((req, res) => {
    if (req.url !== '/' && !req.url.startsWith('/?')) {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('not found');
      return;
    }
    const { html, headers = {} } = page(origin);
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', ...headers });
    res.end(html);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;
  return {
    url: origin + '/',
    origin,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

// Staff REST with a bearer token: resolves {status, body}.
export async function staffRequest(baseUrl, token, method, path, body) {
  const headers = { Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(baseUrl + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = text;
  }
  return { status: res.status, body: json };
}

export async function staffLogin(baseUrl, user) {
  const r = await staffRequest(baseUrl, null, 'POST', '/api/v1/auth/login', { username: user.username, password: user.password });
  if (r.status !== 200) fail(`login ${user.username}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.token;
}

// A consultant's /ws/agent connection, run in a browser page on the server's
// origin (so the Origin check is the real one). Frames are collected; wait
// for one with waitFrame(predicate).
export async function connectAgent(browser, baseUrl, token) {
  const context = await browser.newContext();
  const page = await context.newPage();
  // Any page of the server's own with connect-src 'self' (API responses
  // carry default-src 'none'): the widget's page, which does nothing by itself.
  await page.goto(baseUrl + '/widget.html');
  await page.evaluate(
    ({ token }) =>
      new Promise((resolve, reject) => {
        window.__frames = [];
        const u = new URL('/ws/agent', location.href);
        u.protocol = 'ws:';
        const ws = new WebSocket(u.href);
        window.__ws = ws;
        ws.onopen = () => ws.send(JSON.stringify({ type: 'auth', token }));
        ws.onmessage = (e) => {
          const f = JSON.parse(e.data);
          window.__frames.push(f);
          if (f.type === 'hello') resolve();
        };
        ws.onclose = (e) => {
          window.__closed = e.code;
          reject(new Error(`agent socket closed ${e.code}`));
        };
        // A socket the page's CSP blocks may never say so: do not wait forever.
        setTimeout(() => reject(new Error(`agent socket: no hello within 10 s (readyState ${ws.readyState})`)), 10_000);
      }),
    { token },
  );
  let seen = 0;
  return {
    page,
    frames: () => page.evaluate(() => window.__frames),
    send: (frame) => page.evaluate((f) => window.__ws.send(JSON.stringify(f)), frame),
    // Resolves the first frame (after those already returned) that matches.
    async waitFrame(match, timeout = 10_000) {
      const deadline = Date.now() + timeout;
      while (Date.now() < deadline) {
        const all = await page.evaluate(() => window.__frames);
        for (let i = seen; i < all.length; i++) {
          if (match(all[i])) {
            seen = i + 1;
            return all[i];
          }
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      const all = await page.evaluate(() => window.__frames);
      throw new Error(`agent: no matching frame within ${timeout} ms; frames: ${JSON.stringify(all).slice(-2000)}`);
    },
    close: () => context.close(),
  };
}
