// ui/static/js/views/fleet.js — fleet overview: agents by state, the |offset| histogram up to the
// 300 s threshold, alerts by severity over 24 h (hourly columns) and the collector's health from
// /api/v1/stats. Refreshes every 5 s and on agent state changes.
import { allEvents, get } from '../api.js';
import { barChart, stackedColumns } from '../charts.js';
import { eventTime, fmtBytes, fmtNumber, fmtSeconds, h, SEVERITIES } from '../dom.js';
import { href } from '../router.js';
import { offsetHistogram } from '../stats.js';

export const title = 'Fleet';
const ALERT_SEVERITIES = SEVERITIES.filter((s) => s !== 'info');

export function mount(root, params, ctx) {
  const states = h('section', { class: 'card', 'aria-labelledby': 'h-states' }, h('h2', { id: 'h-states' }, 'Agents'));
  const histogram = h('section', { class: 'card', 'aria-labelledby': 'h-offsets' }, h('h2', { id: 'h-offsets' }, 'Fleet offset'));
  const alerts = h('section', { class: 'card wide', 'aria-labelledby': 'h-alerts' }, h('h2', { id: 'h-alerts' }, 'Alerts, last 24 h'));
  const health = h('section', { class: 'card wide', 'aria-labelledby': 'h-health' }, h('h2', { id: 'h-health' }, 'Collector health'));
  const error = h('p', { class: 'error', role: 'alert', hidden: true });
  root.append(h('h1', {}, 'Fleet overview'), error, h('div', { class: 'grid' }, states, histogram, alerts, health));

  let previous = null; // last /stats sample, for rates
  let alive = true;

  const replace = (section, ...content) => section.replaceChildren(section.firstChild, ...content);

  async function refreshAgents() {
    const { agents = [] } = await get('agents');
    const count = (s) => agents.filter((a) => a.state === s).length;
    replace(states, h('ul', { class: 'tiles' },
      [['up', 'up'], ['down', 'down'], ['never_seen', 'never seen']].map(([state, label]) =>
        h('li', { class: `tile state-${state}` },
          h('a', { href: href('agents', { state }) }, h('span', { class: 'tile-value' }, String(count(state))), h('span', { class: 'tile-label' }, label)))),
      h('li', { class: 'tile' }, h('a', { href: href('agents') }, h('span', { class: 'tile-value' }, String(agents.length)), h('span', { class: 'tile-label' }, 'total')))));
    const worst = agents.filter((a) => Number.isFinite(a.last_offset_seconds))
      .sort((a, b) => Math.abs(b.last_offset_seconds) - Math.abs(a.last_offset_seconds)).slice(0, 5);
    states.append(h('h3', {}, 'Largest offsets'), worst.length
      ? h('ol', { class: 'worst' }, worst.map((a) => h('li', {}, h('a', { href: href('agent', { id: a.id }) }, a.id), ' ', h('span', { class: 'num' }, fmtSeconds(a.last_offset_seconds)))))
      : h('p', { class: 'muted' }, 'No offsets reported yet.'));
    const offsets = agents.map((a) => a.last_offset_seconds).filter((o) => o !== null && o !== undefined);
    replace(histogram,
      barChart(offsetHistogram(offsets), { caption: `|last offset| of ${offsets.length} agents (threshold 300 s)`, unit: ' agents' }));
  }

  async function refreshAlerts() {
    const until = ctx.now();
    const since = until - 24 * 3600e3;
    const lists = await Promise.all(ALERT_SEVERITIES.map((severity) =>
      allEvents({ severity, since: new Date(since).toISOString(), until: new Date(until).toISOString(), order: 'desc' }, 2000)));
    const hours = Array.from({ length: 24 }, (_, i) => ({ start: since + i * 3600e3, counts: Object.fromEntries(ALERT_SEVERITIES.map((s) => [s, 0])) }));
    ALERT_SEVERITIES.forEach((severity, i) => {
      for (const e of lists[i].events) {
        const slot = Math.floor((eventTime(e) - since) / 3600e3);
        if (slot >= 0 && slot < 24) hours[slot].counts[severity]++;
      }
    });
    const totals = ALERT_SEVERITIES.map((s, i) => h('li', { class: `total sev-${s}` },
      h('a', { href: href('live', { severity: s }) }, h('span', { class: 'tile-value' }, `${lists[i].events.length}${lists[i].truncated ? '+' : ''}`), h('span', { class: 'tile-label' }, s))));
    replace(alerts, h('ul', { class: 'tiles' }, totals), stackedColumns(
      hours.map((hour) => ({
        label: new Date(hour.start).getHours().toString().padStart(2, '0'),
        parts: ALERT_SEVERITIES.map((s) => ({ count: hour.counts[s], cls: `sev-${s}` })),
      })),
      { caption: 'alerts per hour by severity (local time)', legend: ALERT_SEVERITIES.map((s) => ({ label: s, cls: `sev-${s}` })) }));
  }

  async function refreshHealth() {
    const stats = await get('stats');
    const at = performance.now();
    const rate = (key) => {
      if (!previous || !Number.isFinite(stats[key]) || !Number.isFinite(previous.stats[key])) return null;
      return (stats[key] - previous.stats[key]) / ((at - previous.at) / 1000);
    };
    const stored = rate('events_stored');
    const main = [
      ['ingest', stored === null ? '…' : `${fmtNumber(stored, 1)} events/s`],
      ['queue depth', fmtNumber(stats.events_queued)],
      ['agent connections', fmtNumber(stats.connections)],
      ['console streams', fmtNumber(stats.web?.stream_clients)],
      ['store latency p99', Number.isFinite(stats.latency_p99_ms) ? `${fmtNumber(stats.latency_p99_ms, 1)} ms` : '—'],
      ['store failures', fmtNumber(stats.store_failures)],
    ];
    previous = { stats, at };
    // Every counter, nested groups (e.g. "web") flattened to "group.name".
    const rest = Object.entries(stats).flatMap(([k, v]) => (v && typeof v === 'object' ? Object.entries(v).map(([k2, v2]) => [`${k}.${k2}`, v2]) : [[k, v]]))
      .filter(([, v]) => typeof v === 'number').sort(([a], [b]) => a.localeCompare(b));
    replace(health,
      h('ul', { class: 'tiles' }, main.map(([label, value]) => h('li', { class: 'tile' }, h('span', { class: 'tile-value' }, value), h('span', { class: 'tile-label' }, label)))),
      h('details', {}, h('summary', {}, `all ${rest.length} counters`),
        h('dl', { class: 'kv' }, rest.map(([k, v]) => [h('dt', {}, k), h('dd', {}, k.endsWith('bytes') ? fmtBytes(v) : fmtNumber(v, 3))]))));
  }

  async function refresh(all) {
    try {
      await Promise.all([refreshAgents(), refreshHealth(), all ? refreshAlerts() : null]);
      error.hidden = true;
    } catch (e) {
      if (!alive || e.name === 'Unauthorized') return;
      error.textContent = `Could not load: ${e.message}`;
      error.hidden = false;
    }
  }

  let ticks = 0;
  refresh(true).then(() => alive && setTimeout(() => alive && refreshHealth().catch(() => {}), 1000)); // a first ingest rate
  const timer = setInterval(() => refresh(++ticks % 6 === 0), 5000);
  const onAgent = () => refresh(false);
  window.addEventListener('cw-agent', onAgent);
  return () => {
    alive = false;
    clearInterval(timer);
    window.removeEventListener('cw-agent', onAgent);
  };
}
