// The staff pages' header (brand, who is signed in with the logout button,
// the language switcher): one copy for / and /wallboard, built into their
// empty <header class="site-header">. Texts come from data-i18n keys, so a
// language switch updates them like the rest of the page.

import { applyTranslations } from './i18n.js';

function node(tag, attrs = {}, children = []) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v === true ? '' : v);
  e.append(...children);
  return e;
}

const LANGUAGES = [
  ['pl', 'Polski'],
  ['en', 'English'],
  ['uk', 'Українська'],
];

export function buildStaffHeader(header = document.querySelector('header.site-header')) {
  if (!header || header.querySelector('.lang-switcher')) return;
  header.replaceChildren(
    node('div', { class: 'site-header__inner' }, [
      node('div', { class: 'brand' }, [
        node('img', { class: 'brand__logo', src: '/img/logo.svg', alt: '', width: '44', height: '44' }),
        node('div', { class: 'brand__text' }, [
          node('p', { class: 'brand__name' }, ['Centrala']),
          node('p', { class: 'brand__tagline', 'data-i18n': 'brand.tagline' }),
        ]),
      ]),
      node('div', { class: 'site-header__tools' }, [
        node('div', { id: 'user-bar', class: 'user-bar', hidden: true }, [
          node('p', { class: 'user-bar__who' }, [
            node('span', { class: 'visually-hidden', 'data-i18n': 'session.signedInAs' }),
            ' ',
            node('span', { id: 'user-bar-name', class: 'user-bar__name' }),
            ' ',
            node('span', { id: 'user-bar-role', class: 'user-bar__role' }),
          ]),
          node('button', { id: 'logout-button', class: 'button button--on-dark', type: 'button', 'data-i18n': 'session.logout' }),
        ]),
        node('nav', { class: 'lang-switcher', 'aria-label': 'Język', 'data-i18n-attr': 'aria-label:lang.label' }, [
          node('ul', { class: 'lang-switcher__list' }, LANGUAGES.map(([code, name]) => node('li', {}, [
            node('button', {
              type: 'button', class: 'lang-switcher__button', 'data-lang': code, lang: code,
              'aria-pressed': code === 'pl' ? 'true' : 'false',
            }, [name]),
          ]))),
        ]),
      ]),
    ]),
  );
  applyTranslations(header);
}
