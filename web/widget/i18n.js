// Resident chat widget: interface strings in Polish (the default), English
// and Ukrainian. Static markup is translated through attributes:
//   data-i18n="key"                      -> element.textContent
//   data-i18n-attr="aria-label:key;..."  -> attributes
// Text from residents, consultants and the server never goes through these
// strings as markup: everything is written with textContent.

import { DEFAULT_LANGUAGE, LANGUAGES } from '../js/language.js';

const STRINGS = {
  pl: {
    'page.title': 'Czat z urzędem — Miejskie Centrum Kontaktu',
    'app.title': 'Czat z urzędem',
    'app.subtitle': 'Miejskie Centrum Kontaktu',
    'app.minimize': 'Zwiń okno czatu',
    'app.loading': 'Wczytywanie…',

    'start.title': 'W czym możemy pomóc?',
    'start.intro': 'Napisz do nas — najpierw odpowie wirtualny asystent, a w razie potrzeby połączymy Cię z konsultantem.',
    'start.name': 'Imię (opcjonalnie)',
    'start.nameHint': 'Konsultant zobaczy, jak się do Ciebie zwracać.',
    'start.topic': 'Temat sprawy',
    'start.lang': 'Język rozmowy',
    'start.chat': 'Rozpocznij czat',
    'start.video': 'Rozmowa wideo',
    'start.pjm': 'Tłumacz polskiego języka migowego (PJM)',
    'start.otherWays': 'Inne sposoby kontaktu',
    'start.videoSoon': 'Rozmowy wideo będą dostępne wkrótce. Do tego czasu zapraszamy na czat.',
    'start.pjmSoon': 'Rozmowa z tłumaczem polskiego języka migowego (PJM) będzie dostępna wkrótce. Do tego czasu zapraszamy na czat.',
    'start.creating': 'Rozpoczynanie rozmowy…',
    'start.privacy': 'Nie podawaj w czacie numeru PESEL ani haseł.',

    'topic.vehicles': 'Pojazdy, rejestracja, prawo jazdy',
    'topic.waste': 'Odpady i opłata śmieciowa',
    'topic.taxes': 'Podatki i opłaty lokalne',
    'topic.report': 'Zgłoszenie problemu w mieście',
    'topic.appointment': 'Umówienie wizyty w urzędzie',
    'topic.other': 'Inna sprawa',

    'chat.heading': 'Rozmowa',
    'chat.log': 'Wiadomości',
    'chat.messageLabel': 'Twoja wiadomość',
    'chat.send': 'Wyślij',
    'chat.handoff': 'Porozmawiaj z konsultantem',
    'chat.end': 'Zakończ rozmowę',
    'chat.endQuestion': 'Czy na pewno chcesz zakończyć rozmowę? Nie będzie można już w niej pisać.',
    'chat.endYes': 'Tak, zakończ',
    'chat.endNo': 'Nie, wróć do rozmowy',
    'chat.ending': 'Kończenie rozmowy…',
    'chat.transcript': 'Pobierz zapis rozmowy',
    'chat.newChat': 'Rozpocznij nową rozmowę',
    'chat.typing': 'Konsultant pisze…',
    'chat.sending': 'wysyłanie…',
    'chat.queuedOffline': 'czeka na połączenie',
    'chat.failed': 'nie wysłano: {reason}',
    'chat.dismiss': 'Usuń',
    'chat.backOnline': 'Połączono ponownie.',
    'chat.queue': 'Twoje miejsce w kolejce: {position}.',
    'chat.queueFirst': 'Jesteś następny w kolejce.',
    'chat.ewt': 'Przewidywany czas oczekiwania: około {wait}.',
    'chat.ewtShort': 'Konsultant powinien odpowiedzieć za chwilę.',
    'chat.waiting': 'Czekasz na konsultanta.',
    'chat.agentJoined': 'Rozmawiasz z konsultantem: {name}.',
    'chat.agentJoinedNoName': 'Dołączył konsultant.',
    'chat.bot': 'Rozmawiasz z wirtualnym asystentem.',
    'chat.closed': 'Rozmowa została zakończona.',
    'chat.closedNoWrite': 'W zakończonej rozmowie nie można już pisać.',
    'chat.handoffRequested': 'Poproszono o konsultanta.',
    'chat.offlineAction': 'Brak połączenia. Spróbuj ponownie za chwilę.',
    'chat.lost': 'Ta rozmowa nie jest już dostępna. Możesz rozpocząć nową.',

    'conn.connecting': 'Łączenie…',
    'conn.online': 'Połączono',
    'conn.offline': 'Brak połączenia — ponawiamy próbę. Wiadomości wyślemy po odzyskaniu połączenia.',

    'author.you': 'Ty',
    'author.bot': 'Wirtualny asystent',
    'author.agent': 'Konsultant',
    'author.system': 'Komunikat',

    'rating.title': 'Oceń rozmowę',
    'rating.legend': 'Jak oceniasz pomoc? (1 — bardzo źle, 5 — bardzo dobrze)',
    'rating.score1': '1 — bardzo źle',
    'rating.score2': '2 — źle',
    'rating.score3': '3 — przeciętnie',
    'rating.score4': '4 — dobrze',
    'rating.score5': '5 — bardzo dobrze',
    'rating.comment': 'Komentarz (opcjonalnie)',
    'rating.submit': 'Wyślij ocenę',
    'rating.pickScore': 'Wybierz ocenę od 1 do 5.',
    'rating.sending': 'Wysyłanie oceny…',
    'rating.thanks': 'Dziękujemy za ocenę!',
    'rating.already': 'Ta rozmowa została już oceniona. Dziękujemy!',
    'rating.erased': 'Rozmowa została zakończona, a jej dane usunięte (RODO).',

    'transcript.heading': 'Zapis rozmowy — Miejskie Centrum Kontaktu',
    'transcript.chat': 'Rozmowa nr {id}',
    'transcript.saved': 'Zapisano: {time}',
    'transcript.file': 'rozmowa-{id}.txt',

    'error.rate_limited': 'Za dużo wiadomości naraz. Zwolnij nieco — spróbujemy ponownie.',
    'error.rate_limited_create': 'Z tego adresu otwarto zbyt wiele rozmów. Zakończ jedną z nich lub spróbuj później.',
    'error.message_too_long': 'Wiadomość jest za długa.',
    'error.empty_message': 'Wiadomość jest pusta.',
    'error.chat_closed': 'Rozmowa została zakończona.',
    'error.queue_closed': 'Konsultanci są teraz niedostępni.',
    'error.queue_full': 'Kolejka jest pełna. Spróbuj ponownie za kilka minut.',
    'error.already_rated': 'Ta rozmowa została już oceniona.',
    'error.network': 'Brak połączenia z serwerem. Sprawdź sieć i spróbuj ponownie.',
    'error.unknown': 'Wystąpił nieoczekiwany błąd. Spróbuj ponownie.',
  },
  en: {
    'page.title': 'Chat with the city hall — City Contact Centre',
    'app.title': 'Chat with the city hall',
    'app.subtitle': 'City Contact Centre',
    'app.minimize': 'Minimise the chat window',
    'app.loading': 'Loading…',

    'start.title': 'How can we help?',
    'start.intro': 'Write to us — a virtual assistant answers first, and we connect you to a consultant when needed.',
    'start.name': 'Your name (optional)',
    'start.nameHint': 'So the consultant knows how to address you.',
    'start.topic': 'Topic',
    'start.lang': 'Conversation language',
    'start.chat': 'Start chat',
    'start.video': 'Video call',
    'start.pjm': 'Polish Sign Language (PJM) interpreter',
    'start.otherWays': 'Other ways to contact us',
    'start.videoSoon': 'Video calls are coming soon. Until then, please use the chat.',
    'start.pjmSoon': 'Calls with a Polish Sign Language (PJM) interpreter are coming soon. Until then, please use the chat.',
    'start.creating': 'Starting the conversation…',
    'start.privacy': 'Do not share your PESEL number or passwords in the chat.',

    'topic.vehicles': 'Vehicles, registration, driving licence',
    'topic.waste': 'Waste and waste fees',
    'topic.taxes': 'Local taxes and fees',
    'topic.report': 'Report a problem in the city',
    'topic.appointment': 'Book a visit to the city hall',
    'topic.other': 'Something else',

    'chat.heading': 'Conversation',
    'chat.log': 'Messages',
    'chat.messageLabel': 'Your message',
    'chat.send': 'Send',
    'chat.handoff': 'Talk to a consultant',
    'chat.end': 'End chat',
    'chat.endQuestion': 'Do you really want to end the conversation? You will not be able to write in it any more.',
    'chat.endYes': 'Yes, end it',
    'chat.endNo': 'No, back to the conversation',
    'chat.ending': 'Ending the conversation…',
    'chat.transcript': 'Download the transcript',
    'chat.newChat': 'Start a new conversation',
    'chat.typing': 'The consultant is typing…',
    'chat.sending': 'sending…',
    'chat.queuedOffline': 'waiting for a connection',
    'chat.failed': 'not sent: {reason}',
    'chat.dismiss': 'Remove',
    'chat.backOnline': 'Connected again.',
    'chat.queue': 'Your place in the queue: {position}.',
    'chat.queueFirst': 'You are next in the queue.',
    'chat.ewt': 'Expected wait: about {wait}.',
    'chat.ewtShort': 'A consultant should answer shortly.',
    'chat.waiting': 'You are waiting for a consultant.',
    'chat.agentJoined': 'You are talking to: {name}.',
    'chat.agentJoinedNoName': 'A consultant has joined.',
    'chat.bot': 'You are talking to the virtual assistant.',
    'chat.closed': 'The conversation has ended.',
    'chat.closedNoWrite': 'You can no longer write in a conversation that has ended.',
    'chat.handoffRequested': 'A consultant has been requested.',
    'chat.offlineAction': 'No connection. Please try again in a moment.',
    'chat.lost': 'This conversation is no longer available. You can start a new one.',

    'conn.connecting': 'Connecting…',
    'conn.online': 'Connected',
    'conn.offline': 'No connection — retrying. Your messages will be sent once the connection is back.',

    'author.you': 'You',
    'author.bot': 'Virtual assistant',
    'author.agent': 'Consultant',
    'author.system': 'Notice',

    'rating.title': 'Rate the conversation',
    'rating.legend': 'How would you rate the help? (1 — very poor, 5 — very good)',
    'rating.score1': '1 — very poor',
    'rating.score2': '2 — poor',
    'rating.score3': '3 — fair',
    'rating.score4': '4 — good',
    'rating.score5': '5 — very good',
    'rating.comment': 'Comment (optional)',
    'rating.submit': 'Send rating',
    'rating.pickScore': 'Choose a rating from 1 to 5.',
    'rating.sending': 'Sending the rating…',
    'rating.thanks': 'Thank you for your rating!',
    'rating.already': 'This conversation has already been rated. Thank you!',
    'rating.erased': 'The conversation has ended and its data was erased (GDPR).',

    'transcript.heading': 'Conversation transcript — City Contact Centre',
    'transcript.chat': 'Conversation no. {id}',
    'transcript.saved': 'Saved: {time}',
    'transcript.file': 'conversation-{id}.txt',

    'error.rate_limited': 'Too many messages at once. Please slow down — we will try again.',
    'error.rate_limited_create': 'Too many conversations were opened from this address. Please finish one or try later.',
    'error.message_too_long': 'The message is too long.',
    'error.empty_message': 'The message is empty.',
    'error.chat_closed': 'The conversation has ended.',
    'error.queue_closed': 'Consultants are not available now.',
    'error.queue_full': 'The queue is full. Please try again in a few minutes.',
    'error.already_rated': 'This conversation has already been rated.',
    'error.network': 'Cannot reach the server. Check your network and try again.',
    'error.unknown': 'Something went wrong. Please try again.',
  },
  uk: {
    'page.title': 'Чат з міською радою — Міський контакт-центр',
    'app.title': 'Чат з міською радою',
    'app.subtitle': 'Міський контакт-центр',
    'app.minimize': 'Згорнути вікно чату',
    'app.loading': 'Завантаження…',

    'start.title': 'Чим ми можемо допомогти?',
    'start.intro': 'Напишіть нам — спершу відповість віртуальний помічник, а за потреби ми з’єднаємо вас із консультантом.',
    'start.name': 'Ім’я (необов’язково)',
    'start.nameHint': 'Щоб консультант знав, як до вас звертатися.',
    'start.topic': 'Тема звернення',
    'start.lang': 'Мова розмови',
    'start.chat': 'Почати чат',
    'start.video': 'Відеодзвінок',
    'start.pjm': 'Перекладач польської жестової мови (PJM)',
    'start.otherWays': 'Інші способи зв’язку',
    'start.videoSoon': 'Відеодзвінки незабаром будуть доступні. А поки що запрошуємо до чату.',
    'start.pjmSoon': 'Розмова з перекладачем польської жестової мови (PJM) незабаром буде доступна. А поки що запрошуємо до чату.',
    'start.creating': 'Починаємо розмову…',
    'start.privacy': 'Не повідомляйте в чаті номер PESEL чи паролі.',

    'topic.vehicles': 'Транспорт, реєстрація, посвідчення водія',
    'topic.waste': 'Відходи та плата за вивезення сміття',
    'topic.taxes': 'Місцеві податки та збори',
    'topic.report': 'Повідомити про проблему в місті',
    'topic.appointment': 'Записатися на прийом',
    'topic.other': 'Інше питання',

    'chat.heading': 'Розмова',
    'chat.log': 'Повідомлення',
    'chat.messageLabel': 'Ваше повідомлення',
    'chat.send': 'Надіслати',
    'chat.handoff': 'Поговорити з консультантом',
    'chat.end': 'Завершити розмову',
    'chat.endQuestion': 'Ви справді хочете завершити розмову? Писати в ній більше не можна буде.',
    'chat.endYes': 'Так, завершити',
    'chat.endNo': 'Ні, повернутися до розмови',
    'chat.ending': 'Завершення розмови…',
    'chat.transcript': 'Завантажити запис розмови',
    'chat.newChat': 'Почати нову розмову',
    'chat.typing': 'Консультант пише…',
    'chat.sending': 'надсилання…',
    'chat.queuedOffline': 'очікує на з’єднання',
    'chat.failed': 'не надіслано: {reason}',
    'chat.dismiss': 'Видалити',
    'chat.backOnline': 'З’єднання відновлено.',
    'chat.queue': 'Ваше місце в черзі: {position}.',
    'chat.queueFirst': 'Ви наступні в черзі.',
    'chat.ewt': 'Орієнтовний час очікування: близько {wait}.',
    'chat.ewtShort': 'Консультант незабаром відповість.',
    'chat.waiting': 'Ви очікуєте на консультанта.',
    'chat.agentJoined': 'Ви розмовляєте з консультантом: {name}.',
    'chat.agentJoinedNoName': 'Консультант приєднався.',
    'chat.bot': 'Ви розмовляєте з віртуальним помічником.',
    'chat.closed': 'Розмову завершено.',
    'chat.closedNoWrite': 'У завершеній розмові вже не можна писати.',
    'chat.handoffRequested': 'Запит на консультанта надіслано.',
    'chat.offlineAction': 'Немає з’єднання. Спробуйте ще раз за мить.',
    'chat.lost': 'Ця розмова більше недоступна. Ви можете почати нову.',

    'conn.connecting': 'З’єднання…',
    'conn.online': 'З’єднано',
    'conn.offline': 'Немає з’єднання — пробуємо знову. Повідомлення буде надіслано, щойно з’єднання відновиться.',

    'author.you': 'Ви',
    'author.bot': 'Віртуальний помічник',
    'author.agent': 'Консультант',
    'author.system': 'Повідомлення системи',

    'rating.title': 'Оцініть розмову',
    'rating.legend': 'Як ви оцінюєте допомогу? (1 — дуже погано, 5 — дуже добре)',
    'rating.score1': '1 — дуже погано',
    'rating.score2': '2 — погано',
    'rating.score3': '3 — посередньо',
    'rating.score4': '4 — добре',
    'rating.score5': '5 — дуже добре',
    'rating.comment': 'Коментар (необов’язково)',
    'rating.submit': 'Надіслати оцінку',
    'rating.pickScore': 'Оберіть оцінку від 1 до 5.',
    'rating.sending': 'Надсилання оцінки…',
    'rating.thanks': 'Дякуємо за оцінку!',
    'rating.already': 'Цю розмову вже оцінено. Дякуємо!',
    'rating.erased': 'Розмову завершено, а її дані видалено (GDPR).',

    'transcript.heading': 'Запис розмови — Міський контакт-центр',
    'transcript.chat': 'Розмова № {id}',
    'transcript.saved': 'Збережено: {time}',
    'transcript.file': 'rozmova-{id}.txt',

    'error.rate_limited': 'Забагато повідомлень одночасно. Трохи зачекайте — ми спробуємо ще раз.',
    'error.rate_limited_create': 'З цієї адреси відкрито забагато розмов. Завершіть одну з них або спробуйте пізніше.',
    'error.message_too_long': 'Повідомлення задовге.',
    'error.empty_message': 'Повідомлення порожнє.',
    'error.chat_closed': 'Розмову завершено.',
    'error.queue_closed': 'Консультанти зараз недоступні.',
    'error.queue_full': 'Черга заповнена. Спробуйте ще раз за кілька хвилин.',
    'error.already_rated': 'Цю розмову вже оцінено.',
    'error.network': 'Немає зв’язку із сервером. Перевірте мережу та спробуйте ще раз.',
    'error.unknown': 'Сталася неочікувана помилка. Спробуйте ще раз.',
  },
};

// Durations. "około 3 minut" / "близько 3 хвилин" take the genitive (one form
// for 1, another for the rest); "za 3 minuty" / "через 3 хвилини" (a retry
// delay) take the accusative with the usual plural categories.
const ABOUT = {
  pl: { second: ['sekundy', 'sekund'], minute: ['minuty', 'minut'] },
  uk: { second: ['секунди', 'секунд'], minute: ['хвилини', 'хвилин'] },
  en: { second: ['second', 'seconds'], minute: ['minute', 'minutes'] },
};
const IN = {
  pl: {
    second: { one: 'sekundę', few: 'sekundy', many: 'sekund', other: 'sekundy' },
    minute: { one: 'minutę', few: 'minuty', many: 'minut', other: 'minuty' },
  },
  en: { second: { one: 'second', other: 'seconds' }, minute: { one: 'minute', other: 'minutes' } },
  uk: {
    second: { one: 'секунду', few: 'секунди', many: 'секунд', other: 'секунди' },
    minute: { one: 'хвилину', few: 'хвилини', many: 'хвилин', other: 'хвилини' },
  },
};

export { LANGUAGES, DEFAULT_LANGUAGE };
export const TOPICS = Object.freeze(['vehicles', 'waste', 'taxes', 'report', 'appointment', 'other']);

let current = DEFAULT_LANGUAGE;
const listeners = new Set();

export function language() {
  return current;
}

// `form: 'about'` for an expected wait, `form: 'in'` for a retry delay.
export function formatDuration(seconds, { form = 'about', lang = current } = {}) {
  const s = Math.max(1, Math.ceil(Number(seconds) || 0));
  const [n, unit] = s < 90 ? [s, 'second'] : [Math.round(s / 60), 'minute'];
  if (form === 'about') return `${n} ${ABOUT[lang][unit][n === 1 ? 0 : 1]}`;
  const forms = IN[lang][unit];
  return `${n} ${forms[new Intl.PluralRules(lang).select(n)] ?? forms.other}`;
}

export function t(key, params = {}, lang = current) {
  const s = STRINGS[lang]?.[key] ?? STRINGS[DEFAULT_LANGUAGE][key] ?? key;
  return s.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ''));
}

export function has(key) {
  return key in STRINGS[DEFAULT_LANGUAGE];
}

// Keys missing from a language, for the tests: {pl: [], en: [...], uk: [...]}.
export function missingKeys() {
  const out = {};
  const all = new Set(LANGUAGES.flatMap((l) => Object.keys(STRINGS[l])));
  for (const l of LANGUAGES) out[l] = [...all].filter((k) => !(k in STRINGS[l]));
  return out;
}

// Puts a translated text in `el` and remembers the key (and parameters), so a
// language switch updates it too.
export function translate(el, key, params) {
  el.dataset.i18n = key;
  if (params && Object.keys(params).length) el.dataset.i18nParams = JSON.stringify(params);
  else delete el.dataset.i18nParams;
  el.textContent = t(key, params);
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
  document.documentElement.lang = code;
  document.title = t('page.title');
  applyTranslations(document);
  for (const fn of listeners) fn(code);
}

// Strings of a feature module ({pl:{...}, en:{...}, uk:{...}}), added before
// the first translation so its markup is translated with everything else.
export function addStrings(table) {
  for (const [lang, strings] of Object.entries(table)) if (STRINGS[lang]) Object.assign(STRINGS[lang], strings);
}

export function onLanguageChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}
