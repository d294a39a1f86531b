// ui/static/js/dom.js — building the DOM safely and formatting values. Everything the API returns
// is attacker-controlled: it only ever reaches the page through textContent, attribute values set
// with setAttribute (never on*-handlers or style) and createElement — never innerHTML.

// h('a', {class: 'x', href: '#/y', on: {click: f}}, 'text', child, [more]) → Element
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'on') for (const [ev, fn] of Object.entries(value)) el.addEventListener(ev, fn);
    else if (key === 'text') el.textContent = String(value);
    else if (key === 'class') el.className = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key === 'value') el.value = value;
    else if (key === 'checked' || key === 'disabled' || key === 'hidden') el[key] = Boolean(value);
    else if (/^on/i.test(key) || key === 'style') throw new Error(`refused attribute ${key}`);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function clear(el) {
  el.replaceChildren();
  return el;
}

// Seconds (possibly tiny or huge) as text with a sensible unit: "−1.25 ms", "+600 s".
export function fmtSeconds(s, signed = true) {
  if (s === null || s === undefined || !Number.isFinite(s)) return '—';
  const sign = signed ? (s < 0 ? '−' : '+') : s < 0 ? '−' : '';
  const a = Number(Math.abs(s).toPrecision(3)); // rounded first, so 0.99996 s is "1.00 s"
  let text;
  if (a === 0) text = '0 s';
  else if (a < 1e-6) text = `${(a * 1e9).toFixed(0)} ns`;
  else if (a < 1e-3) text = `${(a * 1e6).toPrecision(3)} µs`;
  else if (a < 1) text = `${(a * 1e3).toPrecision(3)} ms`;
  else if (a < 120) text = `${a.toPrecision(3)} s`;
  else if (a < 7200) text = `${(a / 60).toFixed(1)} min`;
  else text = `${(a / 3600).toFixed(1)} h`;
  return (a === 0 ? '' : sign) + text;
}

export function fmtNumber(n, digits = 0) {
  if (n === null || n === undefined || !Number.isFinite(Number(n))) return '—';
  return Number(n).toLocaleString('en-US', { maximumFractionDigits: digits });
}

export function fmtBytes(n) {
  if (!Number.isFinite(n)) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) (n /= 1024), i++;
  return `${n.toFixed(i ? 1 : 0)} ${units[i]}`;
}

const pad = (n, w = 2) => String(n).padStart(w, '0');

// Axis labels for seconds: one unit for the whole axis (from its largest tick) and as many decimals
// as the tick spacing needs, so close ticks never print the same text.
export function axisSeconds(ticks) {
  const finite = ticks.filter(Number.isFinite);
  const big = Math.max(0, ...finite.map(Math.abs));
  const [scale, unit] = big >= 1 ? [1, 's'] : big >= 1e-3 ? [1e3, 'ms'] : big >= 1e-6 ? [1e6, 'µs'] : [1e9, 'ns'];
  const spacing = finite.length > 1 ? Math.abs(finite[1] - finite[0]) * scale : 1;
  const decimals = Math.min(9, Math.max(0, -Math.floor(Math.log10(spacing || 1))));
  return ticks.map((t) => (Number.isFinite(t) ? `${(t * scale).toFixed(decimals)} ${unit}` : ''));
}

// A formatter for a set of seconds shown side by side (a percentile row): one unit, from the
// largest magnitude, and decimals enough to tell the values apart.
export function secondsFormatter(values) {
  const finite = values.filter(Number.isFinite);
  if (!finite.length) return () => '—';
  const big = Math.max(...finite.map(Math.abs));
  const spread = Math.max(...finite) - Math.min(...finite);
  const [scale, unit] = big >= 1 ? [1, 's'] : big >= 1e-3 ? [1e3, 'ms'] : big >= 1e-6 ? [1e6, 'µs'] : [1e9, 'ns'];
  const resolution = spread > 0 ? (spread * scale) / 100 : 0.01;
  const decimals = Math.min(9, Math.max(0, -Math.floor(Math.log10(resolution))));
  return (v) => (Number.isFinite(v) ? `${(v * scale).toFixed(decimals)} ${unit}` : '—');
}

// A time as "2026-12-02 06:20:01" in the browser's zone (or UTC when asked).
export function fmtTime(ms, utc = false) {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  const d = new Date(ms);
  const [Y, M, D, h, m, s] = utc
    ? [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()]
    : [d.getFullYear(), d.getMonth() + 1, d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds()];
  return `${Y}-${pad(M)}-${pad(D)} ${pad(h)}:${pad(m)}:${pad(s)}`;
}

// How long ago `ms` was, relative to `now` (the collector's clock, see clock.js): "12 s ago".
export function fmtAgo(ms, now) {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return 'never';
  const s = Math.round((now - ms) / 1000);
  const a = Math.abs(s);
  const text = a < 60 ? `${a} s` : a < 3600 ? `${Math.floor(a / 60)} min` : a < 172800 ? `${Math.floor(a / 3600)} h` : `${Math.floor(a / 86400)} d`;
  return s >= 0 ? `${text} ago` : `in ${text}`;
}

// ISO text from the API → ms since the epoch, or null.
export function parseTime(iso) {
  if (typeof iso !== 'string' || !iso) return null;
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? ms : null;
}

// An event's time in ms: its integer ns when present (exact), else its ISO text.
export function eventTime(event) {
  if (event && Number.isFinite(event.timestamp_ns)) return event.timestamp_ns / 1e6;
  return parseTime(event && event.timestamp);
}

export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'];
export const NETWORK_TYPES = ['port_scan', 'address_scan', 'syn_flood', 'connection_flood', 'sensitive_port_access', 'modbus_anomaly'];
export const EVENT_TYPES = [
  'time_drift', 'time_drift_cleared', 'clock_step', 'frequency_drift', 'ntp_unreachable', 'ntp_recovered',
  'falseticker', 'server_unsynchronized', 'kiss_of_death', ...NETWORK_TYPES,
  'heartbeat', 'agent_start', 'agent_stop', 'agent_down', 'agent_up', 'events_suppressed',
];

export function severityBadge(severity) {
  const known = SEVERITIES.includes(severity) ? severity : 'unknown';
  return h('span', { class: `sev sev-${known}` }, String(severity ?? '?'));
}

export function stateBadge(state) {
  const known = ['up', 'down', 'never_seen'].includes(state) ? state : 'unknown';
  return h('span', { class: `state state-${known}` }, String(state ?? '?').replace('_', ' '));
}

// One line that says what an event is about, from its typed data (all as text).
export function eventSummary(event) {
  const d = event && event.data;
  if (!d || typeof d !== 'object') return '';
  if (event.data_type === 'clock') {
    const parts = [];
    if (d.server) parts.push(`server ${d.server}`);
    if (d.offset_ns) parts.push(`offset ${fmtSeconds(d.offset_ns / 1e9)}`);
    if (d.step_ns) parts.push(`step ${fmtSeconds(d.step_ns / 1e9)}`);
    if (d.frequency_ppm) parts.push(`${fmtNumber(d.frequency_ppm, 3)} ppm`);
    return parts.join(' · ');
  }
  if (event.data_type === 'network') {
    const parts = [`from ${d.source}`];
    if (d.destination) parts.push(`to ${d.destination}`);
    if (Array.isArray(d.ports) && d.ports.length) parts.push(`ports ${d.ports.slice(0, 8).join(', ')}${d.ports.length > 8 ? ', …' : ''}`);
    if (d.count) parts.push(`${d.count}×`);
    if (d.kind) parts.push(String(d.kind));
    return parts.join(' · ');
  }
  if (event.data_type === 'heartbeat') {
    return `up ${fmtSeconds((d.uptime_ns || 0) / 1e9, false)} · sent ${fmtNumber(d.events_sent)} · spooled ${fmtNumber(d.events_spooled)}`;
  }
  return '';
}

// The event view's link; `sequence` may be a string of digits (json.js: beyond 2^53).
export function eventHref(event) {
  return `#/event?agent=${encodeURIComponent(event.agent_id)}&seq=${encodeURIComponent(String(event.sequence))}`;
}

export function eventLink(event, label) {
  return h('a', { href: eventHref(event) }, label);
}
