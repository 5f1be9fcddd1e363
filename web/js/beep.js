// A short two-tone beep made with WebAudio (no audio file, nothing to load
// under the CSP). Browsers let a page start audio only after the user has
// interacted with it; the console calls unlockAudio() on the first click or
// key press, and a beep before that is silently skipped.

let ctx = null;

function context() {
  if (ctx) return ctx;
  const Ctor = window.AudioContext || window.webkitAudioContext;
  if (!Ctor) return null;
  try {
    ctx = new Ctor();
  } catch {
    ctx = null;
  }
  return ctx;
}

export function unlockAudio() {
  const c = context();
  if (c && c.state === 'suspended') c.resume().catch(() => {});
}

// Plays the offer sound; resolves true when it was scheduled.
export function beep() {
  const c = context();
  if (!c) return false;
  if (c.state === 'suspended') c.resume().catch(() => {});
  try {
    const t0 = c.currentTime + 0.01;
    for (const [offset, freq] of [
      [0, 880],
      [0.18, 1175],
    ]) {
      const osc = c.createOscillator();
      const gain = c.createGain();
      osc.type = 'sine';
      osc.frequency.setValueAtTime(freq, t0 + offset);
      gain.gain.setValueAtTime(0.0001, t0 + offset);
      gain.gain.exponentialRampToValueAtTime(0.25, t0 + offset + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, t0 + offset + 0.15);
      osc.connect(gain).connect(c.destination);
      osc.start(t0 + offset);
      osc.stop(t0 + offset + 0.16);
    }
    return true;
  } catch {
    return false;
  }
}
