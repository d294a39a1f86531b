// ui/static/js/views/attacks.js — attack timeline: network events (scans, floods, sensitive ports,
// Modbus) as marks on one lane per source address over the chosen range; each mark links to the
// event. URL: range, type (one network type or all).
import { allEvents } from '../api.js';
import { eventTime, fmtTime, h, NETWORK_TYPES } from '../dom.js';
import { href } from '../router.js';

export const title = 'Attacks';
const RANGES = { '1h': 3600, '6h': 6 * 3600, '24h': 86400, '7d': 7 * 86400 };
const LANES = 40;

export function mount(root, params, ctx) {
  const range = RANGES[params.range] ? params.range : '24h';
  const only = NETWORK_TYPES.includes(params.type) ? params.type : '';
  const box = h('section', { class: 'card', 'aria-live': 'polite' }, h('p', { class: 'muted' }, 'Loading…'));
  const ranges = h('nav', { class: 'segmented', 'aria-label': 'Time range' },
    Object.keys(RANGES).map((r) => h('a', { href: href('attacks', { range: r, type: only }), 'aria-current': r === range ? 'page' : null }, r)));
  const types = h('nav', { class: 'segmented', 'aria-label': 'Type' },
    ['', ...NETWORK_TYPES].map((t) => h('a', { href: href('attacks', { range, type: t }), 'aria-current': t === only ? 'page' : null, class: t ? `type-${t}` : '' }, t ? t.replace(/_/g, ' ') : 'all')));
  root.append(h('h1', {}, 'Attack timeline'), h('div', { class: 'toolbar' }, ranges, types), box);

  (async () => {
    const until = ctx.now();
    const since = until - RANGES[range] * 1000;
    const span = { since: new Date(since).toISOString(), until: new Date(until).toISOString(), order: 'desc' };
    const lists = await Promise.all((only ? [only] : NETWORK_TYPES).map((type) => allEvents({ ...span, type }, 2000)));
    const events = lists.flatMap((l) => l.events).filter((e) => e.data && typeof e.data === 'object');
    const bySource = new Map();
    for (const e of events) {
      const source = String(e.data.source ?? '?');
      if (!bySource.has(source)) bySource.set(source, []);
      bySource.get(source).push(e);
    }
    const sources = [...bySource.entries()].sort((a, b) => b[1].length - a[1].length);
    if (!sources.length) return box.replaceChildren(h('p', { class: 'muted' }, 'No network events in this range.'));

    const x = (ms) => `${Math.min(100, Math.max(0, (100 * (ms - since)) / (until - since)))}%`;
    const lanes = sources.slice(0, LANES).map(([source, list]) => h('li', { class: 'lane' },
      h('span', { class: 'lane-label', title: source }, source, h('span', { class: 'muted' }, ` ${list.length}`)),
      h('span', { class: 'lane-track' }, list.slice(0, 300).map((e) => {
        const mark = h('a', { class: `mark type-${NETWORK_TYPES.includes(e.type) ? e.type : 'other'}`, href: href('event', { agent: e.agent_id, seq: e.sequence }),
          title: `${e.type} from ${source} seen by ${e.agent_id} at ${fmtTime(eventTime(e))}`, 'aria-label': `${e.type} at ${fmtTime(eventTime(e))}` });
        mark.style.left = x(eventTime(e));
        return mark;
      }))));
    const ticks = Array.from({ length: 5 }, (_, i) => {
      const tick = h('span', { class: 'tick' }, fmtTime(since + (i * (until - since)) / 4).slice(5, 16));
      tick.style.left = `${i * 25}%`;
      return tick;
    });
    box.replaceChildren(
      h('p', {}, `${events.length}${lists.some((l) => l.truncated) ? '+' : ''} network events from ${sources.length} sources`, sources.length > LANES ? ` (the ${LANES} busiest shown)` : ''),
      h('ol', { class: 'lanes', id: 'attack-lanes' }, lanes),
      h('div', { class: 'axis' }, h('span', { class: 'lane-label' }), h('span', { class: 'lane-track' }, ticks)),
      h('ul', { class: 'legend' }, NETWORK_TYPES.map((t) => h('li', {}, h('span', { class: `swatch type-${t}` }), t.replace(/_/g, ' ')))));
  })().catch((e) => {
    if (e.name !== 'Unauthorized') box.replaceChildren(h('p', { class: 'error' }, `Could not load: ${e.message}`));
  });
}
