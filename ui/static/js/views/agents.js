// ui/static/js/views/agents.js — the agents table: search (id, host, address, version), filter by
// state, sort by any column, 100 rows a page, each with a 1 h offset sparkline fetched for the
// visible rows only. State in the URL: q, state, sort, dir, page.
import { get } from '../api.js';
import { sparkline } from '../charts.js';
import { fmtAgo, fmtNumber, fmtSeconds, h, parseTime, stateBadge } from '../dom.js';
import { href } from '../router.js';

export const title = 'Agents';
const PAGE = 100;

const COLUMNS = [
  { key: 'state', label: 'State', value: (a) => a.state },
  { key: 'id', label: 'Agent', value: (a) => a.id },
  { key: 'hostname', label: 'Host', value: (a) => a.hostname || '' },
  { key: 'last_heartbeat', label: 'Heartbeat', value: (a) => parseTime(a.last_heartbeat) ?? -Infinity },
  { key: 'last_event', label: 'Last event', value: (a) => parseTime(a.last_event) ?? -Infinity },
  { key: 'offset', label: 'Offset', value: (a) => (Number.isFinite(a.last_offset_seconds) ? Math.abs(a.last_offset_seconds) : -Infinity) },
  { key: 'error_bound', label: 'Error bound', value: (a) => a.error_bound_seconds ?? -Infinity },
  { key: 'frequency', label: 'Freq. ppm', value: (a) => a.frequency_ppm ?? -Infinity },
  { key: 'spool', label: 'Spool', value: (a) => a.spool_depth ?? -Infinity },
  { key: 'version', label: 'Version', value: (a) => a.version || '' },
];

function matches(agent, q) {
  if (!q) return true;
  const text = [agent.id, agent.hostname, agent.version, ...(Array.isArray(agent.addresses) ? agent.addresses : [])].join(' ').toLowerCase();
  return q.toLowerCase().split(/\s+/).every((word) => text.includes(word));
}

export function mount(root, params, ctx) {
  const state = { q: params.q || '', state: params.state || '', sort: params.sort || 'id', dir: params.dir === 'desc' ? 'desc' : 'asc', page: Math.max(0, Number(params.page) || 0) };
  let agents = [];
  let alive = true;
  const sparkCache = new Map(); // id → canvas values

  const search = h('input', { type: 'search', id: 'agent-search', value: state.q, placeholder: 'id, host, address, version', 'aria-label': 'Search agents' });
  const stateSelect = h('select', { id: 'agent-state', 'aria-label': 'State' },
    [['', 'any state'], ['up', 'up'], ['down', 'down'], ['never_seen', 'never seen']].map(([v, l]) => h('option', { value: v }, l)));
  stateSelect.value = state.state;
  const count = h('span', { class: 'muted', role: 'status', 'aria-live': 'polite' });
  const table = h('table', { class: 'data', id: 'agents-table' });
  const pager = h('nav', { class: 'pager', 'aria-label': 'Pages' });
  const error = h('p', { class: 'error', role: 'alert', hidden: true });
  root.append(h('h1', {}, 'Agents'), h('div', { class: 'toolbar' }, search, stateSelect, count), error, h('div', { class: 'scroll' }, table), pager);

  const save = () => ctx.setParams({ q: state.q, state: state.state, sort: state.sort === 'id' ? '' : state.sort, dir: state.dir === 'asc' ? '' : 'desc', page: state.page || '' });
  search.addEventListener('input', () => { state.q = search.value; state.page = 0; save(); draw(); });
  stateSelect.addEventListener('change', () => { state.state = stateSelect.value; state.page = 0; save(); draw(); });

  function header() {
    return h('thead', {}, h('tr', {}, COLUMNS.map((c) => {
      const sorted = state.sort === c.key;
      const button = h('button', { type: 'button', class: 'sort', on: { click: () => {
        state.dir = sorted && state.dir === 'asc' ? 'desc' : 'asc';
        state.sort = c.key;
        save();
        draw();
      } }, dataset: { key: c.key } }, c.label, sorted ? (state.dir === 'asc' ? ' ▲' : ' ▼') : '');
      return h('th', { scope: 'col', 'aria-sort': sorted ? (state.dir === 'asc' ? 'ascending' : 'descending') : 'none' }, button);
    }), h('th', { scope: 'col' }, 'Offset, 1 h')));
  }

  function row(a) {
    const spark = h('td', { class: 'spark-cell', dataset: { agent: a.id } });
    if (sparkCache.has(a.id)) spark.append(sparkline(sparkCache.get(a.id), { label: `offset of ${a.id} over the last hour` }));
    const now = ctx.now();
    return h('tr', { dataset: { agent: a.id } },
      h('td', {}, stateBadge(a.state)),
      h('td', { class: 'clip', title: a.id }, h('a', { href: href('agent', { id: a.id }) }, a.id)),
      h('td', { class: 'clip', title: a.hostname || '' }, a.hostname || ''),
      h('td', { title: a.last_heartbeat || '' }, fmtAgo(parseTime(a.last_heartbeat), now)),
      h('td', { title: a.last_event || '' }, fmtAgo(parseTime(a.last_event), now)),
      h('td', { class: 'num' }, fmtSeconds(a.last_offset_seconds)),
      h('td', { class: 'num' }, fmtSeconds(a.error_bound_seconds, false)),
      h('td', { class: 'num' }, fmtNumber(a.frequency_ppm, 3)),
      h('td', { class: 'num' }, fmtNumber(a.spool_depth)),
      h('td', { class: 'clip', title: a.version || '' }, a.version || ''),
      spark);
  }

  function visible() {
    const column = COLUMNS.find((c) => c.key === state.sort) || COLUMNS[1];
    const sign = state.dir === 'asc' ? 1 : -1;
    return agents.filter((a) => (!state.state || a.state === state.state) && matches(a, state.q))
      .sort((x, y) => {
        const a = column.value(x);
        const b = column.value(y);
        return sign * (typeof a === 'string' ? a.localeCompare(b) : a - b) || String(x.id).localeCompare(String(y.id));
      });
  }

  function draw() {
    // A refresh redraws the table: keep the keyboard focus on the same control.
    const focused = table.contains(document.activeElement) ? document.activeElement : null;
    const refocus = focused?.dataset.key ? `button[data-key="${focused.dataset.key}"]` : null;
    const list = visible();
    const pages = Math.max(1, Math.ceil(list.length / PAGE));
    state.page = Math.min(state.page, pages - 1);
    const shown = list.slice(state.page * PAGE, (state.page + 1) * PAGE);
    count.textContent = `${list.length} of ${agents.length} agents`;
    table.replaceChildren(header(), h('tbody', {}, shown.length ? shown.map(row) : h('tr', {}, h('td', { colspan: COLUMNS.length + 1, class: 'muted' }, 'No agent matches.'))));
    pager.replaceChildren(...(pages > 1 ? Array.from({ length: pages }, (_, i) =>
      h('a', { href: href('agents', { ...state, page: i || '' }), 'aria-current': i === state.page ? 'page' : null }, String(i + 1))) : []));
    if (refocus) table.querySelector(refocus)?.focus();
    loadSparklines(shown.map((a) => a.id));
  }

  async function loadSparklines(ids) {
    const todo = ids.filter((id) => !sparkCache.has(id));
    const worker = async () => {
      while (alive && todo.length) {
        const id = todo.shift();
        // The last hour up to now, or up to the agent's last event when its clock runs ahead.
        const last = parseTime(agents.find((a) => a.id === id)?.last_event) ?? 0;
        const until = Math.max(ctx.now(), last) + 1000;
        const since = new Date(until - 3600e3).toISOString();
        try {
          const series = await get('series/offset', { agent: id, since, until: new Date(until).toISOString(), step: 60 });
          // One slot per minute of the hour, empty where no sample: the line keeps its time scale.
          const values = Array(60).fill(null);
          for (const p of series.points || []) {
            const slot = Math.floor((parseTime(p.t) - (until - 3600e3)) / 60e3);
            if (slot >= 0 && slot < 60) values[slot] = p.mean;
          }
          sparkCache.set(id, values);
          const cell = [...table.querySelectorAll('td.spark-cell')].find((td) => td.dataset.agent === id);
          cell?.replaceChildren(sparkline(values, { label: `offset of ${id} over the last hour` }));
        } catch (_) {
          sparkCache.set(id, []);
        }
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
  }

  async function refresh() {
    try {
      agents = (await get('agents')).agents || [];
      error.hidden = true;
      if (alive) draw();
    } catch (e) {
      if (!alive || e.name === 'Unauthorized') return;
      error.textContent = `Could not load the agents: ${e.message}`;
      error.hidden = false;
    }
  }

  refresh();
  const timer = setInterval(refresh, 10000);
  window.addEventListener('cw-agent', refresh);
  return () => {
    alive = false;
    clearInterval(timer);
    window.removeEventListener('cw-agent', refresh);
  };
}
