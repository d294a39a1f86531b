// ui/static/js/views/alerts.js — the alert inbox (EveBox is the anchor): the collector's alerts
// (severity, rule, summary, count, first/last seen, state), newest first, with keyboard shortcuts
// (j/k move, x select, a acknowledge, f false positive with a reason, e escalate, ? help), many
// selected at once, the actions through the REST API (POST /api/v1/alerts/ID/ack, …/escalate,
// …/false-positive), and per-rule and per-detector counts. Everything shown is text (dom.js).
// The incidents (incidents.js) with their member events. URL: status (open | all), alert (the id
// the cursor starts on: notifications link to it).
import { get } from '../api.js';
import { fmtAgo, fmtNumber, fmtTime, h, parseTime, severityBadge } from '../dom.js';
import { href } from '../router.js';
import { post } from '../alerts_api.js';
import { mountIncidents } from './incidents.js';

export const title = 'Alerts';

const KEYS = [
  ['j / k', 'next / previous alert'],
  ['x', 'select or unselect the alert (many may be selected)'],
  ['a', 'acknowledge the selected alerts (or the current one)'],
  ['f', 'mark false positive, with a reason'],
  ['e', 'escalate (one severity up, notified again)'],
  ['?', 'show or hide this help'],
  ['Esc', 'close the form or the help'],
];
const COUNTS = [['raised', 'raised'], ['acknowledged', 'acked'], ['false_positive', 'false positive'], ['suppressed', 'suppressed'], ['escalated', 'escalated']];
const REFRESH_MS = 5000;

function stateOf(a) {
  const parts = [a.status];
  if (a.acknowledged) parts.push('acked');
  if (a.false_positive) parts.push('false positive');
  if (a.escalated) parts.push('escalated');
  if (a.silenced_by) parts.push('silenced');
  return parts.join(' · ');
}

function countsTable(caption, rows, id) {
  const names = Object.keys(rows || {}).sort();
  return h('table', { class: 'data', id },
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, caption.replace(/^Per /, '')), COUNTS.map(([, label]) => h('th', { scope: 'col', class: 'num' }, label)))),
    h('tbody', {}, names.length
      ? names.map((name) => h('tr', { dataset: { name } }, h('th', { scope: 'row' }, name), COUNTS.map(([key]) => h('td', { class: 'num', dataset: { count: key } }, fmtNumber(rows[name][key] ?? 0)))))
      : h('tr', {}, h('td', { colspan: COUNTS.length + 1, class: 'muted' }, 'Nothing yet.'))));
}

export function mount(root, params, ctx) {
  const status = params.status === 'all' ? 'all' : 'open';
  let alerts = [];
  let cursor = 0; // index in `alerts`
  let wanted = typeof params.alert === 'string' ? params.alert : null; // a link's alert id
  const selected = new Set(); // alert ids
  let alive = true;
  let busy = false;
  let timer = null;

  const filters = h('nav', { class: 'segmented', 'aria-label': 'Status' },
    [['open', 'open'], ['all', 'all']].map(([v, l]) => h('a', { href: href('alerts', { status: v === 'open' ? '' : v }), 'aria-current': v === status ? 'page' : null }, l)));
  const note = h('span', { class: 'muted', role: 'status', 'aria-live': 'polite', id: 'alerts-status' });
  const error = h('p', { class: 'error', role: 'alert', hidden: true, id: 'alerts-error' });
  const table = h('table', { class: 'data inbox', id: 'alerts-table' });
  const help = h('section', { class: 'card inbox-help', id: 'alerts-help', hidden: true, 'aria-label': 'Keyboard shortcuts' },
    h('h2', {}, 'Keyboard shortcuts'),
    h('dl', { class: 'kv' }, KEYS.map(([k, what]) => [h('dt', {}, h('kbd', {}, k)), h('dd', {}, what)])));
  const reason = h('input', { type: 'text', id: 'fp-reason', 'aria-label': 'Why it is a false positive', placeholder: 'reason (e.g. our vulnerability scanner)', required: true, maxlength: 500 });
  const scope = h('select', { id: 'fp-scope', 'aria-label': 'Suppress' },
    [['source', 'this source'], ['source_destination', 'this source and destination'], ['rule', 'this whole rule']].map(([v, l]) => h('option', { value: v }, l)));
  const expires = h('select', { id: 'fp-expires', 'aria-label': 'For how long' },
    [['', 'for good'], ['24h', 'for 24 h'], ['168h', 'for 7 days']].map(([v, l]) => h('option', { value: v }, l)));
  const fpTitle = h('h2', {});
  const form = h('form', { class: 'card inbox-form', id: 'fp-form', hidden: true },
    fpTitle, h('div', { class: 'toolbar' }, reason, scope, expires, h('button', { type: 'submit' }, 'Mark false positive'), h('button', { type: 'button', id: 'fp-cancel', on: { click: () => closeForm() } }, 'Cancel')));
  const byRule = h('div', { class: 'scroll', id: 'alerts-by-rule' });
  const byDetector = h('div', { class: 'scroll', id: 'alerts-by-detector' });
  const incidents = h('section', { class: 'card', id: 'alerts-incidents' });
  root.append(
    h('h1', {}, 'Alert inbox'),
    h('div', { class: 'toolbar' }, filters, note, h('span', { class: 'muted' }, 'Press ', h('kbd', {}, '?'), ' for shortcuts.')),
    error, help, form,
    h('div', { class: 'scroll' }, table),
    incidents,
    h('div', { class: 'grid' }, h('section', { class: 'card' }, byRule), h('section', { class: 'card' }, byDetector)),
  );
  const unmountIncidents = mountIncidents(incidents);

  const targets = () => {
    if (selected.size) return alerts.filter((a) => selected.has(a.id));
    return alerts[cursor] ? [alerts[cursor]] : [];
  };

  function showError(message) {
    error.textContent = message;
    error.hidden = !message;
  }

  function draw() {
    const rows = alerts.map((a, i) => h('tr', {
      dataset: { id: a.id, rule: a.rule },
      class: [i === cursor ? 'cursor' : '', selected.has(a.id) ? 'selected' : '', a.status === 'resolved' ? 'resolved' : ''].filter(Boolean).join(' '),
      'aria-selected': selected.has(a.id) ? 'true' : 'false',
      'aria-current': i === cursor ? 'true' : null,
      on: { click: () => { cursor = i; draw(); } },
    },
    h('td', {}, h('input', { type: 'checkbox', checked: selected.has(a.id), 'aria-label': 'select', on: { change: (ev) => { ev.target.checked ? selected.add(a.id) : selected.delete(a.id); draw(); } } })),
    h('td', {}, severityBadge(a.severity)),
    h('td', { class: 'nowrap' }, a.rule),
    h('td', { class: 'clip alert-summary', title: a.summary }, a.summary),
    h('td', { class: 'num' }, fmtNumber(a.count)),
    h('td', { class: 'nowrap', title: a.first_seen }, fmtTime(parseTime(a.first_seen))),
    h('td', { class: 'nowrap', title: a.last_seen }, fmtAgo(parseTime(a.last_seen), ctx.now())),
    h('td', { class: 'nowrap alert-state' }, stateOf(a))));
    table.replaceChildren(
      h('thead', {}, h('tr', {}, ['', 'Severity', 'Rule', 'Summary', 'Count', 'First seen', 'Last seen', 'State'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, rows.length ? rows : h('tr', {}, h('td', { colspan: 8, class: 'muted' }, status === 'open' ? 'No open alerts.' : 'No alerts.'))),
    );
    note.textContent = `${alerts.length} ${status === 'open' ? 'open' : ''} alerts${selected.size ? `, ${selected.size} selected` : ''}`;
    table.querySelector('tr.cursor')?.scrollIntoView({ block: 'nearest' });
  }

  async function load() {
    try {
      const body = await get('alerts', status === 'open' ? { status: 'firing' } : {});
      if (!alive) return;
      const current = alerts[cursor]?.id ?? wanted;
      wanted = null;
      alerts = Array.isArray(body.alerts) ? body.alerts : [];
      const keep = alerts.findIndex((a) => a.id === current);
      cursor = keep >= 0 ? keep : Math.min(cursor, Math.max(0, alerts.length - 1));
      for (const id of [...selected]) if (!alerts.some((a) => a.id === id)) selected.delete(id);
      byRule.replaceChildren(countsTable('Per rule', body.by_rule, 'counts-by-rule'));
      byDetector.replaceChildren(countsTable('Per detector', body.by_detector, 'counts-by-detector'));
      showError('');
      draw();
    } catch (e) {
      if (alive) showError(`Cannot load the alerts: ${e.message}`);
    }
  }

  // Runs `action` on each target alert through the API, then reloads.
  async function act(what, path, body = {}) {
    const list = targets();
    if (!list.length || busy) return;
    busy = true;
    try {
      const failed = [];
      for (const a of list) {
        try {
          await post(`alerts/${encodeURIComponent(a.id)}/${path}`, body);
        } catch (e) {
          failed.push(`${a.id}: ${e.message}`);
        }
      }
      selected.clear();
      showError(failed.length ? `Could not ${what} ${failed.length} alert(s): ${failed.join('; ')}` : '');
      note.textContent = `${what}: ${list.length - failed.length} alert(s)`;
    } finally {
      busy = false;
    }
    await load();
  }

  function openForm() {
    const list = targets();
    if (!list.length) return;
    fpTitle.textContent = list.length === 1 ? `False positive: ${list[0].rule} — ${list[0].summary}` : `False positive: ${list.length} alerts`;
    form.hidden = false;
    reason.value = '';
    reason.focus();
  }

  function closeForm() {
    form.hidden = true;
    table.focus?.();
  }

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const text = reason.value.trim();
    if (!text) return reason.focus();
    closeForm();
    act('marked false positive', 'false-positive', { reason: text, scope: scope.value, expires: expires.value || undefined });
  });

  function onKey(ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const typing = ev.target instanceof HTMLElement && ev.target.closest('input, select, textarea, button');
    if (ev.key === 'Escape') {
      help.hidden = true;
      if (!form.hidden) closeForm();
      return;
    }
    if (typing) return;
    const move = (to) => {
      cursor = Math.max(0, Math.min(alerts.length - 1, to));
      draw();
    };
    switch (ev.key) {
      case 'j': move(cursor + 1); break;
      case 'k': move(cursor - 1); break;
      case 'x': {
        const a = alerts[cursor];
        if (!a) return;
        selected.has(a.id) ? selected.delete(a.id) : selected.add(a.id);
        draw();
        break;
      }
      case 'a': act('acknowledged', 'ack'); break;
      case 'e': act('escalated', 'escalate'); break;
      case 'f': openForm(); break;
      case '?': help.hidden = !help.hidden; break;
      default: return;
    }
    ev.preventDefault();
  }

  document.addEventListener('keydown', onKey);
  load();
  timer = setInterval(() => { if (form.hidden && !busy) load(); }, REFRESH_MS);
  return () => {
    alive = false;
    unmountIncidents();
    clearInterval(timer);
    document.removeEventListener('keydown', onKey);
  };
}
