// Office visits in the staff app: a "book a visit" box in each chat (the
// next free slots for the resident's topic, booked in two clicks with the
// resident's name from the contact) and the department's day list per
// counter, with arrival / no-show marks and a CSV export. Texts from the
// server are written with textContent only.

import { api } from './api.js';
import { addStrings, language, translate, onLanguageChange } from './i18n.js';
import { errorMessage } from './errors.js';

const ZONE = 'Europe/Warsaw';
const enc = encodeURIComponent;

addStrings({
  pl: {
    'appt.box.open': 'Umów wizytę w urzędzie',
    'appt.box.service': 'Sprawa',
    'appt.box.slots': 'Najbliższe wolne terminy',
    'appt.box.loading': 'Wczytywanie terminów…',
    'appt.box.none': 'Brak wolnych terminów w okresie rezerwacji.',
    'appt.box.name': 'Imię i nazwisko mieszkańca',
    'appt.box.phone': 'Telefon (opcjonalnie)',
    'appt.box.email': 'E-mail (opcjonalnie)',
    'appt.box.chosen': 'Wybrany termin: {when}',
    'appt.box.submit': 'Zarezerwuj',
    'appt.box.booked': 'Zarezerwowano {when}, stanowisko {counter}. Kod: {code}. Mieszkaniec dostał kod w rozmowie.',
    'appt.box.chooseSlot': 'Najpierw wybierz termin.',
    'appt.box.nameRequired': 'Podaj imię i nazwisko mieszkańca.',
    'appt.day.heading': 'Wizyty w urzędzie',
    'appt.day.date': 'Dzień',
    'appt.day.department': 'Wydział',
    'appt.day.all': 'Wszystkie',
    'appt.day.show': 'Pokaż',
    'appt.day.csv': 'Pobierz CSV',
    'appt.day.empty': 'Brak wizyt w tym dniu.',
    'appt.day.counter': 'Stanowisko {n}',
    'appt.day.time': 'Godzina',
    'appt.day.service': 'Sprawa',
    'appt.day.resident': 'Mieszkaniec',
    'appt.day.contact': 'Kontakt',
    'appt.day.code': 'Kod',
    'appt.day.state': 'Stan',
    'appt.day.actions': 'Działania',
    'appt.day.arrived': 'Przyszedł',
    'appt.day.noShow': 'Nie przyszedł',
    'appt.day.undo': 'Cofnij',
    'appt.day.marked': 'Zapisano: {name} — {state}.',
    'appt.state.booked': 'umówiona',
    'appt.state.arrived': 'obecny',
    'appt.state.no_show': 'nieobecny',
    'appt.state.cancelled': 'odwołana',
    'appt.error.slot_full': 'Ten termin został właśnie zajęty — lista terminów jest odświeżona.',
    'appt.error.too_many_bookings': 'Mieszkaniec ma już maksymalną liczbę wizyt w tej sprawie.',
    'appt.error.too_soon': 'Na ten termin jest już za późno.',
    'appt.error.no_service_for_topic': 'Dla tego tematu nie ma usługi rezerwacji — wybierz sprawę.',
    'appt.error.invalid_phone': 'Numer telefonu wygląda na niepoprawny.',
    'appt.error.invalid_email': 'Adres e-mail wygląda na niepoprawny.',
  },
  en: {
    'appt.box.open': 'Book an office visit',
    'appt.box.service': 'Matter',
    'appt.box.slots': 'Next free times',
    'appt.box.loading': 'Loading times…',
    'appt.box.none': 'No free times within the booking period.',
    'appt.box.name': "Resident's full name",
    'appt.box.phone': 'Phone (optional)',
    'appt.box.email': 'E-mail (optional)',
    'appt.box.chosen': 'Chosen time: {when}',
    'appt.box.submit': 'Book',
    'appt.box.booked': 'Booked {when}, counter {counter}. Code: {code}. The resident got the code in the chat.',
    'appt.box.chooseSlot': 'Choose a time first.',
    'appt.box.nameRequired': "Give the resident's name.",
    'appt.day.heading': 'Office visits',
    'appt.day.date': 'Day',
    'appt.day.department': 'Department',
    'appt.day.all': 'All',
    'appt.day.show': 'Show',
    'appt.day.csv': 'Download CSV',
    'appt.day.empty': 'No visits on this day.',
    'appt.day.counter': 'Counter {n}',
    'appt.day.time': 'Time',
    'appt.day.service': 'Matter',
    'appt.day.resident': 'Resident',
    'appt.day.contact': 'Contact',
    'appt.day.code': 'Code',
    'appt.day.state': 'State',
    'appt.day.actions': 'Actions',
    'appt.day.arrived': 'Arrived',
    'appt.day.noShow': 'No-show',
    'appt.day.undo': 'Undo',
    'appt.day.marked': 'Saved: {name} — {state}.',
    'appt.state.booked': 'booked',
    'appt.state.arrived': 'arrived',
    'appt.state.no_show': 'no-show',
    'appt.state.cancelled': 'cancelled',
    'appt.error.slot_full': 'This time has just been taken — the list of times is refreshed.',
    'appt.error.too_many_bookings': 'The resident already holds the most visits allowed for this matter.',
    'appt.error.too_soon': 'It is too late to book this time.',
    'appt.error.no_service_for_topic': 'This topic has no booking service — choose the matter.',
    'appt.error.invalid_phone': 'The phone number does not look right.',
    'appt.error.invalid_email': 'The e-mail address does not look right.',
  },
  uk: {
    'appt.box.open': 'Записати на прийом',
    'appt.box.service': 'Справа',
    'appt.box.slots': 'Найближчі вільні терміни',
    'appt.box.loading': 'Завантаження термінів…',
    'appt.box.none': 'Немає вільних термінів у період бронювання.',
    'appt.box.name': "Ім'я та прізвище мешканця",
    'appt.box.phone': "Телефон (необов'язково)",
    'appt.box.email': "Електронна пошта (необов'язково)",
    'appt.box.chosen': 'Вибраний термін: {when}',
    'appt.box.submit': 'Забронювати',
    'appt.box.booked': 'Заброньовано {when}, віконце {counter}. Код: {code}. Мешканець отримав код у розмові.',
    'appt.box.chooseSlot': 'Спочатку виберіть термін.',
    'appt.box.nameRequired': "Вкажіть ім'я мешканця.",
    'appt.day.heading': 'Візити до управи',
    'appt.day.date': 'День',
    'appt.day.department': 'Відділ',
    'appt.day.all': 'Усі',
    'appt.day.show': 'Показати',
    'appt.day.csv': 'Завантажити CSV',
    'appt.day.empty': 'У цей день візитів немає.',
    'appt.day.counter': 'Віконце {n}',
    'appt.day.time': 'Час',
    'appt.day.service': 'Справа',
    'appt.day.resident': 'Мешканець',
    'appt.day.contact': 'Контакт',
    'appt.day.code': 'Код',
    'appt.day.state': 'Стан',
    'appt.day.actions': 'Дії',
    'appt.day.arrived': 'Прийшов',
    'appt.day.noShow': 'Не прийшов',
    'appt.day.undo': 'Скасувати позначку',
    'appt.day.marked': 'Збережено: {name} — {state}.',
    'appt.state.booked': 'заброньовано',
    'appt.state.arrived': 'прийшов',
    'appt.state.no_show': 'не прийшов',
    'appt.state.cancelled': 'скасовано',
    'appt.error.slot_full': 'Цей термін щойно зайняли — список термінів оновлено.',
    'appt.error.too_many_bookings': 'Мешканець уже має максимальну кількість візитів у цій справі.',
    'appt.error.too_soon': 'На цей термін уже запізно.',
    'appt.error.no_service_for_topic': 'Для цієї теми немає послуги бронювання — виберіть справу.',
    'appt.error.invalid_phone': 'Номер телефону виглядає неправильним.',
    'appt.error.invalid_email': 'Адреса електронної пошти виглядає неправильною.',
  },
});

function showError(el, e) {
  const own = `appt.error.${e && e.code}`;
  if (e && e.code && ['slot_full', 'too_many_bookings', 'too_soon', 'no_service_for_topic', 'invalid_phone', 'invalid_email'].includes(e.code))
    return translate(el, own);
  const msg = errorMessage(e);
  translate(el, msg.key, msg.params);
}

function whenLabel(iso) {
  return new Intl.DateTimeFormat(language(), {
    timeZone: ZONE, weekday: 'short', day: 'numeric', month: 'numeric', hour: '2-digit', minute: '2-digit',
  }).format(new Date(iso));
}

function timeLabel(iso) {
  return new Intl.DateTimeFormat(language(), { timeZone: ZONE, hour: '2-digit', minute: '2-digit' }).format(new Date(iso));
}

function todayInWarsaw() {
  return new Intl.DateTimeFormat('en-CA', { timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

function node(tag, className, key, params) {
  const el = document.createElement(tag);
  if (className) el.className = className;
  if (key) translate(el, key, params);
  return el;
}

let services = null; // shared by every box: [{id, name, department, topics}]
async function loadServices() {
  if (!services) services = (await api.get('/api/v1/appointment-services')).items;
  return services;
}

// The box shown among a chat's actions. `contact()` returns the chat's contact.
export function createBookingBox({ idPrefix, contact }) {
  const box = node('details', 'chat-action appt-box');
  box.dataset.ref = 'appointmentBox';
  const summary = node('summary', 'chat-action__summary', 'appt.box.open');
  const body = node('div', 'form chat-action__form');
  box.append(summary, body);

  const serviceField = node('div', 'field');
  const serviceLabel = node('label', 'field__label', 'appt.box.service');
  const serviceSelect = node('select', 'field__input');
  serviceSelect.id = `${idPrefix}-appt-service`;
  serviceLabel.htmlFor = serviceSelect.id;
  serviceField.append(serviceLabel, serviceSelect);

  const slotsHeading = node('p', 'field__label', 'appt.box.slots');
  slotsHeading.id = `${idPrefix}-appt-slots-label`;
  const slots = node('div', 'appt-slots');
  slots.setAttribute('role', 'group');
  slots.setAttribute('aria-labelledby', slotsHeading.id);
  const status = node('p', 'message message--info');
  status.setAttribute('role', 'status');

  const form = node('form', 'appt-box__form');
  form.noValidate = true;
  const field = (key, name, type, autocomplete) => {
    const wrap = node('div', 'field');
    const label = node('label', 'field__label', key);
    const input = node('input', 'field__input');
    input.type = type;
    input.id = `${idPrefix}-appt-${name}`;
    input.autocomplete = autocomplete;
    input.maxLength = name === 'email' ? 254 : 100;
    label.htmlFor = input.id;
    wrap.append(label, input);
    form.append(wrap);
    return input;
  };
  const name = field('appt.box.name', 'name', 'text', 'off');
  const phone = field('appt.box.phone', 'phone', 'tel', 'off');
  const email = field('appt.box.email', 'email', 'email', 'off');
  const chosen = node('p', 'appt-box__chosen');
  const submit = node('button', 'button button--primary', 'appt.box.submit');
  submit.type = 'submit';
  const error = node('p', 'message message--error');
  error.setAttribute('role', 'alert');
  const result = node('p', 'message message--info appt-box__result');
  result.setAttribute('role', 'status');
  form.append(chosen, submit, error);
  body.append(serviceField, slotsHeading, slots, status, form, result);

  let picked = null;
  let loaded = false;

  function pick(slot, button) {
    picked = slot;
    for (const b of slots.children) b.setAttribute('aria-pressed', b === button ? 'true' : 'false');
    translate(chosen, 'appt.box.chosen', { when: whenLabel(slot.start) });
    error.textContent = '';
    submit.focus();
  }

  async function loadSlots(query) {
    picked = null;
    chosen.textContent = '';
    slots.replaceChildren();
    translate(status, 'appt.box.loading');
    try {
      const data = await api.get(`/api/v1/appointment-slots?${query}&limit=8`);
      serviceSelect.value = data.service.id;
      status.textContent = '';
      if (!data.items.length) translate(status, 'appt.box.none');
      for (const slot of data.items) {
        const b = node('button', 'button appt-slot');
        b.type = 'button';
        b.textContent = whenLabel(slot.start);
        b.dataset.start = slot.start;
        b.setAttribute('aria-pressed', 'false');
        b.addEventListener('click', () => pick(slot, b));
        slots.append(b);
      }
    } catch (e) {
      showError(status, e);
    }
  }

  async function open() {
    if (loaded) return;
    loaded = true;
    const c = contact();
    if (!name.value) name.value = c.resident?.name || '';
    try {
      const list = await loadServices();
      serviceSelect.replaceChildren();
      for (const s of list) {
        const o = document.createElement('option');
        o.value = s.id;
        o.textContent = s.name;
        serviceSelect.append(o);
      }
    } catch (e) {
      showError(status, e);
      return;
    }
    const topic = c.topic || 'other';
    const known = services.some((s) => (s.topics || []).includes(topic));
    await loadSlots(known ? `topic=${enc(topic)}` : `service_id=${enc(serviceSelect.value)}`);
  }

  box.addEventListener('toggle', () => {
    if (box.open) open();
  });
  serviceSelect.addEventListener('change', () => loadSlots(`service_id=${enc(serviceSelect.value)}`));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.textContent = '';
    if (!picked) return translate(error, 'appt.box.chooseSlot');
    if (!name.value.trim()) {
      translate(error, 'appt.box.nameRequired');
      return name.focus();
    }
    const c = contact();
    const payload = { service_id: serviceSelect.value, start: picked.start, name: name.value.trim(), contact_id: String(c.id) };
    if (c.lang) payload.lang = c.lang;
    if (phone.value.trim()) payload.phone = phone.value.trim();
    if (email.value.trim()) payload.email = email.value.trim();
    submit.disabled = true;
    try {
      const b = await api.post('/api/v1/appointments', payload);
      translate(result, 'appt.box.booked', { when: whenLabel(b.start), counter: b.counter, code: b.code });
      await loadSlots(`service_id=${enc(serviceSelect.value)}`);
    } catch (err) {
      showError(error, err);
      if (err.code === 'slot_full') await loadSlots(`service_id=${enc(serviceSelect.value)}`);
    } finally {
      submit.disabled = false;
    }
  });
  return box;
}

// The department's day: bookings grouped per counter, arrivals and no-shows.
export function createDayView() {
  const section = node('section', 'panel appt-day');
  section.setAttribute('aria-labelledby', 'appt-day-heading');
  const heading = node('h2', 'panel__title', 'appt.day.heading');
  heading.id = 'appt-day-heading';
  const form = node('form', 'appt-day__filters');
  form.noValidate = true;
  const dateWrap = node('div', 'field');
  const dateLabel = node('label', 'field__label', 'appt.day.date');
  const date = node('input', 'field__input');
  date.type = 'date';
  date.id = 'appt-day-date';
  date.value = todayInWarsaw();
  dateLabel.htmlFor = date.id;
  dateWrap.append(dateLabel, date);
  const depWrap = node('div', 'field');
  const depLabel = node('label', 'field__label', 'appt.day.department');
  const dep = node('select', 'field__input');
  dep.id = 'appt-day-department';
  depLabel.htmlFor = dep.id;
  const all = node('option', null, 'appt.day.all');
  all.value = '';
  dep.append(all);
  depWrap.append(depLabel, dep);
  const show = node('button', 'button', 'appt.day.show');
  show.type = 'submit';
  const csv = node('a', 'button', 'appt.day.csv');
  form.append(dateWrap, depWrap, show, csv);
  const list = node('div', 'appt-day__list');
  list.setAttribute('aria-live', 'polite');
  const status = node('p', 'message message--info');
  status.setAttribute('role', 'status');
  const error = node('p', 'message message--error');
  error.setAttribute('role', 'alert');
  section.append(heading, form, status, error, list);

  let rows = [];

  function query() {
    let q = `date=${enc(date.value || todayInWarsaw())}`;
    if (dep.value) q += `&department=${enc(dep.value)}`;
    return q;
  }

  function stateCell(cell, state) {
    translate(cell, `appt.state.${state}`);
    cell.dataset.state = state;
  }

  async function mark(row, state, cell, buttons) {
    error.textContent = '';
    for (const b of buttons) b.disabled = true;
    try {
      const updated = await api.patch(`/api/v1/appointments/${enc(row.id)}`, { state });
      row.state = updated.state;
      stateCell(cell, updated.state);
      translate(status, 'appt.day.marked', { name: row.name, state: cell.textContent });
    } catch (e) {
      showError(error, e);
    } finally {
      for (const b of buttons) b.disabled = false;
    }
  }

  function render() {
    list.replaceChildren();
    if (!rows.length) {
      list.append(node('p', 'panel__empty', 'appt.day.empty'));
      return;
    }
    const byCounter = new Map();
    for (const r of rows) {
      const key = `${r.service_name}\u0000${r.counter}`;
      if (!byCounter.has(key)) byCounter.set(key, []);
      byCounter.get(key).push(r);
    }
    for (const [key, items] of byCounter) {
      const [service, counter] = key.split('\u0000');
      const table = node('table', 'appt-day__table');
      const caption = node('caption');
      const serviceName = document.createElement('span');
      serviceName.textContent = `${service} — `;
      caption.append(serviceName, node('span', null, 'appt.day.counter', { n: Number(counter) }));
      table.append(caption);
      const head = table.createTHead().insertRow();
      for (const k of ['appt.day.time', 'appt.day.resident', 'appt.day.contact', 'appt.day.code', 'appt.day.state', 'appt.day.actions']) {
        const th = node('th', null, k);
        th.scope = 'col';
        head.append(th);
      }
      const tbody = table.createTBody();
      for (const r of items) {
        const tr = tbody.insertRow();
        tr.dataset.code = r.code;
        const time = tr.insertCell();
        const t = document.createElement('time');
        t.dateTime = r.start;
        t.textContent = `${timeLabel(r.start)}–${timeLabel(r.end)}`;
        time.append(t);
        tr.insertCell().textContent = r.name;
        tr.insertCell().textContent = [r.phone, r.email].filter(Boolean).join(', ');
        tr.insertCell().textContent = r.code;
        const state = tr.insertCell();
        stateCell(state, r.state);
        const actions = tr.insertCell();
        const arrived = node('button', 'button button--small', 'appt.day.arrived');
        const noShow = node('button', 'button button--small', 'appt.day.noShow');
        const undo = node('button', 'button button--small', 'appt.day.undo');
        const buttons = [arrived, noShow, undo];
        for (const [b, st] of [[arrived, 'arrived'], [noShow, 'no_show'], [undo, 'booked']]) {
          b.type = 'button';
          b.setAttribute('aria-label', `${b.textContent}: ${r.name}, ${timeLabel(r.start)}`);
          b.addEventListener('click', () => mark(r, st, state, buttons));
          actions.append(b);
        }
      }
      list.append(table);
    }
  }

  async function load() {
    error.textContent = '';
    csv.href = `/api/v1/appointments?${query()}&format=csv`;
    csv.setAttribute('download', `wizyty-${date.value}.csv`);
    try {
      const data = await api.get(`/api/v1/appointments?${query()}&limit=500`);
      rows = data.items;
      render();
    } catch (e) {
      showError(error, e);
    }
  }

  (async () => {
    try {
      const list = await loadServices();
      const seen = new Set();
      for (const s of list) {
        if (seen.has(s.department)) continue;
        seen.add(s.department);
        const o = document.createElement('option');
        o.value = s.department;
        o.textContent = s.department_name || s.department;
        dep.append(o);
      }
    } catch {
      // the day list still works for all departments
    }
  })();
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    load();
  });
  const off = onLanguageChange(() => render());
  load();
  return { root: section, reload: load, destroy: off };
}
