// ui/static/js/views/attacks.js — attack timeline: network events (scans, floods, sensitive ports,
// Modbus) as marks on one lane per source address over the chosen range, one slot per time
// bucket; a mark stands for the events of one type from one source in one of 150 time slots, and
// choosing it lists them with links to each event. URL: range, type (one network type or all).
import { allEvents } from '../api.js';
import { eventTime, fmtTime, h, NETWORK_TYPES } from '../dom.js';
import { href } from '../router.js';
import { eventList } from './agent.js';

export const title = 'Attacks';
const RANGES = { '1h': 3600, '6h': 6 * 3600, '24h': 86400, '7d': 7 * 86400 };
const LANES = 40;
const SLOTS = 150;

export function mount(root, params, ctx) {
  const range = RANGES[params.range] ? params.range : '24h';
  const only = NETWORK_TYPES.includes(params.type) ? params.type : '';
  const box = h('section', { class: 'card', 'aria-live': 'polite' }, h('p', { class: 'muted' }, 'Loading…'));
  const ranges = h('nav', { class: 'segmented', 'aria-label': 'Time range' },
    Object.keys(RANGES).map((r) => h('a', { href: href('attacks', { range: r, type: only }), 'aria-current': r === range ? 'page' : null }, r)));
  const types = h('nav', { class: 'segmented', 'aria-label': 'Type' },
    ['', ...NETWORK_TYPES].map((t) => h('a', { href: href('attacks', { range, type: t }), 'aria-current': t === only ? 'page' : null, class: t ? `type-${t}` : '' }, t ? t.replace(/_/g, ' ') : 'all')));
  const detail = h('section', { class: 'card', id: 'attack-events', hidden: true });
  root.append(h('h1', {}, 'Attack timeline'), h('div', { class: 'toolbar' }, ranges, types), box, detail);

  function choose(mark, list, source) {
    for (const m of box.querySelectorAll('.mark[aria-pressed="true"]')) m.setAttribute('aria-pressed', 'false');
    mark.setAttribute('aria-pressed', 'true');
    detail.replaceChildren(h('h2', {}, `${list.length} × ${list[0].type} from ${source}, ${fmtTime(eventTime(list[list.length - 1]))} – ${fmtTime(eventTime(list[0]))}`), eventList(list));
    detail.hidden = false;
  }

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

    // Events of one type in one time slot share a mark (newest first, as fetched).
    const slots = (list) => {
      const groups = new Map();
      for (const e of list) {
        const key = `${e.type}|${Math.floor(((eventTime(e) - since) / (until - since)) * SLOTS)}`;
        if (!groups.has(key)) groups.set(key, []);
        groups.get(key).push(e);
      }
      return [...groups.values()];
    };
    const x = (ms) => `${Math.min(100, Math.max(0, (100 * (ms - since)) / (until - since)))}%`;
    const lanes = sources.slice(0, LANES).map(([source, list]) => h('li', { class: 'lane' },
      h('span', { class: 'lane-label', title: source }, source, h('span', { class: 'muted' }, ` ${list.length}`)),
      h('span', { class: 'lane-track' }, slots(list).map((group) => {
        const e = group[0];
        const type = NETWORK_TYPES.includes(e.type) ? e.type : 'other';
        const label = `${group.length} × ${e.type} from ${source} around ${fmtTime(eventTime(e))}`;
        const mark = h('button', { type: 'button', class: `mark type-${type}${group.length > 1 ? ' many' : ''}`, title: label, 'aria-label': label, 'aria-pressed': 'false' });
        mark.addEventListener('click', () => choose(mark, group, source));
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
