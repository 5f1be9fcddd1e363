// The consultant's /ws/agent connection, kept open: after a drop (network,
// server restart: close 1012) it reconnects with exponential backoff and
// jitter. The session cookie authenticates the upgrade; a page holding a
// bearer token instead passes `token` and it is sent as the first frame.
//
// The connection counts as up once the server's `hello` arrives; every
// `hello` starts a new `generation`, so the console knows to resynchronise.

const BACKOFF_MS = [500, 1000, 2000, 4000, 8000, 15000];
const HELLO_TIMEOUT_MS = 8000;

export function agentSocketUrl(loc = window.location) {
  return `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}/ws/agent`;
}

// onFrame(frame, generation), onStatus(status, info) with status one of
// 'connecting' | 'open' | 'reconnecting' | 'stopped'; info = {attempt, delayMs,
// code, reason}. onAuthFailure(code, reason) runs when the server closed
// with 1008 (policy: session ended, authentication failed, too many tabs).
export function createAgentSocket({ url = agentSocketUrl(), token = null, onFrame, onStatus, onAuthFailure } = {}) {
  let ws = null;
  let generation = 0;
  let attempt = 0;
  let open = false; // hello received on the current socket
  let stopped = false;
  let retryTimer = null;
  let helloTimer = null;

  const status = (s, info = {}) => {
    try {
      onStatus?.(s, info);
    } catch (e) {
      reportError(e);
    }
  };

  function reportError(e) {
    // A bug in a handler must not take the connection down with it.
    setTimeout(() => {
      throw e;
    });
  }

  function connect() {
    retryTimer = null;
    if (stopped) return;
    status(attempt === 0 ? 'connecting' : 'reconnecting', { attempt });
    let sock;
    try {
      sock = new WebSocket(url);
    } catch {
      scheduleRetry({});
      return;
    }
    ws = sock;
    open = false;
    sock.addEventListener('open', () => {
      if (sock !== ws) return;
      if (token) sock.send(JSON.stringify({ type: 'auth', token }));
      helloTimer = setTimeout(() => {
        if (sock === ws && !open) sock.close(4000, 'no hello');
      }, HELLO_TIMEOUT_MS);
    });
    sock.addEventListener('message', (event) => {
      if (sock !== ws) return;
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return;
      }
      if (!frame || typeof frame !== 'object' || typeof frame.type !== 'string') return;
      if (frame.type === 'hello') {
        clearTimeout(helloTimer);
        open = true;
        attempt = 0;
        generation += 1;
        status('open', { generation });
      }
      try {
        onFrame?.(frame, generation);
      } catch (e) {
        reportError(e);
      }
    });
    sock.addEventListener('close', (event) => {
      if (sock !== ws) return;
      clearTimeout(helloTimer);
      ws = null;
      const wasOpen = open;
      open = false;
      if (stopped) return;
      if (event.code === 1008) {
        try {
          onAuthFailure?.(event.code, event.reason);
        } catch (e) {
          reportError(e);
        }
      }
      if (wasOpen) attempt = 0;
      scheduleRetry({ code: event.code, reason: event.reason });
    });
    // 'error' is always followed by 'close'.
  }

  function scheduleRetry(info) {
    if (stopped || retryTimer) return;
    const base = BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length - 1)];
    const delayMs = Math.round(base * (0.8 + Math.random() * 0.4));
    attempt += 1;
    status('reconnecting', { ...info, attempt, delayMs });
    retryTimer = setTimeout(connect, delayMs);
  }

  // The browser says the network is back: try now rather than at the end
  // of a long backoff.
  const onOnline = () => {
    if (!stopped && !ws && retryTimer) {
      clearTimeout(retryTimer);
      retryTimer = null;
      connect();
    }
  };
  window.addEventListener('online', onOnline);

  connect();

  return {
    get open() {
      return open;
    },
    get generation() {
      return generation;
    },
    // Sends a frame if the connection is up; false otherwise (the caller
    // keeps it and sends again after the next hello).
    send(frame) {
      if (!open || !ws || ws.readyState !== WebSocket.OPEN) return false;
      ws.send(JSON.stringify(frame));
      return true;
    },
    stop() {
      stopped = true;
      clearTimeout(retryTimer);
      clearTimeout(helloTimer);
      window.removeEventListener('online', onOnline);
      if (ws) {
        const s = ws;
        ws = null;
        try {
          s.close(1000, 'bye');
        } catch {
          // already closing
        }
      }
      status('stopped');
    },
  };
}
