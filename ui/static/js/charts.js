// ui/static/js/charts.js — the charts: time series with uPlot (vendor/uPlot.iife.min.js, a global),
// and the trivial ones drawn by hand: bar histograms (elements), sparklines (canvas). Colours come
// from the CSS variables, so light and dark both read.
import { h } from './dom.js';

export function cssVar(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

// A uPlot time series chart. series: [{label, values, color?, unit?}] over xs (seconds since epoch).
// Returns {el, destroy}. `format` turns a y value into axis text.
export function timeChart({ title, xs, series, format = (v) => String(v), axis: axisFormat, height = 220 }) {
  const wrap = h('figure', { class: 'chart', dataset: { points: String(xs.length) } }, h('figcaption', {}, title));
  if (typeof window.uPlot !== 'function') {
    wrap.append(h('p', { class: 'muted' }, 'charts unavailable (uPlot did not load)'));
    return { el: wrap, destroy() {} };
  }
  const palette = [cssVar('--accent'), cssVar('--warn'), cssVar('--bad'), cssVar('--muted')];
  const axis = { stroke: cssVar('--fg'), grid: { stroke: cssVar('--grid'), width: 1 }, ticks: { stroke: cssVar('--grid') } };
  const opts = {
    width: 600,
    height,
    cursor: { drag: { x: true, y: false } },
    scales: { x: { time: true } },
    axes: [axis, { ...axis, size: (u, values) => 24 + 7.5 * Math.max(4, ...(values || []).map((v) => String(v).length)), values: (u, ticks) => (axisFormat ? axisFormat(ticks) : ticks.map(format)) }],
    series: [
      {},
      ...series.map((s, i) => ({
        label: s.label,
        stroke: s.color || palette[i % palette.length],
        width: s.width || 1.5,
        dash: s.dash,
        points: { show: xs.length < 60 },
        value: (u, v) => (v === null || v === undefined ? '—' : format(v)),
      })),
    ],
  };
  const plot = new window.uPlot(opts, [xs, ...series.map((s) => s.values)], wrap);
  explorable(wrap, plot, { title, xs, series, format });
  const fit = () => plot.setSize({ width: Math.max(280, wrap.clientWidth - 8), height });
  const observer = new ResizeObserver(fit);
  observer.observe(wrap);
  return {
    el: wrap,
    plot,
    destroy() {
      observer.disconnect();
      plot.destroy();
    },
  };
}

// Keyboard: the chart takes focus; ←/→ move a cursor one point, PageUp/PageDown ten, Home/End to
// the ends, and a polite live region reads the point out (time, then each series' value).
function explorable(wrap, plot, { title, xs, series, format }) {
  if (!xs.length) return;
  const readout = h('p', { class: 'chart-readout', 'aria-live': 'polite' });
  wrap.setAttribute('tabindex', '0');
  wrap.setAttribute('role', 'group');
  wrap.setAttribute('aria-label', `${title}: ${xs.length} points; arrow keys read them out`);
  wrap.append(readout);
  let index = -1;
  const steps = { ArrowRight: 1, ArrowLeft: -1, PageDown: 10, PageUp: -10 };
  wrap.addEventListener('keydown', (event) => {
    if (event.key === 'Home') index = 0;
    else if (event.key === 'End') index = xs.length - 1;
    else if (event.key in steps) index = Math.min(xs.length - 1, Math.max(0, (index < 0 ? 0 : index + steps[event.key])));
    else return;
    event.preventDefault();
    const values = series.map((s) => s.values[index]);
    const shown = values.find((v) => v !== null && v !== undefined);
    plot.setCursor({ left: plot.valToPos(xs[index], 'x'), top: shown === undefined ? 0 : plot.valToPos(shown, plot.series[1].scale || 'y') });
    const parts = series.map((s, i) => `${s.label} ${values[i] === null || values[i] === undefined ? 'no value' : format(values[i])}`);
    readout.textContent = `${new Date(xs[index] * 1000).toLocaleString()}: ${parts.join(', ')} (${index + 1} of ${xs.length})`;
  });
}

// Vertical bars with labels: buckets [{label, count, cls?, title?}]. Heights are relative to the max.
export function barChart(buckets, { caption, unit = '' } = {}) {
  const max = Math.max(1, ...buckets.map((b) => b.count));
  const bars = buckets.map((b) => {
    const bar = h('span', { class: `bar ${b.cls || ''}` });
    bar.style.height = `${(100 * b.count) / max}%`;
    return h('li', { title: b.title || `${b.label}: ${b.count}${unit}` },
      h('span', { class: 'bar-count' }, String(b.count)),
      h('span', { class: 'bar-track' }, bar),
      h('span', { class: 'bar-label' }, b.label));
  });
  return h('figure', { class: 'bars' }, caption ? h('figcaption', {}, caption) : null, h('ol', {}, bars));
}

// Stacked columns: columns [{label, parts: [{count, cls}]}], for counts by time and severity.
export function stackedColumns(columns, { caption, legend = [] } = {}) {
  const max = Math.max(1, ...columns.map((c) => c.parts.reduce((a, p) => a + p.count, 0)));
  const cols = columns.map((c) => {
    const total = c.parts.reduce((a, p) => a + p.count, 0);
    const stack = h('span', { class: 'stack' });
    for (const p of c.parts) {
      if (!p.count) continue;
      const seg = h('span', { class: `seg ${p.cls}` });
      seg.style.height = `${(100 * p.count) / max}%`;
      stack.append(seg);
    }
    return h('li', { title: `${c.label}: ${total}` }, stack, h('span', { class: 'col-label' }, c.label));
  });
  const key = legend.length ? h('ul', { class: 'legend' }, legend.map((l) => h('li', {}, h('span', { class: `swatch ${l.cls}` }), l.label))) : null;
  return h('figure', { class: 'columns' }, caption ? h('figcaption', {}, caption) : null, h('ol', {}, cols), key);
}

// A small line of values (nulls are gaps) on a canvas; the zero line is drawn when in range.
export function sparkline(values, { width = 96, height = 24, label = 'sparkline' } = {}) {
  const canvas = h('canvas', { width: width * 2, height: height * 2, class: 'spark', role: 'img', 'aria-label': label });
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  const finite = values.filter((v) => Number.isFinite(v));
  const ctx = canvas.getContext('2d');
  if (!finite.length || !ctx) return canvas;
  let lo = Math.min(...finite);
  let hi = Math.max(...finite);
  if (hi === lo) (hi += 1e-9), (lo -= 1e-9);
  const x = (i) => (i / Math.max(1, values.length - 1)) * (canvas.width - 4) + 2;
  const y = (v) => canvas.height - 2 - ((v - lo) / (hi - lo)) * (canvas.height - 4);
  if (lo < 0 && hi > 0) {
    ctx.strokeStyle = cssVar('--grid');
    ctx.beginPath();
    ctx.moveTo(0, y(0));
    ctx.lineTo(canvas.width, y(0));
    ctx.stroke();
  }
  ctx.strokeStyle = cssVar('--accent');
  ctx.lineWidth = 2;
  ctx.beginPath();
  let pen = false;
  values.forEach((v, i) => {
    if (!Number.isFinite(v)) return (pen = false);
    if (pen) ctx.lineTo(x(i), y(v));
    else ctx.moveTo(x(i), y(v));
    pen = true;
  });
  ctx.stroke();
  if (finite.length === 1) {
    const i = values.findIndex((v) => Number.isFinite(v));
    ctx.fillStyle = cssVar('--accent');
    ctx.beginPath();
    ctx.arc(x(i), canvas.height / 2, 4, 0, 2 * Math.PI);
    ctx.fill();
  }
  return canvas;
}
