// Strings of the resident's case status page (/sprawa) in Polish, English and
// Ukrainian; the choice is kept in localStorage like in the staff app, and the
// starting language follows the pages' one rule (js/language.js).

import { LANGUAGES, initialLanguage } from '../js/language.js';

const STRINGS = {
  pl: {
    'skip.main': 'Przejdź do treści głównej',
    'brand.name': 'Urząd Miasta',
    'brand.tagline': 'Miejskie Centrum Kontaktu',
    'lang.label': 'Język',
    'page.title': 'Sprawdź status sprawy — Miejskie Centrum Kontaktu',
    'lookup.title': 'Sprawdź status sprawy',
    'lookup.intro': 'Wpisz numer sprawy i klucz dostępu, które otrzymałeś przy jej zgłoszeniu.',
    'lookup.number': 'Numer sprawy',
    'lookup.numberHint': 'Na przykład MCK-2026-000123',
    'lookup.key': 'Klucz dostępu',
    'lookup.submit': 'Sprawdź',
    'lookup.checking': 'Sprawdzanie…',
    'error.missing': 'Podaj numer sprawy i klucz dostępu.',
    'error.notFound': 'Nie znaleziono sprawy o tym numerze i kluczu. Sprawdź, czy wpisałeś je bez błędów.',
    'error.rateLimited': 'Zbyt wiele prób. Spróbuj ponownie za chwilę.',
    'error.network': 'Nie udało się połączyć z serwerem. Spróbuj ponownie.',
    'result.title': 'Sprawa {number}',
    'result.status': 'Status',
    'result.category': 'Kategoria',
    'result.department': 'Prowadzi',
    'result.created': 'Zgłoszono',
    'result.due': 'Planowany termin',
    'result.comments': 'Odpowiedzi urzędu',
    'result.noComments': 'Na razie brak odpowiedzi.',
    'result.attachments': 'Załączniki od urzędu',
    'status.new': 'Przyjęta',
    'status.assigned': 'Przekazana do wydziału',
    'status.in_progress': 'W realizacji',
    'status.waiting_resident': 'Czekamy na informację od Ciebie',
    'status.resolved': 'Załatwiona',
    'status.closed': 'Zamknięta',
  },
  en: {
    'skip.main': 'Skip to main content',
    'brand.name': 'City Hall',
    'brand.tagline': 'City Contact Centre',
    'lang.label': 'Language',
    'page.title': 'Check the status of a case — City Contact Centre',
    'lookup.title': 'Check the status of a case',
    'lookup.intro': 'Enter the case number and the access key you received when the case was filed.',
    'lookup.number': 'Case number',
    'lookup.numberHint': 'For example MCK-2026-000123',
    'lookup.key': 'Access key',
    'lookup.submit': 'Check',
    'lookup.checking': 'Checking…',
    'error.missing': 'Enter the case number and the access key.',
    'error.notFound': 'No case with this number and key. Check that both are typed correctly.',
    'error.rateLimited': 'Too many attempts. Please try again in a moment.',
    'error.network': 'The server could not be reached. Please try again.',
    'result.title': 'Case {number}',
    'result.status': 'Status',
    'result.category': 'Category',
    'result.department': 'Handled by',
    'result.created': 'Filed',
    'result.due': 'Planned by',
    'result.comments': "The office's replies",
    'result.noComments': 'No replies yet.',
    'result.attachments': 'Files from the office',
    'status.new': 'Received',
    'status.assigned': 'Passed to the department',
    'status.in_progress': 'In progress',
    'status.waiting_resident': 'Waiting for information from you',
    'status.resolved': 'Resolved',
    'status.closed': 'Closed',
  },
  uk: {
    'skip.main': 'Перейти до основного вмісту',
    'brand.name': 'Міська рада',
    'brand.tagline': 'Міський контакт-центр',
    'lang.label': 'Мова',
    'page.title': 'Перевірити статус справи — Міський контакт-центр',
    'lookup.title': 'Перевірити статус справи',
    'lookup.intro': 'Введіть номер справи та ключ доступу, які ви отримали під час її подання.',
    'lookup.number': 'Номер справи',
    'lookup.numberHint': 'Наприклад MCK-2026-000123',
    'lookup.key': 'Ключ доступу',
    'lookup.submit': 'Перевірити',
    'lookup.checking': 'Перевірка…',
    'error.missing': 'Введіть номер справи та ключ доступу.',
    'error.notFound': 'Справу з таким номером і ключем не знайдено. Перевірте, чи правильно їх введено.',
    'error.rateLimited': 'Забагато спроб. Спробуйте ще раз за хвилину.',
    'error.network': 'Не вдалося з’єднатися із сервером. Спробуйте ще раз.',
    'result.title': 'Справа {number}',
    'result.status': 'Статус',
    'result.category': 'Категорія',
    'result.department': 'Веде',
    'result.created': 'Подано',
    'result.due': 'Запланований термін',
    'result.comments': 'Відповіді установи',
    'result.noComments': 'Відповідей поки немає.',
    'result.attachments': 'Файли від установи',
    'status.new': 'Прийнята',
    'status.assigned': 'Передана до відділу',
    'status.in_progress': 'Виконується',
    'status.waiting_resident': 'Чекаємо на інформацію від вас',
    'status.resolved': 'Вирішена',
    'status.closed': 'Закрита',
  },
};

const KEY = 'centrala.lang';
export { LANGUAGES };
let current = initialLanguage(KEY);
const listeners = new Set();

export function language() {
  return current;
}

export function t(key, params = {}) {
  const s = STRINGS[current][key] ?? STRINGS.pl[key] ?? key;
  return s.replace(/\{(\w+)\}/g, (_, n) => String(params[n] ?? ''));
}

export function missingKeys() {
  const out = {};
  for (const lang of LANGUAGES) out[lang] = Object.keys(STRINGS.pl).filter((k) => !(k in STRINGS[lang]));
  return out;
}

// Keeps the key on the element so a language switch re-translates it.
export function translate(el, key, params) {
  el.dataset.i18n = key;
  if (params) el.dataset.i18nParams = JSON.stringify(params);
  else delete el.dataset.i18nParams;
  el.textContent = t(key, params);
}

export function clear(el) {
  delete el.dataset.i18n;
  delete el.dataset.i18nParams;
  el.textContent = '';
}

export function applyTranslations(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) {
    const params = el.dataset.i18nParams ? JSON.parse(el.dataset.i18nParams) : undefined;
    el.textContent = t(el.dataset.i18n, params);
  }
  for (const el of root.querySelectorAll('[data-i18n-attr]'))
    for (const pair of el.dataset.i18nAttr.split(';')) {
      const [attr, key] = pair.split(':').map((s) => s.trim());
      el.setAttribute(attr, t(key));
    }
  document.documentElement.lang = current;
  document.title = t('page.title');
}

export function setLanguage(code) {
  if (!LANGUAGES.includes(code)) return;
  current = code;
  try {
    window.localStorage.setItem(KEY, code);
  } catch {
    // storage disabled: the choice lasts for this page
  }
  applyTranslations();
  for (const fn of listeners) fn(code);
}

export function onLanguageChange(fn) {
  listeners.add(fn);
}
