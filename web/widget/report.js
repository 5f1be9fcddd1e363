// The advisor's report of a problem ("Zgłoś problem") in the widget. The
// dialogue itself runs on the server (docs/bot.md); the widget does what only
// a browser can: the "Udostępnij lokalizację" button asks the browser for the
// position and sends it as a `location` frame (REST when offline), and the
// "Dodaj zdjęcie" button picks a JPEG or PNG file and uploads it. The
// /zgloszenie link, in the chat or as the page the widget opens on, starts
// the report without leaving the widget.

import * as i18n from './i18n.js';

i18n.addStrings({
  pl: {
    'report.locating': 'Pobieranie lokalizacji…',
    'report.located': 'Lokalizacja wysłana.',
    'report.noGeolocation': 'Twoja przeglądarka nie udostępnia lokalizacji. Napisz adres albo opisz miejsce.',
    'report.locationDenied': 'Nie udało się pobrać lokalizacji (brak zgody lub sygnału). Napisz adres albo opisz miejsce.',
    'report.photoLabel': 'Zdjęcie do zgłoszenia (JPEG lub PNG)',
    'report.uploading': 'Wysyłanie zdjęcia…',
    'report.uploaded': 'Zdjęcie wysłane.',
    'report.photoType': 'Wybierz zdjęcie w formacie JPEG lub PNG.',
    'report.photoTooLarge': 'Zdjęcie jest za duże. Wybierz mniejsze.',
    'report.photoFailed': 'Nie udało się wysłać zdjęcia. Spróbuj ponownie albo pomiń ten krok.',
    'report.ended': 'To zgłoszenie zostało już wysłane lub anulowane.',
  },
  en: {
    'report.locating': 'Getting your location…',
    'report.located': 'Location sent.',
    'report.noGeolocation': 'Your browser does not share its location. Type the address or describe the place.',
    'report.locationDenied': 'Your location could not be read (no permission or no signal). Type the address or describe the place.',
    'report.photoLabel': 'Photo for the report (JPEG or PNG)',
    'report.uploading': 'Sending the photo…',
    'report.uploaded': 'Photo sent.',
    'report.photoType': 'Choose a JPEG or PNG photo.',
    'report.photoTooLarge': 'The photo is too large. Choose a smaller one.',
    'report.photoFailed': 'The photo could not be sent. Try again or skip this step.',
    'report.ended': 'This report has already been sent or cancelled.',
  },
  uk: {
    'report.locating': 'Отримання місцезнаходження…',
    'report.located': 'Місцезнаходження надіслано.',
    'report.noGeolocation': 'Ваш браузер не надає місцезнаходження. Напишіть адресу або опишіть місце.',
    'report.locationDenied': 'Не вдалося отримати місцезнаходження (немає дозволу або сигналу). Напишіть адресу або опишіть місце.',
    'report.photoLabel': 'Фото до звернення (JPEG або PNG)',
    'report.uploading': 'Надсилання фото…',
    'report.uploaded': 'Фото надіслано.',
    'report.photoType': 'Виберіть фото у форматі JPEG або PNG.',
    'report.photoTooLarge': 'Фото завелике. Виберіть менше.',
    'report.photoFailed': 'Не вдалося надіслати фото. Спробуйте ще раз або пропустіть цей крок.',
    'report.ended': 'Це звернення вже надіслано або скасовано.',
  },
});

const PHOTO_TYPES = ['image/jpeg', 'image/png'];
// Phone photos are often several megabytes; the server takes about one
// (tickets.attachment_max_bytes). Larger ones are scaled down in the browser
// to a JPEG of at most MAX_SIDE pixels on the longer side.
const SHRINK_ABOVE = 900 * 1024;
const MAX_SIDE = 1600;

async function shrink(file) {
  if (file.size <= SHRINK_ABOVE || typeof createImageBitmap !== 'function') return file;
  try {
    const bitmap = await createImageBitmap(file);
    const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
    const canvas = document.createElement('canvas');
    canvas.width = Math.max(1, Math.round(bitmap.width * scale));
    canvas.height = Math.max(1, Math.round(bitmap.height * scale));
    canvas.getContext('2d').drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    bitmap.close?.();
    for (const quality of [0.85, 0.7, 0.5]) {
      const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', quality));
      if (blob && blob.size <= SHRINK_ABOVE) return blob;
    }
  } catch {
    // not decodable here: the server decides
  }
  return file;
}

// `client`: the ChatClient; `status`: a polite live region; `error`: the alert line.
export function setupReport({ client, status, error }) {
  const input = document.getElementById('report-photo');

  function say(el, key) {
    if (key) i18n.translate(el, key);
    else el.textContent = '';
  }
  function done(statusKey, errorKey = null) {
    say(status, statusKey);
    say(error, errorKey);
  }

  async function post(path, body, headers) {
    const res = await fetch(`${client.base}/api/v1/public/chats/${encodeURIComponent(client.chatId)}/${path}`, {
      method: 'POST',
      headers: { 'X-Visitor-Token': client.chat.token, ...headers },
      body,
      credentials: 'omit',
    });
    if (res.ok) return null;
    const data = await res.json().catch(() => ({}));
    return { status: res.status, code: data?.error?.code || 'unknown' };
  }

  function shareLocation() {
    if (!navigator.geolocation) return done(null, 'report.noGeolocation');
    done('report.locating');
    navigator.geolocation.getCurrentPosition(
      async (pos) => {
        const lat = pos.coords.latitude;
        const lon = pos.coords.longitude;
        if (client.send({ type: 'location', lat, lon })) return done('report.located');
        try {
          const failed = await post('location', JSON.stringify({ lat, lon }), { 'Content-Type': 'application/json' });
          if (!failed) return done('report.located');
          done(null, failed.code === 'no_report' ? 'report.ended' : 'report.locationDenied');
        } catch {
          done(null, 'chat.offlineAction');
        }
      },
      () => done(null, 'report.locationDenied'),
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 },
    );
  }

  input.addEventListener('change', async () => {
    const file = input.files?.[0];
    input.value = '';
    if (!file) return;
    if (!PHOTO_TYPES.includes(file.type)) return done(null, 'report.photoType');
    done('report.uploading');
    try {
      const photo = await shrink(file);
      const failed = await post('photo', photo, { 'Content-Type': photo.type || file.type });
      if (!failed) return done('report.uploaded');
      const key =
        failed.status === 413 ? 'report.photoTooLarge'
        : failed.status === 415 ? 'report.photoType'
        : failed.code === 'no_report' ? 'report.ended'
        : 'report.photoFailed';
      done(null, key);
    } catch {
      done(null, 'report.photoFailed');
    }
  });

  return {
    // A button the browser answers itself; true when handled here.
    choice(value) {
      if (value === 'flow:location') {
        shareLocation();
        return true;
      }
      if (value === 'flow:photo') {
        input.click();
        return true;
      }
      if (value.startsWith('flow:') || value === 'report') done(null);
      return false;
    },
  };
}
