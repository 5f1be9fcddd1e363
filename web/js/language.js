// The language a page starts in: the one rule for every page (staff app,
// wallboard, /sprawa, the widget and so the /zgloszenie and /wizyta links):
//   ?lang= in the address  >  the choice stored in this browser  >
//   the first of the browser's languages that we have (by primary subtag, so
//   uk-UA and en-GB count)  >  Polish.
// A city page links residents with ?lang= on purpose; a stored choice is the
// resident's own; the browser's languages are a guess, still better than
// Polish for someone whose browser asks for Ukrainian.

export const LANGUAGES = Object.freeze(['pl', 'en', 'uk']);
export const DEFAULT_LANGUAGE = 'pl';

// 'uk-UA' -> 'uk'; null for a language we do not have.
export function supportedLanguage(tag) {
  const primary = String(tag ?? '').trim().toLowerCase().split(/[-_]/)[0];
  return LANGUAGES.includes(primary) ? primary : null;
}

export function storedLanguage(storageKey) {
  try {
    return supportedLanguage(window.localStorage.getItem(storageKey));
  } catch {
    return null; // storage disabled
  }
}

// `storageKey`: where this app keeps the resident's or user's choice.
export function initialLanguage(storageKey) {
  const asked = supportedLanguage(new URLSearchParams(window.location.search).get('lang'));
  if (asked) return asked;
  const stored = storedLanguage(storageKey);
  if (stored) return stored;
  const browser = navigator.languages?.length ? navigator.languages : [navigator.language];
  for (const tag of browser) {
    const lang = supportedLanguage(tag);
    if (lang) return lang;
  }
  return DEFAULT_LANGUAGE;
}
