// Small charts in plain SVG: a line chart over time and a grouped bar chart.
// Every label is set with textContent; colours come from CSS classes, and
// each chart's <desc> says in words what it shows, for screen readers.

const NS = 'http://www.w3.org/2000/svg';
const W = 480;
const H = 200;
const PAD = { left: 40, right: 10, top: 12, bottom: 28 };

function el(name, attrs = {}, text) {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

// Removes everything but the <desc>, which keeps the chart's accessible description.
function clear(svg) {
  for (const child of [...svg.childNodes]) if (child.nodeName !== 'desc') child.remove();
}

function niceMax(v) {
  if (v <= 5) return 5;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (v <= m * p) return m * p;
  return 10 * p;
}

function axes(svg, max, xLabels) {
  const plotH = H - PAD.top - PAD.bottom;
  for (const f of [0, 0.5, 1]) {
    const y = PAD.top + plotH * (1 - f);
    svg.append(el('line', { x1: PAD.left, x2: W - PAD.right, y1: y, y2: y, class: 'chart__grid' }));
    svg.append(el('text', { x: PAD.left - 4, y: y + 4, class: 'chart__label chart__label--y' }, String(Math.round(max * f))));
  }
  for (const { x, text } of xLabels) svg.append(el('text', { x, y: H - 8, class: 'chart__label chart__label--x' }, text));
}

// series: [{name, cls, points: [{t: ms, v: number}]}]; spanMs: the time shown, ending now.
export function lineChart(svg, { series, spanMs, now = Date.now(), max: fixedMax, description, formatTime }) {
  clear(svg);
  const all = series.flatMap((s) => s.points.map((p) => p.v));
  const max = fixedMax ?? niceMax(Math.max(1, ...all));
  const start = now - spanMs;
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const x = (t) => PAD.left + ((t - start) / spanMs) * plotW;
  const y = (v) => PAD.top + plotH * (1 - Math.min(v, max) / max);
  const labels = [];
  for (let i = 0; i <= 4; i += 1) {
    const t = start + (spanMs * i) / 4;
    labels.push({ x: x(t), text: formatTime(t) });
  }
  axes(svg, max, labels);
  for (const s of series) {
    const pts = s.points.filter((p) => p.t >= start);
    if (!pts.length) continue;
    const d = pts.map((p, i) => `${i ? 'L' : 'M'}${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join(' ');
    svg.append(el('path', { d, class: `chart__line ${s.cls || ''}` }));
    const last = pts[pts.length - 1];
    svg.append(el('circle', { cx: x(last.t).toFixed(1), cy: y(last.v).toFixed(1), r: 3, class: `chart__dot ${s.cls || ''}` }));
  }
  svg.querySelector('desc').textContent = description;
  svg.dataset.points = String(series.reduce((n, s) => n + s.points.length, 0));
}

// groups: [{label, values: [number per series]}]; series: [{name, cls}].
export function barChart(svg, { groups, series, description, legend = true }) {
  clear(svg);
  const max = niceMax(Math.max(1, ...groups.flatMap((g) => g.values)));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const gw = plotW / Math.max(1, groups.length);
  const bw = Math.max(1, (gw * 0.8) / series.length);
  const labels = [];
  const every = Math.ceil(groups.length / 12);
  groups.forEach((g, gi) => {
    const gx = PAD.left + gi * gw + gw * 0.1;
    g.values.forEach((v, si) => {
      const h = (plotH * Math.min(v, max)) / max;
      const rect = el('rect', {
        x: (gx + si * bw).toFixed(1),
        y: (PAD.top + plotH - h).toFixed(1),
        width: (bw - 1).toFixed(1),
        height: h.toFixed(1),
        class: `chart__bar ${series[si].cls || ''}`,
      });
      rect.append(el('title', {}, `${g.label}: ${series[si].name} ${v}`));
      svg.append(rect);
    });
    if (gi % every === 0) labels.push({ x: gx + (bw * series.length) / 2, text: g.label });
  });
  axes(svg, max, labels);
  if (legend && series.length > 1) {
    series.forEach((s, i) => {
      const lx = W - PAD.right - 150 + i * 75;
      svg.append(el('rect', { x: lx, y: 2, width: 10, height: 10, class: `chart__bar ${s.cls || ''}` }));
      svg.append(el('text', { x: lx + 14, y: 11, class: 'chart__label' }, s.name));
    });
  }
  svg.querySelector('desc').textContent = description;
}
