// Wallboard fan-out: 50 supervisor sockets while 1,000 conversations are
// active. Measures
//   1. the delay from an event (a resident's handoff answered by the server)
//      to the `stats` frame showing it on each supervisor's socket (p50/p99/max),
//   2. the server's CPU time over the same load with 50 supervisors connected
//      and with none: the difference is what the statistics push costs.
//
// Usage (Release build recommended; see docs/benchmarks.md):
//   CENTRALA_BIN=build-bench/centrala node --experimental-websocket bench/wallboard_fanout.mjs
// Knobs: AGENTS=100 CAPACITY=10 SUPERVISORS=50 EVENTS=60 EVENT_MS=250 MESSAGES_PER_S=50 WINDOW_S=15
// Prints figures; asserts nothing. Everything stays on 127.0.0.1.

import { readFileSync, readdirSync } from 'node:fs';
import { startServer } from '../tests/browser/support/harness.mjs';

const AGENTS = Number(process.env.AGENTS || 100);
const CAPACITY = Number(process.env.CAPACITY || 10);
const SUPERVISORS = Number(process.env.SUPERVISORS || 50);
const EVENTS = Number(process.env.EVENTS || 60);
const EVENT_MS = Number(process.env.EVENT_MS || 250);
const MESSAGES_PER_S = Number(process.env.MESSAGES_PER_S || 50);
const WINDOW_S = Number(process.env.WINDOW_S || 15);
const PASSWORD = 'Bench-Haslo-2026!!';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const users = [
  { username: 'admin', password: PASSWORD, role: 'admin' },
  { username: 'kierownik', password: PASSWORD, role: 'supervisor' },
];
for (let i = 1; i <= AGENTS; i += 1) users.push({ username: `konsultant${i}`, password: PASSWORD, role: 'agent' });

console.log(`starting the server with ${AGENTS} consultants…`);
const server = await startServer({
  users,
  configure(config) {
    for (const q of config.queues) {
      q.hours = 'always';
      q.wrap_up_seconds = 0;
      q.max_waiting = 100000;
      delete q.overflow;
    }
    config.log_level = 'warn';
    config.limits.ws_connections_per_user = SUPERVISORS + 8;
    config.limits.max_connections = 5000;
    config.chat = {
      ...config.chat,
      max_open_chats_per_address: 100000,
      messages_per_10s: 10000,
      abandon_grace_seconds: 86400,
      agent_return_grace_seconds: 86400,
    };
  },
});
const base = server.url;
const wsUrl = base.replace('http', 'ws') + '/ws/agent';

// The server's pid, found by its config path in /proc.
function serverPid() {
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8');
      if (cmd.includes('serve') && cmd.includes(server.dir)) return Number(p);
    } catch {
      // gone
    }
  }
  throw new Error('server pid not found');
}
const pid = serverPid();
const ticks = () => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(f[11]) + Number(f[12]); // utime + stime, clock ticks (1/100 s)
};

async function call(method, path, { token, body, headers = {} } = {}) {
  const h = { ...headers };
  if (token) h.Authorization = `Bearer ${token}`;
  if (body !== undefined) h['Content-Type'] = 'application/json';
  const res = await fetch(base + path, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}
const login = async (username) => (await call('POST', '/api/v1/auth/login', { body: { username, password: PASSWORD } })).body;

function socket(token, onFrame) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl);
    ws.addEventListener('open', () => ws.send(JSON.stringify({ type: 'auth', token })));
    ws.addEventListener('message', (e) => {
      const f = JSON.parse(e.data);
      if (f.type === 'hello') resolve(ws);
      onFrame(f, ws);
    });
    ws.addEventListener('error', reject);
  });
}

// ---- 1,000 active conversations ------------------------------------------
const admin = await login('admin');
const agents = [];
for (let i = 1; i <= AGENTS; i += 1) {
  const l = await login(`konsultant${i}`);
  await call('PATCH', `/api/v1/users/${l.user.id}`, { token: admin.token, body: { capacity: { chat: CAPACITY } } });
  const ws = await socket(l.token, (f, s) => {
    if (f.type === 'offer') s.send(JSON.stringify({ type: 'accept', offer_id: f.offer_id }));
  });
  await call('PUT', '/api/v1/agents/me/state', { token: l.token, body: { state: 'available' } });
  agents.push({ l, ws });
}
const active = [];
const target = AGENTS * CAPACITY;
console.log(`opening ${target} conversations…`);
for (let i = 0; i < target; i += 1) {
  const c = (await call('POST', '/api/v1/public/chats', { body: { name: `Mieszkaniec ${i}`, lang: 'pl' } })).body;
  const h = { 'X-Visitor-Token': c.visitor_token };
  await call('POST', `/api/v1/public/chats/${c.chat_id}/handoff`, { body: {}, headers: h });
  active.push({ id: c.chat_id, h, n: 0 });
}
const sup = await login('kierownik');
for (;;) {
  const s = (await call('GET', '/api/v1/stats/live', { token: sup.token })).body;
  const n = s.agents.reduce((a, x) => a + x.active_contacts, 0);
  if (n >= target) break;
  await sleep(200);
}
console.log(`${target} conversations active`);

// Background: residents write in their conversations.
let messaging = true;
(async () => {
  let k = 0;
  while (messaging) {
    const c = active[k % active.length];
    k += 1;
    c.n += 1;
    call('POST', `/api/v1/public/chats/${c.id}/messages`, { body: { text: `Pytanie ${c.n}`, client_msg_id: `m${c.n}` }, headers: c.h });
    await sleep(1000 / MESSAGES_PER_S);
  }
})();

// ---- CPU with no supervisor connected ---------------------------------------
async function cpuWindow(label) {
  const t0 = ticks();
  const w0 = Date.now();
  await sleep(WINDOW_S * 1000);
  const cpu = (ticks() - t0) / 100;
  const wall = (Date.now() - w0) / 1000;
  console.log(`${label}: server CPU ${cpu.toFixed(2)} s in ${wall.toFixed(1)} s (${((100 * cpu) / wall).toFixed(1)} % of one core)`);
  return cpu;
}
// Events at the same rate in both windows: a new waiting chat every EVENT_MS.
let eventing = true;
const waitingSince = [];
async function events() {
  while (eventing) {
    const c = (await call('POST', '/api/v1/public/chats', { body: { lang: 'pl' } })).body;
    await call('POST', `/api/v1/public/chats/${c.chat_id}/handoff`, { body: {}, headers: { 'X-Visitor-Token': c.visitor_token } });
    waitingSince.push(performance.now());
    await sleep(EVENT_MS);
  }
}
const ev0 = events();
const cpuNone = await cpuWindow('0 supervisors');
eventing = false;
await ev0;

// ---- 50 supervisors -----------------------------------------------------------
const delays = [];
let expected = null; // [waiting count, event time]
const pendingBySocket = new Map();
let frames = 0;
let frameBytes = 0;
const sups = [];
for (let i = 0; i < SUPERVISORS; i += 1) {
  const idx = i;
  sups.push(
    await socket(sup.token, (f) => {
      if (f.type !== 'stats') return;
      frames += 1;
      frameBytes = JSON.stringify(f).length;
      const waiting = f.stats.queues.reduce((a, q) => a + q.waiting, 0);
      const want = pendingBySocket.get(idx);
      if (want && waiting >= want.count) {
        delays.push(performance.now() - want.at);
        pendingBySocket.delete(idx);
      }
    }),
  );
}
console.log(`${SUPERVISORS} supervisor sockets open; stats frame ${frameBytes} bytes`);
await sleep(1000);

let waitingNow = (await call('GET', '/api/v1/stats/live', { token: sup.token })).body.queues.reduce((a, q) => a + q.waiting, 0);
const t0 = ticks();
const w0 = Date.now();
for (let e = 0; e < EVENTS; e += 1) {
  const c = (await call('POST', '/api/v1/public/chats', { body: { lang: 'pl' } })).body;
  const at = performance.now();
  await call('POST', `/api/v1/public/chats/${c.chat_id}/handoff`, { body: {}, headers: { 'X-Visitor-Token': c.visitor_token } });
  waitingNow += 1;
  for (let i = 0; i < SUPERVISORS; i += 1) if (!pendingBySocket.has(i)) pendingBySocket.set(i, { count: waitingNow, at });
  await sleep(EVENT_MS);
}
const cpuWith = (ticks() - t0) / 100;
const wall = (Date.now() - w0) / 1000;
await sleep(1500);
messaging = false;
console.log(`${SUPERVISORS} supervisors: server CPU ${cpuWith.toFixed(2)} s in ${wall.toFixed(1)} s (${((100 * cpuWith) / wall).toFixed(1)} % of one core), ${frames} stats frames received`);
const perSecNone = cpuNone / WINDOW_S;
const perSecWith = cpuWith / wall;
console.log(`stats fan-out share of server CPU: ${((100 * (perSecWith - perSecNone)) / perSecWith).toFixed(1)} %`);
delays.sort((a, b) => a - b);
const pct = (p) => delays[Math.min(delays.length - 1, Math.floor((p / 100) * delays.length))];
console.log(`event -> stats frame delay over ${delays.length} (event, socket) pairs: p50 ${pct(50).toFixed(0)} ms, p99 ${pct(99).toFixed(0)} ms, max ${delays.at(-1).toFixed(0)} ms`);

for (const s of sups) s.close();
for (const a of agents) a.ws.close();
await server.stop();
process.exit(0);
