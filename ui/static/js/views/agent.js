// ui/static/js/views/agent.js — one agent: its identity and state, offset over time (per-step
// min/mean/max from /series/offset), delay and frequency from its clock events, an ntpviz-style
// percentile table, and its latest events. State in the URL: id, range, and `at` (ISO) to end the
// range there — replay links here with the play head's time.
import { allEvents, get } from '../api.js';
import { timeChart } from '../charts.js';
import { append, axisSeconds, secondsFormatter, eventLink, eventSummary, eventTime, fmtAgo, fmtNumber, fmtSeconds, fmtTime, h, parseTime, severityBadge, stateBadge } from '../dom.js';
import { href } from '../router.js';
import { PERCENTILE_COLUMNS, summary } from '../stats.js';

export const title = 'Agent';
const RANGES = { '1h': 3600, '6h': 6 * 3600, '24h': 86400, '7d': 7 * 86400 };

export function mount(root, params, ctx) {
  const id = params.id || '';
  const range = RANGES[params.range] ? params.range : '1h';
  const at = Date.parse(params.at);
  const charts = [];
  const head = h('div', { class: 'card' });
  const chartBox = h('div', { class: 'charts' });
  const table = h('section', { class: 'card wide' }, h('h2', {}, 'Percentiles'));
  const eventsBox = h('section', { class: 'card wide' }, h('h2', {}, 'Latest events'));
  const error = h('p', { class: 'error', role: 'alert', hidden: true });
  const picker = h('nav', { class: 'segmented', 'aria-label': 'Time range' },
    Object.keys(RANGES).map((r) => h('a', { href: href('agent', { id, range: r, at: params.at }), 'aria-current': r === range ? 'page' : null }, r)),
    Number.isFinite(at) ? h('a', { href: href('agent', { id, range }) }, 'until now') : null);
  append(root, [h('p', { class: 'crumbs' }, h('a', { href: href('agents') }, 'Agents'), ' / ', id),
    h('h1', {}, `Agent ${id}`), Number.isFinite(at) ? h('p', { class: 'muted', id: 'agent-at' }, `Charts and events up to ${fmtTime(at)} (from replay); the state above is the current one.`) : null, error, head, h('div', { class: 'toolbar' }, picker), chartBox,
    h('div', { class: 'grid' }, table, eventsBox)]);

  async function load() {
    const agent = await get(`agents/${encodeURIComponent(id)}`);
    const a = agent.agent || agent;
    // The range ends now, or at the agent's last event when its clock runs ahead (events are
    // stamped by the agent's clock: an agent 10 minutes fast sends events "from the future").
    const until = Number.isFinite(at) ? at : Math.max(ctx.now(), parseTime(a.last_event) ?? 0) + 1000;
    const since = until - RANGES[range] * 1000;
    const span = { since: new Date(since).toISOString(), until: new Date(until).toISOString() };
    const step = Math.max(1, Math.round(RANGES[range] / 300));
    const [series, clockEvents, latest] = await Promise.all([
      get('series/offset', { agent: id, ...span, step }),
      allEvents({ agent: id, ...span, order: 'asc' }, 5000),
      get('events', { agent: id, limit: 50, order: 'desc', until: Number.isFinite(at) ? span.until : undefined }),
    ]);
    const now = ctx.now();
    head.replaceChildren(h('dl', { class: 'kv wide' },
      [['state', stateBadge(a.state)], ['host', a.hostname || '—'], ['addresses', (a.addresses || []).join(', ') || '—'],
        ['version', a.version || '—'], ['last heartbeat', `${fmtAgo(parseTime(a.last_heartbeat), now)} (${fmtTime(parseTime(a.last_heartbeat))})`],
        ['last event', `${fmtAgo(parseTime(a.last_event), now)} (${fmtTime(parseTime(a.last_event))})`], ['offset', fmtSeconds(a.last_offset_seconds)],
        ['error bound', fmtSeconds(a.error_bound_seconds, false)], ['frequency', Number.isFinite(a.frequency_ppm) ? `${fmtNumber(a.frequency_ppm, 3)} ppm` : '—'], ['spool depth', fmtNumber(a.spool_depth)]]
        .map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])));

    const points = series.points || [];
    const xs = points.map((p) => parseTime(p.t) / 1000);
    const clock = clockEvents.events.filter((e) => e.data_type === 'clock' && e.data);
    const cx = clock.map((e) => eventTime(e) / 1000);
    const seconds = (v) => fmtSeconds(v);
    charts.splice(0).forEach((c) => c.destroy());
    charts.push(
      timeChart({ title: `Offset (per ${step} s: min, mean, max)`, xs, format: seconds, axis: axisSeconds, series: [
        { label: 'mean', values: points.map((p) => p.mean), width: 2 },
        { label: 'min', values: points.map((p) => p.min), dash: [4, 4] },
        { label: 'max', values: points.map((p) => p.max), dash: [4, 4] }] }),
      timeChart({ title: 'Round-trip delay (clock events)', xs: cx, format: (v) => fmtSeconds(v, false), axis: axisSeconds, series: [{ label: 'delay', values: clock.map((e) => e.data.delay_ns / 1e9) }] }));
    const ppm = clock.map((e) => e.data.frequency_ppm);
    if (ppm.some((v) => Number.isFinite(v) && v !== 0)) {
      charts.push(timeChart({ title: 'Frequency (ppm, clock events)', xs: cx, format: (v) => `${fmtNumber(v, 2)}`, series: [{ label: 'ppm', values: ppm }] }));
    }
    chartBox.replaceChildren(...charts.map((c) => c.el));
    if (charts.length < 3) chartBox.append(h('p', { class: 'muted card' }, 'No frequency estimate in this range (the agent reports one with frequency_drift events).'));
    if (!points.length) chartBox.prepend(h('p', { class: 'muted' }, 'No offset samples in this range.'));

    const rows = [
      ['offset', clock.map((e) => e.data.offset_ns / 1e9)],
      ['delay', clock.map((e) => e.data.delay_ns / 1e9)],
      ['error bound', clock.map((e) => e.data.error_bound_ns / 1e9)],
      ['frequency (ppm)', clock.map((e) => e.data.frequency_ppm), (v) => fmtNumber(v, 3)],
    ];
    table.replaceChildren(table.firstChild, h('div', { class: 'scroll' }, h('table', { class: 'data', id: 'percentiles' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, `${clock.length} samples`), PERCENTILE_COLUMNS.map((c) => h('th', { scope: 'col', class: 'num' }, c)))),
      h('tbody', {}, rows.map(([label, values, format]) => {
        const cells = summary(values);
        const fmt = format || secondsFormatter(cells.slice(0, 7));
        return h('tr', {}, h('th', { scope: 'row' }, label), cells.map((v) => h('td', { class: 'num' }, Number.isFinite(v) ? fmt(v) : '—')));
      })))));
    if (clockEvents.truncated) table.append(h('p', { class: 'muted' }, 'Over the first 5 000 events of the range.'));

    eventsBox.replaceChildren(eventsBox.firstChild, eventList(latest.events || []));
  }

  load().catch((e) => {
    if (e.name === 'Unauthorized') return;
    error.textContent = e.status === 404 ? `No agent ${id}.` : `Could not load: ${e.message}`;
    error.hidden = false;
  });
  return () => charts.forEach((c) => c.destroy());
}

export function eventList(events) {
  if (!events.length) return h('p', { class: 'muted' }, 'No events.');
  return h('div', { class: 'scroll' }, h('table', { class: 'data events' },
    h('thead', {}, h('tr', {}, ['Time', 'Agent', 'Type', 'Severity', 'Details'].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, events.map((e) => h('tr', {},
      h('td', { class: 'nowrap' }, eventLink(e, fmtTime(eventTime(e)))),
      h('td', { class: 'clip', title: e.agent_id }, e.agent_id),
      h('td', {}, e.type),
      h('td', {}, severityBadge(e.severity)),
      h('td', {}, eventSummary(e)))))));
}
