// centrala — resident chat widget launcher.
//
// Embedded on any of the city's pages with
//   <script src="https://HOST/widget.js" async></script>
// it adds a chat button to the page. The chat itself runs in an iframe
// (HOST/widget.html), so the page's styles cannot break it, it cannot break
// the page, and it talks to its own server only (no CORS). Video and the
// sign-language (PJM) interpreter are offered on the chat's start screen.
//
// This is a classic script (no modules) that:
//   - writes no markup from strings (no innerHTML) and no inline <style>:
//     styles are set through the CSSOM, which a page's CSP allows;
//   - lives in a shadow root on one host element, so page CSS does not reach
//     its insides;
//   - loads the iframe only when the resident opens the chat, or at once when
//     a conversation is going on (so a page change does not drop it);
//   - keeps one small record in the page's localStorage ("centrala-widget":
//     whether a conversation is going on and whether the panel was open).
//
// The page may also call window.CentralaWidget.open() / .close().
(function () {
  'use strict';

  if (window.CentralaWidget) return; // included twice

  var NS = 'centrala-widget';
  var STATE_KEY = 'centrala-widget';

  var script = document.currentScript;
  if (!script || !/widget\.js(\?|#|$)/.test(script.src || '')) {
    var all = document.getElementsByTagName('script');
    for (var i = all.length - 1; i >= 0; i--) {
      if (/\/widget\.js(\?|#|$)/.test(all[i].src || '')) {
        script = all[i];
        break;
      }
    }
  }
  if (!script || !script.src) return;

  var widgetUrl = new URL('widget.html', script.src);
  var widgetOrigin = widgetUrl.origin;

  var LABELS = {
    pl: { open: 'Czat z urzędem', frame: 'Czat z urzędem — Miejskie Centrum Kontaktu', unread: 'nowe wiadomości: ' },
    en: { open: 'Chat with the city hall', frame: 'Chat with the city hall — City Contact Centre', unread: 'new messages: ' },
    uk: { open: 'Чат з міською радою', frame: 'Чат з міською радою — Міський контакт-центр', unread: 'нові повідомлення: ' },
  };
  // The host page's language until the widget says which one the resident reads.
  var pageLang = String(document.documentElement.lang || '').slice(0, 2).toLowerCase();
  var lang = LABELS[pageLang] ? pageLang : 'pl';
  var text = LABELS[lang];
  var unreadCount = 0;

  // ---- small helpers ---------------------------------------------------------

  // Text spacing stays adjustable by the reader's own style sheet (WCAG 1.4.12),
  // so it is never !important.
  var ADJUSTABLE = { 'line-height': 1, 'letter-spacing': 1, 'word-spacing': 1 };
  function css(el, styles) {
    for (var prop in styles) {
      if (Object.prototype.hasOwnProperty.call(styles, prop)) {
        el.style.setProperty(prop, styles[prop], ADJUSTABLE[prop] ? '' : 'important');
      }
    }
  }

  function make(tag, styles) {
    var el = document.createElement(tag);
    if (styles) css(el, styles);
    return el;
  }

  function readState() {
    try {
      var v = JSON.parse(window.localStorage.getItem(STATE_KEY) || '{}');
      return v && typeof v === 'object' ? v : {};
    } catch (e) {
      return {};
    }
  }

  function writeState(patch) {
    try {
      var v = readState();
      for (var k in patch) {
        if (Object.prototype.hasOwnProperty.call(patch, k)) v[k] = patch[k];
      }
      window.localStorage.setItem(STATE_KEY, JSON.stringify(v));
    } catch (e) {
      // storage disabled: the widget still works within this page
    }
  }

  var SVG = 'http://www.w3.org/2000/svg';
  function chatIcon() {
    var svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('width', '24');
    svg.setAttribute('height', '24');
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('focusable', 'false');
    var path = document.createElementNS(SVG, 'path');
    path.setAttribute('d', 'M4 5h16a1 1 0 011 1v10a1 1 0 01-1 1H10l-4.5 3.5V17H4a1 1 0 01-1-1V6a1 1 0 011-1z');
    path.setAttribute('fill', 'none');
    path.setAttribute('stroke', 'currentColor');
    path.setAttribute('stroke-width', '2');
    path.setAttribute('stroke-linejoin', 'round');
    svg.appendChild(path);
    css(svg, { display: 'block', flex: 'none', width: '24px', height: '24px' });
    return svg;
  }

  // ---- elements ----------------------------------------------------------------

  var host = make('div', {
    all: 'initial',
    display: 'block',
    position: 'static',
    width: '0',
    height: '0',
    margin: '0',
    padding: '0',
    border: '0',
  });
  host.id = 'centrala-widget';
  var root = host.attachShadow ? host.attachShadow({ mode: 'open' }) : host;

  var FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Liberation Sans", Arial, sans-serif';

  var launcher = make('button', {
    position: 'fixed',
    right: '16px',
    bottom: '16px',
    'z-index': '2147483000',
    display: 'inline-flex',
    'align-items': 'center',
    gap: '8px',
    'min-height': '48px',
    'max-width': 'calc(100vw - 32px)',
    margin: '0',
    padding: '10px 18px',
    background: '#12355f',
    color: '#ffffff',
    border: '2px solid #ffffff',
    'border-radius': '999px',
    'box-shadow': '0 2px 10px rgba(0, 0, 0, 0.35)',
    'font-family': FONT,
    'font-size': '16px',
    'font-weight': '700',
    'line-height': '1.2',
    'text-transform': 'none',
    'text-align': 'left',
    cursor: 'pointer',
    outline: 'none',
  });
  launcher.type = 'button';
  launcher.setAttribute('aria-expanded', 'false');
  launcher.setAttribute('aria-controls', 'centrala-widget-panel');
  launcher.setAttribute('data-centrala-widget', 'launcher');
  var label = make('span', { display: 'inline' });
  label.textContent = text.open;
  var badge = make('span', {
    display: 'none',
    'min-width': '22px',
    padding: '1px 6px',
    background: '#ffd35c',
    color: '#12355f',
    'border-radius': '999px',
    'font-size': '14px',
    'text-align': 'center',
  });
  badge.setAttribute('aria-hidden', 'true');
  var badgeText = make('span', {
    position: 'absolute',
    width: '1px',
    height: '1px',
    overflow: 'hidden',
    clip: 'rect(0 0 0 0)',
    'white-space': 'nowrap',
  });
  launcher.appendChild(chatIcon());
  launcher.appendChild(label);
  launcher.appendChild(badge);
  launcher.appendChild(badgeText);

  // A visible focus ring the page's styles cannot remove.
  function ring(on) {
    css(launcher, on ? { outline: '3px solid #ffd35c', 'outline-offset': '3px', 'box-shadow': '0 0 0 6px #12355f' } : {
      outline: 'none',
      'box-shadow': '0 2px 10px rgba(0, 0, 0, 0.35)',
    });
  }
  launcher.addEventListener('focus', function () {
    var visible = true;
    try {
      visible = launcher.matches(':focus-visible');
    } catch (e) {
      // old browser: always show it
    }
    ring(visible);
  });
  launcher.addEventListener('blur', function () {
    ring(false);
  });
  launcher.addEventListener('mouseenter', function () {
    css(launcher, { background: '#1b4f8f' });
  });
  launcher.addEventListener('mouseleave', function () {
    css(launcher, { background: '#12355f' });
  });

  var panel = make('div', {
    position: 'fixed',
    'z-index': '2147483001',
    display: 'none',
    margin: '0',
    padding: '0',
    background: '#ffffff',
    border: '1px solid #677385',
    'border-radius': '10px',
    'box-shadow': '0 8px 32px rgba(0, 0, 0, 0.35)',
    overflow: 'hidden',
  });
  panel.id = 'centrala-widget-panel';
  panel.setAttribute('data-centrala-widget', 'panel');

  root.appendChild(launcher);
  root.appendChild(panel);

  // Narrow or short windows (phones, 200% zoom): the panel takes the window.
  var compact = window.matchMedia ? window.matchMedia('(max-width: 480px), (max-height: 560px)') : null;
  function layout() {
    if (compact && compact.matches) {
      css(panel, {
        top: '0',
        left: '0',
        right: 'auto',
        bottom: 'auto',
        width: '100vw',
        height: '100%',
        'max-height': '100vh',
        border: '0',
        'border-radius': '0',
      });
    } else {
      css(panel, {
        top: 'auto',
        left: 'auto',
        right: '16px',
        bottom: '80px',
        width: 'min(400px, calc(100vw - 32px))',
        height: 'min(640px, calc(100vh - 100px))',
        'max-height': 'none',
        border: '1px solid #677385',
        'border-radius': '10px',
      });
    }
  }
  layout();
  if (compact) {
    if (compact.addEventListener) compact.addEventListener('change', layout);
    else if (compact.addListener) compact.addListener(layout);
  }

  // ---- the iframe ----------------------------------------------------------------

  var frame = null;
  var ready = false;
  var isOpen = false;
  var focusOnReady = false;

  function ensureFrame() {
    if (frame) return frame;
    frame = make('iframe', {
      display: 'block',
      width: '100%',
      height: '100%',
      margin: '0',
      padding: '0',
      border: '0',
      background: '#ffffff',
    });
    var src = new URL(widgetUrl.href);
    src.searchParams.set('embed', '1');
    src.searchParams.set('origin', window.location.origin);
    // A translated page of the city site asks for its language; a Polish page
    // (the default) leaves it to the widget: the resident's stored choice,
    // else the browser's languages (web/js/language.js).
    if (lang !== 'pl') src.searchParams.set('lang', lang);
    frame.src = src.href;
    frame.title = text.frame;
    frame.setAttribute('data-centrala-widget', 'frame');
    // The chat may not navigate the page or open windows.
    frame.setAttribute('sandbox', 'allow-scripts allow-same-origin allow-forms allow-downloads');
    panel.appendChild(frame);
    return frame;
  }

  function post(type) {
    if (!frame || !ready || !frame.contentWindow) return;
    frame.contentWindow.postMessage({ ns: NS, type: type }, widgetOrigin);
  }

  function open(opts) {
    var focus = !opts || opts.focus !== false;
    ensureFrame();
    isOpen = true;
    css(panel, { display: 'block' });
    launcher.setAttribute('aria-expanded', 'true');
    writeState({ open: true });
    setUnread(0);
    if (focus) {
      try {
        frame.focus();
      } catch (e) {
        // ignore
      }
    }
    if (ready) {
      if (focus) post('open');
    } else {
      focusOnReady = focus;
    }
  }

  function close(opts) {
    if (!isOpen) return;
    var hadFocus = document.activeElement === host || (frame && document.activeElement === frame);
    isOpen = false;
    css(panel, { display: 'none' });
    launcher.setAttribute('aria-expanded', 'false');
    writeState({ open: false });
    post('hidden');
    if (hadFocus || (opts && opts.returnFocus)) launcher.focus();
  }

  function setLanguage(code) {
    if (typeof code !== 'string' || !Object.prototype.hasOwnProperty.call(LABELS, code) || code === lang) return;
    lang = code;
    text = LABELS[code];
    label.textContent = text.open;
    if (code === pageLang) launcher.removeAttribute('lang');
    else launcher.setAttribute('lang', code);
    if (frame) frame.title = text.frame;
    setUnread(unreadCount);
  }

  function setUnread(n) {
    unreadCount = n;
    if (n > 0 && !isOpen) {
      badge.textContent = String(n);
      badgeText.textContent = ' (' + text.unread + n + ')';
      css(badge, { display: 'inline-block' });
    } else {
      badge.textContent = '';
      badgeText.textContent = '';
      css(badge, { display: 'none' });
    }
  }

  launcher.addEventListener('click', function () {
    if (isOpen) close({ returnFocus: true });
    else open();
  });

  document.addEventListener('keydown', function (e) {
    if (isOpen && (e.key === 'Escape' || e.key === 'Esc') && document.activeElement === host) close({ returnFocus: true });
  });

  window.addEventListener('message', function (e) {
    if (!frame || e.source !== frame.contentWindow || e.origin !== widgetOrigin) return;
    var d = e.data;
    if (!d || typeof d !== 'object' || d.ns !== NS) return;
    if (d.type === 'ready') {
      ready = true;
      setLanguage(d.lang);
      if (isOpen && focusOnReady) post('open');
      else if (!isOpen) post('hidden');
      focusOnReady = false;
    } else if (d.type === 'minimize') {
      close({ returnFocus: true });
    } else if (d.type === 'unread') {
      setUnread(Number(d.count) || 0);
    } else if (d.type === 'language') {
      setLanguage(d.lang);
    } else if (d.type === 'active') {
      writeState({ active: Boolean(d.active) });
    }
  });

  function mount() {
    (document.body || document.documentElement).appendChild(host);
    var saved = readState();
    if (saved.open) open({ focus: false });
    else if (saved.active) ensureFrame(); // keep the conversation connected
  }

  if (document.body) mount();
  else document.addEventListener('DOMContentLoaded', mount);

  window.CentralaWidget = {
    open: function () {
      open();
    },
    close: function () {
      close({ returnFocus: true });
    },
  };
})();
