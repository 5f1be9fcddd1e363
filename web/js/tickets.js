// Cases (tickets) in the staff app, below the agent console: a case from the
// selected chat in two clicks (open "Nowa sprawa", press "Utwórz" — the
// category follows the chat's topic, the chat is linked), and the cases view:
// search, filters, overdue first, a case's details with history, comments and
// status changes. Contract §7.
//
// Everything typed by residents or staff is written with textContent.

import { api } from './api.js';
import { errorMessage } from './errors.js';
import { clearTranslated, language, onLanguageChange, addStrings, t, translate } from './i18n.js';

addStrings({
  pl: {
    'tickets.heading': 'Sprawy',
    'tickets.new.open': 'Nowa sprawa',
    'tickets.new.fromChat': 'Sprawa zostanie powiązana z rozmową: {name}.',
    'tickets.new.noChat': 'Nie wybrano rozmowy — sprawa nie będzie z nią powiązana.',
    'tickets.field.category': 'Kategoria',
    'tickets.field.subject': 'Temat',
    'tickets.field.description': 'Opis',
    'tickets.field.priority': 'Priorytet',
    'tickets.field.address': 'Adres lub miejsce',
    'tickets.field.lat': 'Szerokość geograficzna',
    'tickets.field.lon': 'Długość geograficzna',
    'tickets.field.location': 'Miejsce zdarzenia (wymagane dla tej kategorii)',
    'tickets.field.resident': 'Dane kontaktowe mieszkańca',
    'tickets.field.name': 'Imię i nazwisko',
    'tickets.field.phone': 'Telefon',
    'tickets.field.email': 'E-mail',
    'tickets.new.submit': 'Utwórz sprawę',
    'tickets.new.created': 'Utworzono sprawę {number}. Klucz dostępu dla mieszkańca: {key}',
    'tickets.search.heading': 'Wyszukiwanie spraw',
    'tickets.search.q': 'Szukaj (temat, opis, komentarze)',
    'tickets.search.status': 'Status',
    'tickets.search.department': 'Wydział',
    'tickets.search.any': 'Wszystkie',
    'tickets.search.open': 'Otwarte',
    'tickets.search.overdue': 'Tylko po terminie',
    'tickets.search.submit': 'Szukaj',
    'tickets.search.none': 'Nie znaleziono spraw.',
    'tickets.search.count': 'Znaleziono spraw: {n}.',
    'tickets.item.due': 'termin {due}',
    'tickets.item.overdue': 'po terminie',
    'tickets.detail.heading': 'Sprawa {number}',
    'tickets.detail.status': 'Status',
    'tickets.detail.department': 'Wydział',
    'tickets.detail.due': 'Termin',
    'tickets.detail.assignee': 'Prowadzi',
    'tickets.detail.nobody': 'nikt',
    'tickets.detail.history': 'Historia',
    'tickets.detail.comments': 'Komentarze',
    'tickets.detail.take': 'Przejmij sprawę',
    'tickets.detail.move': 'Zmień status na',
    'tickets.detail.apply': 'Zmień',
    'tickets.detail.comment': 'Nowy komentarz',
    'tickets.detail.internal': 'Komentarz wewnętrzny (mieszkaniec go nie zobaczy)',
    'tickets.detail.addComment': 'Dodaj komentarz',
    'tickets.detail.internalTag': 'wewnętrzny',
    'tickets.detail.publicTag': 'dla mieszkańca',
    'tickets.history.entry': '{actor}: {field} {old} → {new}',
    'tickets.status.new': 'nowa',
    'tickets.status.assigned': 'przydzielona',
    'tickets.status.in_progress': 'w realizacji',
    'tickets.status.waiting_resident': 'czeka na mieszkańca',
    'tickets.status.resolved': 'załatwiona',
    'tickets.status.closed': 'zamknięta',
    'tickets.priority.low': 'niski',
    'tickets.priority.normal': 'zwykły',
    'tickets.priority.high': 'wysoki',
    'tickets.priority.urgent': 'pilny',
    'tickets.search.source': 'Źródło',
    'tickets.detail.source': 'Źródło',
    'tickets.source.staff': 'pracownik urzędu',
    'tickets.source.open311': 'Open311 (aplikacja zewnętrzna)',
    'tickets.source.chat': 'czat — wirtualny asystent',
    'tickets.search.csv': 'Pobierz CSV',
    'tickets.detail.attachments': 'Załączniki',
    'tickets.detail.noAttachments': 'Brak załączników.',
    'tickets.detail.media': 'Zdjęcie przysłane przez mieszkańca',
    'tickets.attach.file': 'Plik (zdjęcie PNG, JPEG, GIF, WebP lub PDF)',
    'tickets.attach.public': 'Widoczny dla mieszkańca',
    'tickets.attach.submit': 'Dodaj załącznik',
    'tickets.attach.added': 'Dodano załącznik {name}.',
    'tickets.attach.choose': 'Najpierw wybierz plik.',
    'tickets.attach.tooLarge': 'Plik jest za duży — największy dozwolony rozmiar to {max}.',
    'tickets.attach.wrongType': 'Tego rodzaju pliku nie można dołączyć. Dozwolone są zdjęcia (PNG, JPEG, GIF, WebP) i dokumenty PDF.',
    'tickets.attach.mismatch': 'Zawartość pliku nie pasuje do jego typu. Sprawdź, czy to właściwy plik.',
    'tickets.attach.tooMany': 'Ta sprawa ma już największą dozwoloną liczbę załączników.',
    'tickets.attach.empty': 'Wybrany plik jest pusty.',
  },
  en: {
    'tickets.heading': 'Cases',
    'tickets.new.open': 'New case',
    'tickets.new.fromChat': 'The case will be linked to the chat with {name}.',
    'tickets.new.noChat': 'No chat selected — the case will not be linked to one.',
    'tickets.field.category': 'Category',
    'tickets.field.subject': 'Subject',
    'tickets.field.description': 'Description',
    'tickets.field.priority': 'Priority',
    'tickets.field.address': 'Address or place',
    'tickets.field.lat': 'Latitude',
    'tickets.field.lon': 'Longitude',
    'tickets.field.location': 'Location (required for this category)',
    'tickets.field.resident': "Resident's contact details",
    'tickets.field.name': 'Name',
    'tickets.field.phone': 'Phone',
    'tickets.field.email': 'E-mail',
    'tickets.new.submit': 'Create case',
    'tickets.new.created': 'Case {number} created. Access key for the resident: {key}',
    'tickets.search.heading': 'Find cases',
    'tickets.search.q': 'Search (subject, description, comments)',
    'tickets.search.status': 'Status',
    'tickets.search.department': 'Department',
    'tickets.search.any': 'All',
    'tickets.search.open': 'Open',
    'tickets.search.overdue': 'Overdue only',
    'tickets.search.submit': 'Search',
    'tickets.search.none': 'No cases found.',
    'tickets.search.count': 'Cases found: {n}.',
    'tickets.item.due': 'due {due}',
    'tickets.item.overdue': 'overdue',
    'tickets.detail.heading': 'Case {number}',
    'tickets.detail.status': 'Status',
    'tickets.detail.department': 'Department',
    'tickets.detail.due': 'Due',
    'tickets.detail.assignee': 'Handled by',
    'tickets.detail.nobody': 'nobody',
    'tickets.detail.history': 'History',
    'tickets.detail.comments': 'Comments',
    'tickets.detail.take': 'Take the case',
    'tickets.detail.move': 'Change status to',
    'tickets.detail.apply': 'Change',
    'tickets.detail.comment': 'New comment',
    'tickets.detail.internal': 'Internal comment (the resident will not see it)',
    'tickets.detail.addComment': 'Add comment',
    'tickets.detail.internalTag': 'internal',
    'tickets.detail.publicTag': 'for the resident',
    'tickets.history.entry': '{actor}: {field} {old} → {new}',
    'tickets.status.new': 'new',
    'tickets.status.assigned': 'assigned',
    'tickets.status.in_progress': 'in progress',
    'tickets.status.waiting_resident': 'waiting for the resident',
    'tickets.status.resolved': 'resolved',
    'tickets.status.closed': 'closed',
    'tickets.priority.low': 'low',
    'tickets.priority.normal': 'normal',
    'tickets.priority.high': 'high',
    'tickets.priority.urgent': 'urgent',
    'tickets.search.source': 'Source',
    'tickets.detail.source': 'Source',
    'tickets.source.staff': 'city hall staff',
    'tickets.source.open311': 'Open311 (an outside app)',
    'tickets.source.chat': 'chat — virtual assistant',
    'tickets.search.csv': 'Download CSV',
    'tickets.detail.attachments': 'Attachments',
    'tickets.detail.noAttachments': 'No attachments.',
    'tickets.detail.media': 'Photo sent by the resident',
    'tickets.attach.file': 'File (PNG, JPEG, GIF or WebP image, or PDF)',
    'tickets.attach.public': 'Visible to the resident',
    'tickets.attach.submit': 'Add attachment',
    'tickets.attach.added': 'Attachment {name} added.',
    'tickets.attach.choose': 'Choose a file first.',
    'tickets.attach.tooLarge': 'The file is too large — the largest allowed size is {max}.',
    'tickets.attach.wrongType': 'This kind of file cannot be attached. Images (PNG, JPEG, GIF, WebP) and PDF documents are allowed.',
    'tickets.attach.mismatch': 'The file’s content does not match its type. Check that it is the right file.',
    'tickets.attach.tooMany': 'This case already has the largest allowed number of attachments.',
    'tickets.attach.empty': 'The chosen file is empty.',
  },
  uk: {
    'tickets.heading': 'Справи',
    'tickets.new.open': 'Нова справа',
    'tickets.new.fromChat': 'Справу буде пов’язано з розмовою: {name}.',
    'tickets.new.noChat': 'Розмову не вибрано — справу не буде з нею пов’язано.',
    'tickets.field.category': 'Категорія',
    'tickets.field.subject': 'Тема',
    'tickets.field.description': 'Опис',
    'tickets.field.priority': 'Пріоритет',
    'tickets.field.address': 'Адреса або місце',
    'tickets.field.lat': 'Широта',
    'tickets.field.lon': 'Довгота',
    'tickets.field.location': 'Місце події (обов’язково для цієї категорії)',
    'tickets.field.resident': 'Контактні дані мешканця',
    'tickets.field.name': 'Ім’я та прізвище',
    'tickets.field.phone': 'Телефон',
    'tickets.field.email': 'Електронна пошта',
    'tickets.new.submit': 'Створити справу',
    'tickets.new.created': 'Створено справу {number}. Ключ доступу для мешканця: {key}',
    'tickets.search.heading': 'Пошук справ',
    'tickets.search.q': 'Пошук (тема, опис, коментарі)',
    'tickets.search.status': 'Статус',
    'tickets.search.department': 'Відділ',
    'tickets.search.any': 'Усі',
    'tickets.search.open': 'Відкриті',
    'tickets.search.overdue': 'Лише прострочені',
    'tickets.search.submit': 'Шукати',
    'tickets.search.none': 'Справ не знайдено.',
    'tickets.search.count': 'Знайдено справ: {n}.',
    'tickets.item.due': 'термін {due}',
    'tickets.item.overdue': 'прострочено',
    'tickets.detail.heading': 'Справа {number}',
    'tickets.detail.status': 'Статус',
    'tickets.detail.department': 'Відділ',
    'tickets.detail.due': 'Термін',
    'tickets.detail.assignee': 'Веде',
    'tickets.detail.nobody': 'ніхто',
    'tickets.detail.history': 'Історія',
    'tickets.detail.comments': 'Коментарі',
    'tickets.detail.take': 'Взяти справу',
    'tickets.detail.move': 'Змінити статус на',
    'tickets.detail.apply': 'Змінити',
    'tickets.detail.comment': 'Новий коментар',
    'tickets.detail.internal': 'Внутрішній коментар (мешканець його не побачить)',
    'tickets.detail.addComment': 'Додати коментар',
    'tickets.detail.internalTag': 'внутрішній',
    'tickets.detail.publicTag': 'для мешканця',
    'tickets.history.entry': '{actor}: {field} {old} → {new}',
    'tickets.status.new': 'нова',
    'tickets.status.assigned': 'призначена',
    'tickets.status.in_progress': 'виконується',
    'tickets.status.waiting_resident': 'чекає на мешканця',
    'tickets.status.resolved': 'вирішена',
    'tickets.status.closed': 'закрита',
    'tickets.priority.low': 'низький',
    'tickets.priority.normal': 'звичайний',
    'tickets.priority.high': 'високий',
    'tickets.priority.urgent': 'терміновий',
    'tickets.search.source': 'Джерело',
    'tickets.detail.source': 'Джерело',
    'tickets.source.staff': 'працівник установи',
    'tickets.source.open311': 'Open311 (зовнішній застосунок)',
    'tickets.source.chat': 'чат — віртуальний асистент',
    'tickets.search.csv': 'Завантажити CSV',
    'tickets.detail.attachments': 'Вкладення',
    'tickets.detail.noAttachments': 'Вкладень немає.',
    'tickets.detail.media': 'Фото, надіслане мешканцем',
    'tickets.attach.file': 'Файл (зображення PNG, JPEG, GIF, WebP або PDF)',
    'tickets.attach.public': 'Видимий для мешканця',
    'tickets.attach.submit': 'Додати вкладення',
    'tickets.attach.added': 'Додано вкладення {name}.',
    'tickets.attach.choose': 'Спершу виберіть файл.',
    'tickets.attach.tooLarge': 'Файл завеликий — найбільший дозволений розмір {max}.',
    'tickets.attach.wrongType': 'Такий файл не можна додати. Дозволено зображення (PNG, JPEG, GIF, WebP) і документи PDF.',
    'tickets.attach.mismatch': 'Вміст файлу не відповідає його типу. Перевірте, чи це правильний файл.',
    'tickets.attach.tooMany': 'Ця справа вже має найбільшу дозволену кількість вкладень.',
    'tickets.attach.empty': 'Вибраний файл порожній.',
  },
});

const enc = encodeURIComponent;
let seq = 0;

function el(tag, props = {}, children = []) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'i18n') translate(e, v[0], v[1]);
    else if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k in e && typeof v !== 'string') e[k] = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) if (c) e.append(c);
  return e;
}

// A labelled form control; returns [wrapper, control].
function field(labelKey, control) {
  const id = `tickets-f${++seq}`;
  control.id = id;
  control.classList.add('field__input');
  const wrap = el('div', { class: 'field' }, [el('label', { class: 'field__label', for: id, i18n: [labelKey] }), control]);
  return [wrap, control];
}

function option(value, key, text) {
  const o = el('option', { value });
  if (key) translate(o, key);
  else o.textContent = text;
  return o;
}

function formatDateTime(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return new Intl.DateTimeFormat(language(), { dateStyle: 'short', timeStyle: 'short', timeZone: 'Europe/Warsaw' }).format(d);
}

function formatSize(bytes) {
  const mb = bytes >= 1000 * 1000;
  return new Intl.NumberFormat(language(), { style: 'unit', unit: mb ? 'megabyte' : 'kilobyte', maximumFractionDigits: 1 })
    .format(mb ? bytes / 1e6 : bytes / 1e3);
}

// The upload's refusals in the user's language rather than the server's English sentence.
const ATTACH_ERRORS = {
  attachment_too_large: 'tickets.attach.tooLarge',
  body_too_large: 'tickets.attach.tooLarge',
  unsupported_file_type: 'tickets.attach.wrongType',
  content_type_mismatch: 'tickets.attach.mismatch',
  too_many_attachments: 'tickets.attach.tooMany',
  empty_upload: 'tickets.attach.empty',
};

// Starts a download of a Blob under `name` (the object URL lives only for the click).
function saveBlob(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = el('a', { href: url, download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function showError(target, error) {
  const msg = errorMessage(error);
  // The server's sentence is more precise than a generic one for 400s.
  if (error?.status === 400 || error?.status === 409 || error?.status === 413) {
    clearTranslated(target);
    target.textContent = error.message;
  } else translate(target, msg.key, msg.params);
}

export function createTicketsPanel({ root, user, selectedChat }) {
  const S = { services: [], departments: [], attachments: { max_bytes: 0, types: [] }, destroyed: false, current: null };
  const cleanups = [];

  // ---- creation -------------------------------------------------------------
  const [catWrap, category] = field('tickets.field.category', el('select'));
  const [subjWrap, subject] = field('tickets.field.subject', el('input', { type: 'text', maxlength: '200', required: '' }));
  const [descWrap, description] = field('tickets.field.description', el('textarea', { rows: '3', maxlength: '10000' }));
  const [prioWrap, priority] = field('tickets.field.priority', el('select'));
  for (const p of ['normal', 'low', 'high', 'urgent']) priority.append(option(p, `tickets.priority.${p}`));
  const [addrWrap, address] = field('tickets.field.address', el('input', { type: 'text', maxlength: '300' }));
  const [latWrap, lat] = field('tickets.field.lat', el('input', { type: 'text', inputmode: 'decimal' }));
  const [lonWrap, lon] = field('tickets.field.lon', el('input', { type: 'text', inputmode: 'decimal' }));
  const location = el('fieldset', { class: 'tickets__location' }, [
    el('legend', { i18n: ['tickets.field.location'] }), addrWrap, latWrap, lonWrap,
  ]);
  const [nameWrap, rname] = field('tickets.field.name', el('input', { type: 'text', maxlength: '100', autocomplete: 'off' }));
  const [phoneWrap, rphone] = field('tickets.field.phone', el('input', { type: 'tel', maxlength: '32', autocomplete: 'off' }));
  const [mailWrap, rmail] = field('tickets.field.email', el('input', { type: 'email', maxlength: '254', autocomplete: 'off' }));
  const resident = el('fieldset', {}, [el('legend', { i18n: ['tickets.field.resident'] }), nameWrap, phoneWrap, mailWrap]);
  const chatInfo = el('p', { class: 'tickets__chat-info' });
  const createStatus = el('p', { class: 'message message--info', role: 'status' });
  const createError = el('p', { class: 'message message--error', role: 'alert' });
  const createForm = el('form', { class: 'form', novalidate: '' }, [
    chatInfo, catWrap, subjWrap, descWrap, prioWrap, location, resident,
    el('button', { type: 'submit', class: 'button button--primary', i18n: ['tickets.new.submit'] }),
    createError,
  ]);
  const createBox = el('details', { class: 'tickets__new' }, [
    el('summary', { class: 'chat-action__summary', i18n: ['tickets.new.open'] }), createForm,
  ]);

  function selectedService() {
    return S.services.find((s) => s.service_code === category.value) || null;
  }
  function syncLocation() {
    location.hidden = !selectedService()?.location_required;
  }
  // Two clicks: opening the form fills in what the chat already tells us.
  function prefill() {
    const chat = selectedChat?.() || null;
    clearTranslated(createStatus);
    clearTranslated(createError);
    if (chat) translate(chatInfo, 'tickets.new.fromChat', { name: chat.residentName || chat.id });
    else translate(chatInfo, 'tickets.new.noChat');
    const match = chat && S.services.find((s) => s.topic === chat.topic);
    if (match) category.value = match.service_code;
    if (!subject.value) subject.value = selectedService()?.name || '';
    if (chat && !rname.value) rname.value = chat.residentName || '';
    syncLocation();
  }
  createBox.addEventListener('toggle', () => {
    if (createBox.open) prefill();
  });
  category.addEventListener('change', () => {
    const before = S.services.find((s) => s.name === subject.value);
    if (!subject.value || before) subject.value = selectedService()?.name || '';
    syncLocation();
  });
  createForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearTranslated(createError);
    const chat = selectedChat?.() || null;
    const body = { subject: subject.value.trim(), description: description.value, category: category.value, priority: priority.value };
    if (!location.hidden && (address.value.trim() || lat.value.trim() || lon.value.trim())) {
      body.location = { address: address.value.trim() };
      if (lat.value.trim() || lon.value.trim()) {
        body.location.lat = Number(lat.value.replace(',', '.'));
        body.location.lon = Number(lon.value.replace(',', '.'));
      }
    }
    const res = { name: rname.value.trim(), phone: rphone.value.trim(), email: rmail.value.trim() };
    if (res.name || res.phone || res.email) body.resident = res;
    if (chat) body.contact_id = chat.id;
    try {
      const created = await api.post('/api/v1/tickets', body);
      if (S.destroyed) return;
      translate(createStatus, 'tickets.new.created', { number: created.number, key: created.access_key });
      for (const input of [subject, description, address, lat, lon, rname, rphone, rmail]) input.value = '';
      createBox.open = false;
      search();
    } catch (err) {
      if (!S.destroyed) showError(createError, err);
    }
  });

  // ---- search -----------------------------------------------------------------
  const [qWrap, q] = field('tickets.search.q', el('input', { type: 'search', maxlength: '200' }));
  const [stWrap, status] = field('tickets.search.status', el('select'));
  status.append(option('open', 'tickets.search.open'), option('', 'tickets.search.any'));
  for (const s of ['new', 'assigned', 'in_progress', 'waiting_resident', 'resolved', 'closed'])
    status.append(option(s, `tickets.status.${s}`));
  const [depWrap, department] = field('tickets.search.department', el('select'));
  // Who filed the case (docs/tickets.md): the advisor's cases are worth finding on their own.
  const [srcWrap, source] = field('tickets.search.source', el('select'));
  source.append(option('', 'tickets.search.any'));
  for (const s of ['staff', 'chat', 'open311']) source.append(option(s, `tickets.source.${s}`));
  const overdueId = `tickets-f${++seq}`;
  const overdue = el('input', { type: 'checkbox', class: 'checkbox', id: overdueId });
  const csvButton = el('button', { type: 'button', class: 'button', i18n: ['tickets.search.csv'] });
  const searchForm = el('form', { class: 'form tickets__search', role: 'search', novalidate: '' }, [
    qWrap, stWrap, depWrap, srcWrap,
    el('div', { class: 'field__extra' }, [overdue, el('label', { for: overdueId, i18n: ['tickets.search.overdue'] })]),
    el('button', { type: 'submit', class: 'button', i18n: ['tickets.search.submit'] }),
    csvButton,
  ]);
  const resultsInfo = el('p', { class: 'tickets__count', role: 'status' });
  const results = el('ul', { class: 'tickets__list' });
  const listError = el('p', { class: 'message message--error', role: 'alert' });
  const detail = el('section', { class: 'tickets__detail', hidden: true, tabindex: '-1', 'aria-live': 'polite' });

  // The list's filters, for the list and the CSV export alike.
  function filters() {
    const params = new URLSearchParams({ sort: 'due' });
    if (q.value.trim()) params.set('q', q.value.trim());
    if (status.value) params.set('status', status.value);
    if (department.value) params.set('department', department.value);
    if (source.value) params.set('source', source.value);
    if (overdue.checked) params.set('overdue', 'true');
    return params;
  }

  async function search() {
    clearTranslated(listError);
    const params = filters();
    params.set('limit', '50');
    try {
      const data = await api.get(`/api/v1/tickets?${params}`);
      if (S.destroyed) return;
      renderList(data.items);
    } catch (err) {
      if (!S.destroyed) showError(listError, err);
    }
  }
  searchForm.addEventListener('submit', (e) => {
    e.preventDefault();
    search();
  });
  // The filtered list as a spreadsheet (the server's export, same filters and scope).
  csvButton.addEventListener('click', async () => {
    clearTranslated(listError);
    csvButton.disabled = true;
    try {
      const blob = await api.download(`/api/v1/tickets.csv?${filters()}`);
      if (!S.destroyed) saveBlob(blob, 'sprawy.csv');
    } catch (err) {
      if (!S.destroyed) showError(listError, err);
    } finally {
      csvButton.disabled = false;
    }
  });

  function renderList(items) {
    // Overdue first, then by due time (the server sorts by due time).
    const sorted = [...items].sort((a, b) => Number(b.overdue) - Number(a.overdue));
    results.replaceChildren();
    if (!sorted.length) translate(resultsInfo, 'tickets.search.none');
    else translate(resultsInfo, 'tickets.search.count', { n: sorted.length });
    for (const item of sorted) {
      const button = el('button', { type: 'button', class: 'tickets__item' });
      button.append(el('strong', { text: item.number }), ' — ', el('span', { class: 'tickets__subject', text: item.subject }), ' · ',
        el('span', { i18n: [`tickets.status.${item.status}`] }), ' · ',
        el('span', { i18n: ['tickets.item.due', { due: formatDateTime(item.due_at) }] }));
      if (item.overdue) button.append(' ', el('span', { class: 'tickets__overdue', i18n: ['tickets.item.overdue'] }));
      button.addEventListener('click', () => open(item.id));
      results.append(el('li', {}, [button]));
    }
  }

  // ---- details ------------------------------------------------------------------
  async function open(id) {
    try {
      const tk = await api.get(`/api/v1/tickets/${enc(id)}`);
      if (S.destroyed) return;
      S.current = tk;
      renderDetail(tk);
      detail.focus();
    } catch (err) {
      if (!S.destroyed) showError(listError, err);
    }
  }

  function row(labelKey, value) {
    return el('div', {}, [el('dt', { i18n: [labelKey] }), value]);
  }

  function renderDetail(tk) {
    const error = el('p', { class: 'message message--error', role: 'alert' });
    const act = async (fn) => {
      clearTranslated(error);
      try {
        await fn();
        if (!S.destroyed) await open(tk.id);
        search();
      } catch (err) {
        if (!S.destroyed) showError(error, err);
      }
    };
    const assignee = el('dd', { text: tk.assignee_name || '' });
    if (!tk.assignee_name) translate(assignee, 'tickets.detail.nobody');
    const meta = el('dl', { class: 'details' }, [
      row('tickets.detail.status', el('dd', { i18n: [`tickets.status.${tk.status}`] })),
      row('tickets.detail.department', el('dd', { text: tk.department_name })),
      row('tickets.detail.due', el('dd', { text: formatDateTime(tk.due_at) })),
      row('tickets.detail.assignee', assignee),
      row('tickets.detail.source', el('dd', { i18n: [`tickets.source.${tk.source}`] })),
    ]);
    const actions = el('div', { class: 'tickets__actions' });
    if (String(tk.assignee_id) !== String(user.id) && tk.status !== 'closed') {
      const take = el('button', { type: 'button', class: 'button', i18n: ['tickets.detail.take'] });
      take.addEventListener('click', () => act(() => api.patch(`/api/v1/tickets/${enc(tk.id)}`, { assignee_id: String(user.id) })));
      actions.append(take);
    }
    if (tk.allowed_transitions.length) {
      const [moveWrap, move] = field('tickets.detail.move', el('select'));
      for (const s of tk.allowed_transitions) move.append(option(s, `tickets.status.${s}`));
      const apply = el('button', { type: 'button', class: 'button', i18n: ['tickets.detail.apply'] });
      apply.addEventListener('click', () => act(() => api.patch(`/api/v1/tickets/${enc(tk.id)}`, { status: move.value })));
      actions.append(moveWrap, apply);
    }
    const history = el('ol', { class: 'tickets__history' });
    for (const h of tk.history)
      history.append(el('li', {}, [
        el('time', { datetime: h.at, text: formatDateTime(h.at) }), ' ',
        el('span', { text: `${h.actor}: ${h.field} ${h.old ?? '—'} → ${h.new ?? '—'}` }),
      ]));
    const comments = el('ol', { class: 'tickets__comments' });
    for (const c of tk.comments)
      comments.append(el('li', {}, [
        el('p', { class: 'tickets__comment-meta' }, [
          el('span', { text: `${c.author_name} · ${formatDateTime(c.created_at)} · ` }),
          el('span', { i18n: [c.internal ? 'tickets.detail.internalTag' : 'tickets.detail.publicTag'] }),
        ]),
        el('p', { class: 'tickets__comment-body', text: c.body }),
      ]));
    const [textWrap, text] = field('tickets.detail.comment', el('textarea', { rows: '2', maxlength: '10000' }));
    const internalId = `tickets-f${++seq}`;
    const internal = el('input', { type: 'checkbox', class: 'checkbox', id: internalId, checked: true });
    const commentForm = el('form', { class: 'form', novalidate: '' }, [
      textWrap,
      el('div', { class: 'field__extra' }, [internal, el('label', { for: internalId, i18n: ['tickets.detail.internal'] })]),
      el('button', { type: 'submit', class: 'button', i18n: ['tickets.detail.addComment'] }),
    ]);
    commentForm.addEventListener('submit', (e) => {
      e.preventDefault();
      if (!text.value.trim()) return;
      act(() => api.post(`/api/v1/tickets/${enc(tk.id)}/comments`, { body: text.value, internal: internal.checked }));
    });
    detail.replaceChildren(
      el('h3', { i18n: ['tickets.detail.heading', { number: tk.number }] }),
      el('p', { class: 'tickets__subject', text: tk.subject }),
      el('p', { class: 'tickets__description', text: tk.description }),
      meta, actions, error,
      el('h4', { i18n: ['tickets.detail.history'] }), history,
      el('h4', { i18n: ['tickets.detail.comments'] }), comments, commentForm,
      ...attachmentsSection(tk),
    );
    detail.hidden = false;
  }

  // Attachments: the list with download links (the staff route sends them as
  // downloads), an upload (images and PDF, raw body typed by the browser) with
  // "visible to the resident", and the photo link an Open311 report came with.
  function attachmentsSection(tk) {
    const list = el('ul', { class: 'tickets__attachments' });
    for (const a of tk.attachments || []) {
      const link = el('a', { href: `/api/v1/tickets/${enc(tk.id)}/attachments/${enc(a.id)}`, download: a.file_name, text: a.file_name });
      const li = el('li', {}, [link, el('span', { text: ` · ${formatSize(a.size)}` })]);
      if (a.public) li.append(' · ', el('span', { class: 'tickets__public', i18n: ['tickets.detail.publicTag'] }));
      list.append(li);
    }
    if (!list.children.length) list.append(el('li', { i18n: ['tickets.detail.noAttachments'] }));
    const media = [];
    if (typeof tk.media_url === 'string' && /^https?:\/\//i.test(tk.media_url)) {
      media.push(el('p', {}, [
        el('span', { i18n: ['tickets.detail.media'] }), ': ',
        el('a', { href: tk.media_url, rel: 'noopener noreferrer nofollow', target: '_blank', text: tk.media_url }),
      ]));
    }
    const [fileWrap, file] = field('tickets.attach.file', el('input', { type: 'file', accept: S.attachments.types.join(',') }));
    const publicId = `tickets-f${++seq}`;
    const isPublic = el('input', { type: 'checkbox', class: 'checkbox', id: publicId });
    const status = el('p', { class: 'message message--info', role: 'status' });
    const problem = el('p', { class: 'message message--error', role: 'alert' });
    const form = el('form', { class: 'form tickets__upload', novalidate: '' }, [
      fileWrap,
      el('div', { class: 'field__extra' }, [isPublic, el('label', { for: publicId, i18n: ['tickets.attach.public'] })]),
      el('button', { type: 'submit', class: 'button', i18n: ['tickets.attach.submit'] }),
      status, problem,
    ]);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      clearTranslated(status);
      clearTranslated(problem);
      const f = file.files?.[0];
      if (!f) return translate(problem, 'tickets.attach.choose');
      const max = S.attachments.max_bytes;
      // Not sent at all when it cannot pass; the server checks again anyway.
      if (max && f.size > max) return translate(problem, 'tickets.attach.tooLarge', { max: formatSize(max) });
      const params = new URLSearchParams({ name: f.name });
      if (isPublic.checked) params.set('public', 'true');
      try {
        const added = await api.upload(`/api/v1/tickets/${enc(tk.id)}/attachments?${params}`, f);
        if (S.destroyed) return;
        await open(tk.id);
        // The detail was drawn anew: tell the new form.
        const fresh = detail.querySelector('.tickets__upload [role="status"]');
        if (fresh) translate(fresh, 'tickets.attach.added', { name: added.file_name });
      } catch (err) {
        if (S.destroyed) return;
        const key = ATTACH_ERRORS[err?.code] || (err?.status === 413 ? 'tickets.attach.tooLarge' : null);
        if (key) translate(problem, key, { max: formatSize(max) });
        else showError(problem, err);
      }
    });
    return [el('h4', { i18n: ['tickets.detail.attachments'] }), list, ...media, form];
  }

  // ---- mount ----------------------------------------------------------------------
  const headingId = `tickets-h${++seq}`;
  const panel = el('section', { class: 'tickets', 'aria-labelledby': headingId }, [
    el('h2', { id: headingId, class: 'tickets__heading', i18n: ['tickets.heading'] }),
    createStatus, createBox,
    el('h3', { i18n: ['tickets.search.heading'] }), searchForm, resultsInfo, listError, results, detail,
  ]);
  root.append(panel);
  cleanups.push(onLanguageChange(() => {
    if (S.current && !detail.hidden) renderDetail(S.current);
  }));

  (async () => {
    try {
      const cats = await api.get('/api/v1/ticket-categories');
      if (S.destroyed) return;
      S.services = cats.services;
      S.departments = cats.departments;
      if (cats.attachments) S.attachments = cats.attachments;
      category.replaceChildren(...cats.services.map((s) => option(s.service_code, null, s.name)));
      department.replaceChildren(option('', 'tickets.search.any'), ...cats.departments.map((d) => option(d.id, null, d.name)));
      syncLocation();
      await search();
    } catch (err) {
      if (!S.destroyed) showError(listError, err);
    }
  })();

  return {
    // Shows a case's details (e.g. one picked beside a chat) and moves the focus there.
    open,
    destroy() {
      S.destroyed = true;
      for (const fn of cleanups) fn?.();
      panel.remove();
    },
  };
}
