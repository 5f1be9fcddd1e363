// The conversation as plain text, built in the browser from the messages the
// resident has, and handed over as a download through a Blob URL.

function pad(n) {
  return String(n).padStart(2, '0');
}

// "2026-02-13 10:15" in the resident's time zone.
export function localStamp(date) {
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) return '';
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

// messages: [{createdAt, text, ...}] in order; label(m) names the author;
// head: the lines above the conversation.
export function buildTranscript(messages, { head = [], label }) {
  const lines = [...head, ''];
  for (const m of messages) {
    const when = localStamp(new Date(m.createdAt));
    const [first, ...rest] = String(m.text).replace(/\r\n?/g, '\n').split('\n');
    lines.push(`[${when}] ${label(m)}: ${first}`);
    for (const line of rest) lines.push(`    ${line}`);
  }
  return lines.join('\n') + '\n';
}

// Starts a download of `text` as `filename` (UTF-8 plain text).
export function downloadText(text, filename) {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.rel = 'noopener';
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
