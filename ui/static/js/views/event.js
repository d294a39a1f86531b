// ui/static/js/views/event.js — one stored event (GET /api/v1/events/{agent}/{sequence}), every
// field shown as text, nested data and attributes as nested lists. URL: agent, seq.
import { get } from '../api.js';
import { eventTime, fmtSeconds, fmtTime, h, severityBadge } from '../dom.js';
import { href } from '../router.js';

export const title = 'Event';

// A field's value as text; nested objects as nested lists; nanoseconds also in a readable unit.
function value(v, key = '') {
  if (v !== null && typeof v === 'object') {
    return h('dl', { class: 'kv' }, Object.entries(v).map(([k, x]) => [h('dt', {}, k), h('dd', {}, value(x, k))]));
  }
  if (key.endsWith('_ns') && key !== 'timestamp_ns' && Number.isFinite(v) && v !== 0) return `${v} (${fmtSeconds(v / 1e9)})`;
  return String(v);
}

export function mount(root, params) {
  const box = h('div', { class: 'card' }, h('p', { class: 'muted' }, 'Loading…'));
  root.append(h('p', { class: 'crumbs' }, h('a', { href: href('agent', { id: params.agent }) }, `Agent ${params.agent || ''}`), ` / event ${params.seq || ''}`),
    h('h1', {}, 'Event'), box);
  get(`events/${encodeURIComponent(params.agent || '')}/${encodeURIComponent(params.seq || '')}`)
    .then((body) => {
      const e = body.event || body;
      box.replaceChildren(h('p', {}, severityBadge(e.severity), ' ', h('strong', {}, String(e.type)), ` at ${fmtTime(eventTime(e))} (${e.timestamp})`), value(e));
    })
    .catch((e) => {
      if (e.name !== 'Unauthorized') box.replaceChildren(h('p', { class: 'error' }, e.status === 404 ? 'No such event.' : e.message));
    });
}
