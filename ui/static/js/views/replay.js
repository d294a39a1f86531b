// ui/static/js/views/replay.js — time travel: loads the stored events of a range (oldest first) and
// plays them at a chosen speed; the fleet is shown as it was at the play head: agents seen, their
// last offsets (histogram and table), alerts so far, the latest events. URL: from, to, speed, t.
import { allEvents } from '../api.js';
import { barChart } from '../charts.js';
import { eventTime, fmtAgo, fmtSeconds, fmtTime, h, SEVERITIES } from '../dom.js';
import { href } from '../router.js';
import { offsetHistogram } from '../stats.js';
import { eventList } from './agent.js';

export const title = 'Replay';
const SPEEDS = [1, 10, 60, 600, 3600];
const MAX_EVENTS = 20000;
const TICK_MS = 250;

// "2026-12-02T06:20" (datetime-local, browser zone) ⇄ ms
const toLocalInput = (ms) => { const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60e3); return d.toISOString().slice(0, 16); };
const fromLocalInput = (text) => { const ms = new Date(text).getTime(); return Number.isFinite(ms) ? ms : null; };

export function mount(root, params, ctx) {
  const now = ctx.now();
  const to = Date.parse(params.to) || now;
  const from = Date.parse(params.from) || to - 3600e3;
  const speed = SPEEDS.includes(Number(params.speed)) ? Number(params.speed) : 60;
  let t = Math.min(to, Math.max(from, Date.parse(params.t) || from));
  let events = [];
  let playing = false;
  let timer = null;
  let saved = 0;

  const fromInput = h('input', { type: 'datetime-local', id: 'replay-from', value: toLocalInput(from), 'aria-label': 'From' });
  const toInput = h('input', { type: 'datetime-local', id: 'replay-to', value: toLocalInput(to), 'aria-label': 'To' });
  const speedSelect = h('select', { id: 'replay-speed', 'aria-label': 'Speed' }, SPEEDS.map((s) => h('option', { value: s }, `${s}×`)));
  speedSelect.value = String(speed);
  const load = h('button', { type: 'submit' }, 'Load range');
  const play = h('button', { type: 'button', id: 'replay-play', disabled: true }, 'Play');
  const slider = h('input', { type: 'range', id: 'replay-position', min: 0, max: 1000, value: 0, 'aria-label': 'Play head', disabled: true });
  const clockText = h('output', { id: 'replay-time', class: 'replay-time' }, fmtTime(t));
  const status = h('p', { class: 'muted', role: 'status', 'aria-live': 'polite' }, 'Loading…');
  const tiles = h('ul', { class: 'tiles', id: 'replay-tiles' });
  const histogram = h('section', { class: 'card' }, h('h2', {}, 'Offsets as they were'));
  const agentsBox = h('section', { class: 'card' }, h('h2', {}, 'Agents as they were'));
  const recent = h('section', { class: 'card wide' }, h('h2', {}, 'Latest events at the play head'));
  const form = h('form', { class: 'toolbar' }, h('label', {}, 'From ', fromInput), h('label', {}, 'to ', toInput), h('label', {}, 'speed ', speedSelect), load);
  root.append(h('h1', {}, 'Replay'), form, h('div', { class: 'toolbar player' }, play, slider, clockText), status, tiles, h('div', { class: 'grid' }, histogram, agentsBox, recent));

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const f = fromLocalInput(fromInput.value);
    const tt = fromLocalInput(toInput.value);
    if (f === null || tt === null || f >= tt) return (status.textContent = 'Pick a start before the end.');
    location.hash = href('replay', { from: new Date(f).toISOString(), to: new Date(tt).toISOString(), speed: speedSelect.value });
  });
  speedSelect.addEventListener('change', () => save(true));
  play.addEventListener('click', () => (playing ? stop() : start()));
  slider.addEventListener('input', () => { t = from + (Number(slider.value) / 1000) * (to - from); draw(); save(true); });

  function save(force) {
    if (!force && performance.now() - saved < 1000) return;
    saved = performance.now();
    ctx.setParams({ from: new Date(from).toISOString(), to: new Date(to).toISOString(), speed: speedSelect.value, t: new Date(Math.round(t)).toISOString() });
  }

  function start() {
    if (t >= to) t = from;
    playing = true;
    play.textContent = 'Pause';
    timer = setInterval(() => {
      t = Math.min(to, t + TICK_MS * Number(speedSelect.value));
      draw();
      save(false);
      if (t >= to) stop();
    }, TICK_MS);
  }

  function stop() {
    playing = false;
    play.textContent = 'Play';
    clearInterval(timer);
    save(true);
  }

  // The fleet at the play head, from the events up to it.
  function fleetAt() {
    const agents = new Map();
    const severities = Object.fromEntries(SEVERITIES.map((s) => [s, 0]));
    let seen = 0;
    for (const e of events) {
      const at = eventTime(e);
      if (at > t) break;
      seen++;
      severities[e.severity] = (severities[e.severity] || 0) + 1;
      const a = agents.get(e.agent_id) || { id: e.agent_id, last: at, offset: null };
      a.last = at;
      if (e.data_type === 'clock' && e.data && Number.isFinite(e.data.offset_ns)) a.offset = e.data.offset_ns / 1e9;
      agents.set(e.agent_id, a);
    }
    return { agents: [...agents.values()], severities, seen };
  }

  function draw() {
    clockText.textContent = fmtTime(t);
    slider.value = String(Math.round((1000 * (t - from)) / Math.max(1, to - from)));
    const fleet = fleetAt();
    tiles.replaceChildren(
      h('li', { class: 'tile' }, h('span', { class: 'tile-value' }, String(fleet.agents.length)), h('span', { class: 'tile-label' }, 'agents seen')),
      h('li', { class: 'tile' }, h('span', { class: 'tile-value' }, String(fleet.seen)), h('span', { class: 'tile-label' }, 'events so far')),
      ...SEVERITIES.filter((s) => s !== 'info').map((s) => h('li', { class: `tile sev-${s}` }, h('span', { class: 'tile-value' }, String(fleet.severities[s])), h('span', { class: 'tile-label' }, s))));
    histogram.replaceChildren(histogram.firstChild, barChart(offsetHistogram(fleet.agents.map((a) => a.offset)), { caption: '|last offset| per agent at the play head' }));
    const top = fleet.agents.sort((a, b) => Math.abs(b.offset ?? 0) - Math.abs(a.offset ?? 0)).slice(0, 12);
    agentsBox.replaceChildren(agentsBox.firstChild, h('table', { class: 'data', id: 'replay-agents' },
      h('thead', {}, h('tr', {}, ['Agent', 'Last event', 'Offset'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, top.map((a) => h('tr', {}, h('td', {}, h('a', { href: href('agent', { id: a.id, at: new Date(Math.round(t)).toISOString() }) }, a.id)), h('td', {}, fmtAgo(a.last, t)), h('td', { class: 'num' }, fmtSeconds(a.offset)))))));
    let last = events.length;
    while (last > 0 && eventTime(events[last - 1]) > t) last--;
    recent.replaceChildren(recent.firstChild, eventList(events.slice(Math.max(0, last - 10), last).reverse()));
  }

  allEvents({ since: new Date(from).toISOString(), until: new Date(to).toISOString(), order: 'asc' }, MAX_EVENTS)
    .then((result) => {
      events = result.events.filter((e) => Number.isFinite(eventTime(e))).sort((a, b) => eventTime(a) - eventTime(b));
      status.textContent = `${events.length}${result.truncated ? ` (the first ${MAX_EVENTS})` : ''} events from ${fmtTime(from)} to ${fmtTime(to)}.`;
      play.disabled = false;
      slider.disabled = false;
      draw();
    })
    .catch((e) => {
      if (e.name !== 'Unauthorized') status.textContent = `Could not load: ${e.message}`;
    });
  return () => clearInterval(timer);
}
