// Interface strings in Polish (the default), English and Ukrainian, and the
// language switcher. The choice is kept in localStorage.
//
// Static markup is translated through attributes:
//   data-i18n="key"                      -> element.textContent
//   data-i18n-attr="aria-label:key;..."  -> attributes
//   data-i18n-params='{"name":"…"}'      -> values for {name} placeholders
// Text typed by users (names, messages) is never put in these strings' place
// as markup: everything is written with textContent.

const STRINGS = {
  pl: {
    'skip.main': 'Przejdź do treści głównej',
    'brand.tagline': 'Miejskie Centrum Kontaktu',
    'lang.label': 'Język',
    'boot.loading': 'Wczytywanie…',
    'footer.text': 'Centrala — system obsługi mieszkańców urzędu miasta',

    'login.pageTitle': 'Logowanie — Centrala',
    'login.title': 'Logowanie pracowników',
    'login.intro': 'Zaloguj się kontem służbowym, aby obsługiwać sprawy mieszkańców.',
    'login.username': 'Nazwa użytkownika',
    'login.password': 'Hasło',
    'login.showPassword': 'Pokaż hasło',
    'login.submit': 'Zaloguj się',
    'login.help': 'Problem z logowaniem? Skontaktuj się z administratorem systemu.',
    'login.signingIn': 'Logowanie…',
    'login.loggedOut': 'Wylogowano.',
    'login.loggedOutElsewhere': 'Wylogowano w innej karcie przeglądarki.',
    'login.sessionExpired': 'Sesja wygasła. Zaloguj się ponownie.',
    'login.reauth': 'Ze względów bezpieczeństwa zaloguj się ponownie w tej karcie.',

    'error.missingUsername': 'Podaj nazwę użytkownika.',
    'error.missingPassword': 'Podaj hasło.',
    'error.missingBoth': 'Podaj nazwę użytkownika i hasło.',
    'error.invalid_credentials': 'Nieprawidłowa nazwa użytkownika lub hasło.',
    'error.rate_limited': 'Zbyt wiele nieudanych prób logowania. Spróbuj ponownie za {wait}.',
    'error.rate_limited_later': 'Zbyt wiele nieudanych prób logowania. Spróbuj ponownie później.',
    'error.invalid_input': 'Sprawdź wpisane dane i spróbuj ponownie.',
    'error.unauthenticated': 'Sesja wygasła. Zaloguj się ponownie.',
    'error.csrf_token_invalid': 'Sesja w tej karcie jest nieaktualna. Zaloguj się ponownie.',
    'error.forbidden': 'Nie masz uprawnień do tej operacji.',
    'error.not_found': 'Nie znaleziono zasobu.',
    'error.unavailable': 'Serwer jest chwilowo niedostępny. Spróbuj ponownie za chwilę.',
    'error.network': 'Brak połączenia z serwerem. Sprawdź sieć i spróbuj ponownie.',
    'error.unknown': 'Wystąpił nieoczekiwany błąd. Spróbuj ponownie.',
    'error.logoutFailed': 'Nie udało się wylogować. {reason}',

    'session.pageTitle': 'Panel pracownika — Centrala',
    'session.title': 'Witaj, {name}',
    'session.intro': 'Zalogowano do systemu Centrala.',
    'session.details': 'Dane konta',
    'session.displayName': 'Imię i nazwisko',
    'session.username': 'Nazwa użytkownika',
    'session.role': 'Rola',
    'session.signedInAs': 'Zalogowano jako',
    'session.logout': 'Wyloguj',

    'role.agent': 'konsultant',
    'role.supervisor': 'kierownik zmiany',
    'role.admin': 'administrator',
  },
  en: {
    'skip.main': 'Skip to main content',
    'brand.tagline': 'City Contact Centre',
    'lang.label': 'Language',
    'boot.loading': 'Loading…',
    'footer.text': 'Centrala — the city hall’s resident service system',

    'login.pageTitle': 'Sign in — Centrala',
    'login.title': 'Staff sign-in',
    'login.intro': 'Sign in with your work account to handle residents’ matters.',
    'login.username': 'Username',
    'login.password': 'Password',
    'login.showPassword': 'Show password',
    'login.submit': 'Sign in',
    'login.help': 'Trouble signing in? Contact your system administrator.',
    'login.signingIn': 'Signing in…',
    'login.loggedOut': 'You have been logged out.',
    'login.loggedOutElsewhere': 'You were logged out in another browser tab.',
    'login.sessionExpired': 'Your session has expired. Please sign in again.',
    'login.reauth': 'For your security, please sign in again in this tab.',

    'error.missingUsername': 'Enter your username.',
    'error.missingPassword': 'Enter your password.',
    'error.missingBoth': 'Enter your username and password.',
    'error.invalid_credentials': 'Wrong username or password.',
    'error.rate_limited': 'Too many failed sign-in attempts. Try again in {wait}.',
    'error.rate_limited_later': 'Too many failed sign-in attempts. Try again later.',
    'error.invalid_input': 'Check what you entered and try again.',
    'error.unauthenticated': 'Your session has expired. Please sign in again.',
    'error.csrf_token_invalid': 'The session in this tab is out of date. Please sign in again.',
    'error.forbidden': 'You are not allowed to do this.',
    'error.not_found': 'Not found.',
    'error.unavailable': 'The server is temporarily unavailable. Try again in a moment.',
    'error.network': 'Cannot reach the server. Check the network and try again.',
    'error.unknown': 'Something went wrong. Please try again.',
    'error.logoutFailed': 'Could not log out. {reason}',

    'session.pageTitle': 'Staff desk — Centrala',
    'session.title': 'Welcome, {name}',
    'session.intro': 'You are signed in to Centrala.',
    'session.details': 'Account details',
    'session.displayName': 'Full name',
    'session.username': 'Username',
    'session.role': 'Role',
    'session.signedInAs': 'Signed in as',
    'session.logout': 'Log out',

    'role.agent': 'consultant',
    'role.supervisor': 'shift supervisor',
    'role.admin': 'administrator',
  },
  uk: {
    'skip.main': 'Перейти до основного змісту',
    'brand.tagline': 'Міський контактний центр',
    'lang.label': 'Мова',
    'boot.loading': 'Завантаження…',
    'footer.text': 'Centrala — система обслуговування мешканців міської ради',

    'login.pageTitle': 'Вхід — Centrala',
    'login.title': 'Вхід для працівників',
    'login.intro': 'Увійдіть зі службовим обліковим записом, щоб обслуговувати звернення мешканців.',
    'login.username': 'Ім’я користувача',
    'login.password': 'Пароль',
    'login.showPassword': 'Показати пароль',
    'login.submit': 'Увійти',
    'login.help': 'Проблеми зі входом? Зверніться до системного адміністратора.',
    'login.signingIn': 'Вхід…',
    'login.loggedOut': 'Ви вийшли з системи.',
    'login.loggedOutElsewhere': 'Ви вийшли з системи в іншій вкладці браузера.',
    'login.sessionExpired': 'Сеанс завершився. Увійдіть ще раз.',
    'login.reauth': 'З міркувань безпеки увійдіть ще раз у цій вкладці.',

    'error.missingUsername': 'Введіть ім’я користувача.',
    'error.missingPassword': 'Введіть пароль.',
    'error.missingBoth': 'Введіть ім’я користувача та пароль.',
    'error.invalid_credentials': 'Неправильне ім’я користувача або пароль.',
    'error.rate_limited': 'Забагато невдалих спроб входу. Спробуйте ще раз через {wait}.',
    'error.rate_limited_later': 'Забагато невдалих спроб входу. Спробуйте ще раз пізніше.',
    'error.invalid_input': 'Перевірте введені дані та спробуйте ще раз.',
    'error.unauthenticated': 'Сеанс завершився. Увійдіть ще раз.',
    'error.csrf_token_invalid': 'Сеанс у цій вкладці застарів. Увійдіть ще раз.',
    'error.forbidden': 'У вас немає прав на цю дію.',
    'error.not_found': 'Не знайдено.',
    'error.unavailable': 'Сервер тимчасово недоступний. Спробуйте ще раз за мить.',
    'error.network': 'Немає з’єднання з сервером. Перевірте мережу та спробуйте ще раз.',
    'error.unknown': 'Сталася неочікувана помилка. Спробуйте ще раз.',
    'error.logoutFailed': 'Не вдалося вийти. {reason}',

    'session.pageTitle': 'Панель працівника — Centrala',
    'session.title': 'Вітаємо, {name}',
    'session.intro': 'Ви увійшли в систему Centrala.',
    'session.details': 'Дані облікового запису',
    'session.displayName': 'Ім’я та прізвище',
    'session.username': 'Ім’я користувача',
    'session.role': 'Роль',
    'session.signedInAs': 'Ви увійшли як',
    'session.logout': 'Вийти',

    'role.agent': 'консультант',
    'role.supervisor': 'керівник зміни',
    'role.admin': 'адміністратор',
  },
};

// Accusative forms after "za" / "in" / "через", by plural category.
const UNITS = {
  pl: {
    second: { one: 'sekundę', few: 'sekundy', many: 'sekund', other: 'sekundy' },
    minute: { one: 'minutę', few: 'minuty', many: 'minut', other: 'minuty' },
  },
  en: {
    second: { one: 'second', other: 'seconds' },
    minute: { one: 'minute', other: 'minutes' },
  },
  uk: {
    second: { one: 'секунду', few: 'секунди', many: 'секунд', other: 'секунди' },
    minute: { one: 'хвилину', few: 'хвилини', many: 'хвилин', other: 'хвилини' },
  },
};

export const LANGUAGES = Object.freeze(['pl', 'en', 'uk']);
export const DEFAULT_LANGUAGE = 'pl';
const STORAGE_KEY = 'centrala.lang';

function storedLanguage() {
  try {
    const v = window.localStorage.getItem(STORAGE_KEY);
    return LANGUAGES.includes(v) ? v : null;
  } catch {
    return null; // storage disabled
  }
}

let current = storedLanguage() || DEFAULT_LANGUAGE;
const listeners = new Set();

export function language() {
  return current;
}

// "60 sekund", "1 minutę", "3 хвилини" — a wait, as used after "za"/"in"/"через".
export function formatWait(seconds, lang = current) {
  const s = Math.max(1, Math.ceil(Number(seconds) || 0));
  const [n, unit] = s < 120 ? [s, 'second'] : [Math.ceil(s / 60), 'minute'];
  const forms = UNITS[lang][unit];
  const category = new Intl.PluralRules(lang).select(n);
  return `${n} ${forms[category] ?? forms.other}`;
}

function formatParam(value) {
  if (value && typeof value === 'object' && 'seconds' in value) return formatWait(value.seconds);
  if (value && typeof value === 'object' && 'key' in value) return t(value.key, value.params);
  return String(value ?? '');
}

// Looks up `key` in the current language (falling back to Polish) and fills
// {placeholders}. A parameter may be {seconds: n} (formatted as a wait) or
// {key, params} (a nested translation), so it re-translates on a switch.
export function t(key, params = {}) {
  const s = STRINGS[current][key] ?? STRINGS[DEFAULT_LANGUAGE][key] ?? key;
  return s.replace(/\{(\w+)\}/g, (_, name) => formatParam(params[name]));
}

// Keys missing from a language, for the tests: {en: [...], uk: [...]}.
export function missingKeys() {
  const out = {};
  const all = new Set(LANGUAGES.flatMap((l) => Object.keys(STRINGS[l])));
  for (const l of LANGUAGES) out[l] = [...all].filter((k) => !(k in STRINGS[l]));
  return out;
}

export function has(key) {
  return key in STRINGS[DEFAULT_LANGUAGE];
}

// Puts a translated text in `el` and remembers the key, so a language switch
// updates it too.
export function translate(el, key, params) {
  el.dataset.i18n = key;
  if (params && Object.keys(params).length) el.dataset.i18nParams = JSON.stringify(params);
  else delete el.dataset.i18nParams;
  el.textContent = t(key, params);
}

export function clearTranslated(el) {
  delete el.dataset.i18n;
  delete el.dataset.i18nParams;
  el.textContent = '';
}

function paramsOf(el) {
  if (!el.dataset.i18nParams) return {};
  try {
    return JSON.parse(el.dataset.i18nParams);
  } catch {
    return {};
  }
}

export function applyTranslations(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n, paramsOf(el));
  for (const el of root.querySelectorAll('[data-i18n-attr]')) {
    for (const pair of el.dataset.i18nAttr.split(';')) {
      const [attr, key] = pair.split(':').map((x) => x.trim());
      if (attr && key) el.setAttribute(attr, t(key, paramsOf(el)));
    }
  }
}

export function setLanguage(code) {
  if (!LANGUAGES.includes(code)) return;
  current = code;
  try {
    window.localStorage.setItem(STORAGE_KEY, code);
  } catch {
    // storage disabled: the choice lasts for this page only
  }
  document.documentElement.lang = code;
  applyTranslations(document);
  for (const fn of listeners) fn(code);
}

export function onLanguageChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

// Wires the buttons with data-lang="pl|en|uk" inside `container`: a toggle
// group whose pressed button is the current language.
export function setupLanguageSwitcher(container) {
  const buttons = [...container.querySelectorAll('button[data-lang]')];
  const sync = () => {
    for (const b of buttons) b.setAttribute('aria-pressed', String(b.dataset.lang === current));
  };
  for (const b of buttons) b.addEventListener('click', () => setLanguage(b.dataset.lang));
  onLanguageChange(sync);
  sync();
}

// Applies the stored language to the page once at start.
export function initI18n() {
  document.documentElement.lang = current;
  applyTranslations(document);
}
