// "Umów wizytę": a resident books an office visit from the widget. Choose
// the matter, a day from a week's calendar of free places, a time, then give
// a name and a phone or e-mail; the answer is a booking code and a calendar
// file. Everything from the server is written with textContent.

import * as i18n from './i18n.js';

const ZONE = 'Europe/Warsaw';
const API = '/api/v1/public';

i18n.addStrings({
  pl: {
    'appt.open': 'Umów wizytę w urzędzie',
    'appt.title': 'Umów wizytę w urzędzie',
    'appt.service': 'Sprawa',
    'appt.day': 'Dzień wizyty',
    'appt.prev': 'Poprzedni tydzień',
    'appt.next': 'Następny tydzień',
    'appt.timesFor': 'Godzina wizyty — {day}',
    'appt.free': '{n} wolnych',
    'appt.full': 'brak miejsc',
    'appt.closed': 'nieczynne',
    'appt.loading': 'Wczytywanie wolnych terminów…',
    'appt.noneThisWeek': 'W tym tygodniu nie ma wolnych terminów. Sprawdź następny tydzień.',
    'appt.chooseDay': 'Wybierz dzień z wolnymi miejscami.',
    'appt.chosen': 'Wybrano: {when}.',
    'appt.name': 'Imię i nazwisko',
    'appt.phone': 'Telefon',
    'appt.email': 'E-mail',
    'appt.contactHint': 'Podaj telefon lub e-mail — dzień przed wizytą przypomnimy o niej.',
    'appt.submit': 'Zarezerwuj wizytę',
    'appt.booking': 'Rezerwowanie…',
    'appt.doneTitle': 'Wizyta zarezerwowana',
    'appt.codeLabel': 'Kod rezerwacji:',
    'appt.codeHint': 'Zapisz kod — przyda się, gdy zechcesz odwołać wizytę.',
    'appt.when': 'Termin: {when}',
    'appt.where': 'Miejsce: {where}',
    'appt.ics': 'Dodaj do kalendarza (.ics)',
    'appt.cancel': 'Odwołaj wizytę',
    'appt.cancelled': 'Wizyta została odwołana.',
    'appt.back': 'Wróć do początku',
    'appt.noServices': 'Rezerwacja wizyt nie jest teraz dostępna.',
    'appt.error.chooseTime': 'Wybierz dzień i godzinę wizyty.',
    'appt.error.name': 'Podaj imię i nazwisko.',
    'appt.error.missing_contact': 'Podaj numer telefonu lub adres e-mail.',
    'appt.error.invalid_phone': 'Numer telefonu wygląda na niepoprawny.',
    'appt.error.invalid_email': 'Adres e-mail wygląda na niepoprawny.',
    'appt.error.slot_full': 'Ten termin został właśnie zajęty. Wybierz inny — poniżej są aktualne wolne terminy.',
    'appt.error.too_many_bookings': 'Masz już zarezerwowane wizyty w tej sprawie. Odwołaj jedną, aby umówić kolejną.',
    'appt.error.in_the_past': 'Ten termin już minął. Wybierz późniejszy.',
    'appt.error.too_soon': 'Na ten termin jest już za późno. Wybierz późniejszy.',
    'appt.error.beyond_horizon': 'Tak odległych terminów nie można jeszcze rezerwować.',
    'appt.error.office_closed': 'W tym dniu urząd nie przyjmuje interesantów.',
    'appt.error.outside_hours': 'O tej godzinie nie ma wizyt. Wybierz jedną z podanych godzin.',
    'appt.error.unknown_service': 'Nie ma takiej sprawy do rezerwacji.',
    'appt.error.not_cancellable': 'Tej wizyty nie można już odwołać.',
    'appt.error.rate_limited': 'Zbyt wiele prób. Spróbuj ponownie za jakiś czas.',
    'appt.error.network': 'Brak połączenia z urzędem. Spróbuj ponownie za chwilę.',
    'appt.error.other': 'Nie udało się zarezerwować wizyty. Spróbuj ponownie.',
  },
  en: {
    'appt.open': 'Book an office visit',
    'appt.title': 'Book an office visit',
    'appt.service': 'Matter',
    'appt.day': 'Day of the visit',
    'appt.prev': 'Previous week',
    'appt.next': 'Next week',
    'appt.timesFor': 'Time of the visit — {day}',
    'appt.free': '{n} free',
    'appt.full': 'fully booked',
    'appt.closed': 'closed',
    'appt.loading': 'Loading free times…',
    'appt.noneThisWeek': 'There are no free times this week. Please check the next week.',
    'appt.chooseDay': 'Choose a day with free places.',
    'appt.chosen': 'Chosen: {when}.',
    'appt.name': 'Full name',
    'appt.phone': 'Phone',
    'appt.email': 'E-mail',
    'appt.contactHint': 'Give a phone number or an e-mail address — we will remind you the day before.',
    'appt.submit': 'Book the visit',
    'appt.booking': 'Booking…',
    'appt.doneTitle': 'Your visit is booked',
    'appt.codeLabel': 'Booking code:',
    'appt.codeHint': 'Keep the code — you need it to cancel the visit.',
    'appt.when': 'When: {when}',
    'appt.where': 'Where: {where}',
    'appt.ics': 'Add to calendar (.ics)',
    'appt.cancel': 'Cancel the visit',
    'appt.cancelled': 'The visit has been cancelled.',
    'appt.back': 'Back to the start',
    'appt.noServices': 'Booking visits is not available now.',
    'appt.error.chooseTime': 'Choose the day and time of the visit.',
    'appt.error.name': 'Please give your name.',
    'appt.error.missing_contact': 'Please give a phone number or an e-mail address.',
    'appt.error.invalid_phone': 'The phone number does not look right.',
    'appt.error.invalid_email': 'The e-mail address does not look right.',
    'appt.error.slot_full': 'This time has just been taken. Please choose another — the free times below are up to date.',
    'appt.error.too_many_bookings': 'You already have visits booked for this matter. Cancel one to book another.',
    'appt.error.in_the_past': 'This time has passed. Please choose a later one.',
    'appt.error.too_soon': 'It is too late to book this time. Please choose a later one.',
    'appt.error.beyond_horizon': 'Times this far ahead cannot be booked yet.',
    'appt.error.office_closed': 'The office does not receive visitors on that day.',
    'appt.error.outside_hours': 'There is no visit at that time. Please choose one of the listed times.',
    'appt.error.unknown_service': 'This matter cannot be booked.',
    'appt.error.not_cancellable': 'This visit can no longer be cancelled.',
    'appt.error.rate_limited': 'Too many attempts. Please try again later.',
    'appt.error.network': 'The office cannot be reached. Please try again in a moment.',
    'appt.error.other': 'The visit could not be booked. Please try again.',
  },
  uk: {
    'appt.open': 'Записатися на прийом',
    'appt.title': 'Записатися на прийом до управи',
    'appt.service': 'Справа',
    'appt.day': 'День візиту',
    'appt.prev': 'Попередній тиждень',
    'appt.next': 'Наступний тиждень',
    'appt.timesFor': 'Час візиту — {day}',
    'appt.free': 'вільно: {n}',
    'appt.full': 'немає місць',
    'appt.closed': 'зачинено',
    'appt.loading': 'Завантаження вільних термінів…',
    'appt.noneThisWeek': 'Цього тижня немає вільних термінів. Перегляньте наступний тиждень.',
    'appt.chooseDay': 'Виберіть день із вільними місцями.',
    'appt.chosen': 'Вибрано: {when}.',
    'appt.name': "Ім'я та прізвище",
    'appt.phone': 'Телефон',
    'appt.email': 'Електронна пошта',
    'appt.contactHint': 'Вкажіть телефон або електронну пошту — за день до візиту ми нагадаємо про нього.',
    'appt.submit': 'Забронювати візит',
    'appt.booking': 'Бронювання…',
    'appt.doneTitle': 'Візит заброньовано',
    'appt.codeLabel': 'Код бронювання:',
    'appt.codeHint': 'Збережіть код — він знадобиться, щоб скасувати візит.',
    'appt.when': 'Коли: {when}',
    'appt.where': 'Де: {where}',
    'appt.ics': 'Додати до календаря (.ics)',
    'appt.cancel': 'Скасувати візит',
    'appt.cancelled': 'Візит скасовано.',
    'appt.back': 'Повернутися на початок',
    'appt.noServices': 'Запис на прийом зараз недоступний.',
    'appt.error.chooseTime': 'Виберіть день і час візиту.',
    'appt.error.name': "Вкажіть ім'я та прізвище.",
    'appt.error.missing_contact': 'Вкажіть номер телефону або електронну пошту.',
    'appt.error.invalid_phone': 'Номер телефону виглядає неправильним.',
    'appt.error.invalid_email': 'Адреса електронної пошти виглядає неправильною.',
    'appt.error.slot_full': 'Цей термін щойно зайняли. Виберіть інший — нижче актуальні вільні терміни.',
    'appt.error.too_many_bookings': 'У вас уже є заброньовані візити в цій справі. Скасуйте один, щоб записатися знову.',
    'appt.error.in_the_past': 'Цей термін уже минув. Виберіть пізніший.',
    'appt.error.too_soon': 'На цей термін уже запізно. Виберіть пізніший.',
    'appt.error.beyond_horizon': 'Такі далекі терміни ще не можна бронювати.',
    'appt.error.office_closed': 'У цей день управа не приймає відвідувачів.',
    'appt.error.outside_hours': 'У цей час немає прийому. Виберіть один із запропонованих часів.',
    'appt.error.unknown_service': 'Цю справу не можна забронювати.',
    'appt.error.not_cancellable': 'Цей візит уже не можна скасувати.',
    'appt.error.rate_limited': 'Забагато спроб. Спробуйте пізніше.',
    'appt.error.network': "Немає зв'язку з управою. Спробуйте за хвилину.",
    'appt.error.other': 'Не вдалося забронювати візит. Спробуйте ще раз.',
  },
});

const $ = (id) => document.getElementById(id);

// YYYY-MM-DD of an instant in Warsaw.
const dayKeyFormat = new Intl.DateTimeFormat('en-CA', { timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit' });
function warsawDay(date) {
  return dayKeyFormat.format(date);
}
function addDays(day, n) {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}
function dayLabel(day) {
  const [y, m, d] = day.split('-').map(Number);
  return new Intl.DateTimeFormat(i18n.language(), { timeZone: 'UTC', weekday: 'short', day: 'numeric', month: 'numeric' })
    .format(new Date(Date.UTC(y, m - 1, d)));
}
function longDay(day) {
  const [y, m, d] = day.split('-').map(Number);
  return new Intl.DateTimeFormat(i18n.language(), { timeZone: 'UTC', weekday: 'long', day: 'numeric', month: 'long' })
    .format(new Date(Date.UTC(y, m - 1, d)));
}
function timeLabel(iso) {
  return new Intl.DateTimeFormat(i18n.language(), { timeZone: ZONE, hour: '2-digit', minute: '2-digit' }).format(new Date(iso));
}
function whenLabel(iso) {
  return new Intl.DateTimeFormat(i18n.language(), {
    timeZone: ZONE, weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit',
  }).format(new Date(iso));
}

async function call(method, path, body) {
  const init = { method, headers: { Accept: 'application/json' }, cache: 'no-store' };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch {
    throw Object.assign(new Error('network'), { code: 'network' });
  }
  let data = null;
  try {
    data = await res.json();
  } catch {
    // not JSON
  }
  if (!res.ok) {
    const e = (data && data.error) || {};
    throw Object.assign(new Error(e.message || res.statusText), { code: e.code || `http_${res.status}`, detail: e });
  }
  return data;
}

function errorKey(code) {
  const key = `appt.error.${code}`;
  return i18n.has(key) ? key : 'appt.error.other';
}

export function setupAppointments({ open, close }) {
  const el = {
    openButton: $('start-appointment'),
    view: $('appt-view'),
    title: $('appt-title'),
    form: $('appt-form'),
    service: $('appt-service'),
    prev: $('appt-prev'),
    next: $('appt-next'),
    days: $('appt-days'),
    timesBox: $('appt-times-box'),
    timesLegend: $('appt-times-legend'),
    times: $('appt-times'),
    status: $('appt-status'),
    name: $('appt-name'),
    phone: $('appt-phone'),
    email: $('appt-email'),
    error: $('appt-error'),
    submit: $('appt-submit'),
    done: $('appt-done'),
    doneTitle: $('appt-done-title'),
    code: $('appt-code'),
    when: $('appt-when'),
    where: $('appt-where'),
    ics: $('appt-ics'),
    cancel: $('appt-cancel'),
    doneStatus: $('appt-done-status'),
    back: $('appt-back'),
  };
  const S = {
    services: [],
    weekStart: null, // YYYY-MM-DD
    byDay: new Map(), // day -> [slot]
    day: null,
    slot: null, // start
    booking: null,
    loadGen: 0,
  };

  const service = () => S.services.find((s) => s.id === el.service.value);

  function pressed(button, on) {
    button.setAttribute('aria-pressed', on ? 'true' : 'false');
  }

  function renderDays() {
    el.days.replaceChildren();
    const today = warsawDay(new Date());
    const svc = service();
    const last = svc ? addDays(today, svc.horizon_days ?? 30) : today;
    for (let i = 0; i < 7; i++) {
      const day = addDays(S.weekStart, i);
      const slots = S.byDay.get(day) || [];
      const free = slots.reduce((n, s) => n + (s.free > 0 ? 1 : 0), 0);
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'w-appt-day';
      b.dataset.day = day;
      const name = document.createElement('span');
      name.className = 'w-appt-day__name';
      name.textContent = dayLabel(day);
      const info = document.createElement('span');
      info.className = 'w-appt-day__info';
      if (free > 0) i18n.translate(info, 'appt.free', { n: free });
      else i18n.translate(info, slots.length ? 'appt.full' : 'appt.closed');
      b.append(name, info);
      b.disabled = free === 0 || day < today || day > last;
      pressed(b, day === S.day);
      b.addEventListener('click', () => chooseDay(day, { focus: true }));
      el.days.append(b);
    }
    el.prev.disabled = S.weekStart <= today;
    el.next.disabled = addDays(S.weekStart, 7) > last;
  }

  function renderTimes() {
    el.times.replaceChildren();
    if (!S.day) {
      el.timesBox.hidden = true;
      return;
    }
    el.timesBox.hidden = false;
    i18n.translate(el.timesLegend, 'appt.timesFor', { day: longDay(S.day) });
    for (const slot of S.byDay.get(S.day) || []) {
      if (slot.free <= 0) continue;
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'w-appt-time';
      b.dataset.start = slot.start;
      b.textContent = timeLabel(slot.start);
      pressed(b, slot.start === S.slot);
      b.addEventListener('click', () => {
        S.slot = slot.start;
        for (const other of el.times.children) pressed(other, other.dataset.start === S.slot);
        i18n.translate(el.status, 'appt.chosen', { when: whenLabel(slot.start) });
        el.error.textContent = '';
      });
      el.times.append(b);
    }
  }

  function chooseDay(day, { focus = false } = {}) {
    S.day = day;
    S.slot = null;
    el.status.textContent = '';
    for (const b of el.days.children) pressed(b, b.dataset.day === day);
    renderTimes();
    if (focus) el.times.querySelector('button')?.focus();
  }

  async function loadWeek({ keepDay = false } = {}) {
    const svc = service();
    if (!svc) return;
    const gen = ++S.loadGen;
    i18n.translate(el.status, 'appt.loading');
    el.days.setAttribute('aria-busy', 'true');
    try {
      const to = addDays(S.weekStart, 6);
      const data = await call('GET', `${API}/appointment-services/${encodeURIComponent(svc.id)}/slots?from=${S.weekStart}&to=${to}`);
      if (gen !== S.loadGen) return;
      S.byDay = new Map();
      for (const slot of data.items) {
        const day = warsawDay(new Date(slot.start));
        if (!S.byDay.has(day)) S.byDay.set(day, []);
        S.byDay.get(day).push(slot);
      }
      if (!keepDay || !(S.byDay.get(S.day) || []).some((s) => s.free > 0)) {
        S.day = null;
        S.slot = null;
      }
      renderDays();
      renderTimes();
      const anyFree = [...S.byDay.values()].some((slots) => slots.some((s) => s.free > 0));
      i18n.translate(el.status, anyFree ? 'appt.chooseDay' : 'appt.noneThisWeek');
    } catch (e) {
      if (gen === S.loadGen) i18n.translate(el.status, errorKey(e.code));
    } finally {
      if (gen === S.loadGen) el.days.removeAttribute('aria-busy');
    }
  }

  async function loadServices() {
    if (S.services.length) return;
    try {
      const data = await call('GET', `${API}/appointment-services`);
      S.services = data.items;
    } catch (e) {
      i18n.translate(el.status, errorKey(e.code));
      return;
    }
    el.service.replaceChildren();
    for (const s of S.services) {
      const o = document.createElement('option');
      o.value = s.id;
      o.textContent = s.name;
      el.service.append(o);
    }
    if (!S.services.length) i18n.translate(el.status, 'appt.noServices');
  }

  async function show() {
    open();
    el.form.hidden = false;
    el.done.hidden = true;
    el.error.textContent = '';
    el.title.focus();
    await loadServices();
    S.weekStart = warsawDay(new Date());
    S.day = null;
    S.slot = null;
    await loadWeek();
  }

  async function book(e) {
    e.preventDefault();
    el.error.textContent = '';
    if (!S.slot) return i18n.translate(el.error, 'appt.error.chooseTime');
    const name = el.name.value.trim();
    if (!name) {
      i18n.translate(el.error, 'appt.error.name');
      return el.name.focus();
    }
    const phone = el.phone.value.trim();
    const email = el.email.value.trim();
    if (!phone && !email) {
      i18n.translate(el.error, 'appt.error.missing_contact');
      return el.phone.focus();
    }
    const body = { service_id: service().id, start: S.slot, name, lang: i18n.language() };
    if (phone) body.phone = phone;
    if (email) body.email = email;
    el.submit.disabled = true;
    i18n.translate(el.status, 'appt.booking');
    try {
      S.booking = await call('POST', `${API}/appointments`, body);
      showDone();
    } catch (err) {
      el.status.textContent = '';
      i18n.translate(el.error, errorKey(err.code));
      if (err.code === 'slot_full') await loadWeek({ keepDay: true });
      if (err.code === 'invalid_phone') el.phone.focus();
      if (err.code === 'invalid_email') el.email.focus();
    } finally {
      el.submit.disabled = false;
    }
  }

  function showDone() {
    const b = S.booking;
    el.form.hidden = true;
    el.done.hidden = false;
    el.status.textContent = '';
    el.doneStatus.textContent = '';
    el.code.textContent = b.code;
    i18n.translate(el.when, 'appt.when', { when: whenLabel(b.start) });
    if (b.location) i18n.translate(el.where, 'appt.where', { where: b.location });
    else el.where.textContent = '';
    el.ics.href = b.ics_url;
    el.ics.hidden = false;
    el.cancel.hidden = false;
    el.doneTitle.focus();
  }

  async function cancel() {
    if (!S.booking) return;
    el.cancel.disabled = true;
    try {
      await call('DELETE', `${API}/appointments/${encodeURIComponent(S.booking.code)}`);
      i18n.translate(el.doneStatus, 'appt.cancelled');
      el.cancel.hidden = true;
      el.ics.hidden = true;
      S.booking = null;
    } catch (e) {
      i18n.translate(el.doneStatus, errorKey(e.code));
    } finally {
      el.cancel.disabled = false;
    }
  }

  el.openButton.addEventListener('click', show);
  el.back.addEventListener('click', () => {
    close();
    el.openButton.focus();
  });
  el.service.addEventListener('change', () => {
    S.day = null;
    S.slot = null;
    loadWeek();
  });
  el.prev.addEventListener('click', () => {
    const today = warsawDay(new Date());
    const prev = addDays(S.weekStart, -7);
    S.weekStart = prev < today ? today : prev;
    loadWeek();
  });
  el.next.addEventListener('click', () => {
    S.weekStart = addDays(S.weekStart, 7);
    loadWeek();
  });
  el.form.addEventListener('submit', book);
  el.cancel.addEventListener('click', cancel);
  i18n.onLanguageChange(() => {
    if (el.view.hidden) return;
    if (S.weekStart) {
      for (const b of el.days.children) b.querySelector('.w-appt-day__name').textContent = dayLabel(b.dataset.day);
      for (const b of el.times.children) b.textContent = timeLabel(b.dataset.start);
      if (S.day) i18n.translate(el.timesLegend, 'appt.timesFor', { day: longDay(S.day) });
    }
    if (S.booking && !el.done.hidden) i18n.translate(el.when, 'appt.when', { when: whenLabel(S.booking.start) });
  });
}
