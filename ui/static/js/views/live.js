// ui/static/js/views/live.js — the live event stream over WebSocket: filters by type, severity and
// agent (sent to the collector) and by text (matched here), pause and resume (what arrives while
// paused is kept and shown on resume). URL: type, severity, agent, q, paused.
import { subscribe } from '../api.js';
import { eventLink, eventSummary, eventTime, EVENT_TYPES, fmtTime, h, SEVERITIES, severityBadge } from '../dom.js';

export const title = 'Live events';
const KEEP = 500;

export function mount(root, params, ctx) {
  const state = { type: params.type || '', severity: params.severity || '', agent: params.agent || '', q: params.q || '', paused: params.paused === '1' };
  const held = [];
  let stream = null;

  const type = h('select', { id: 'live-type', 'aria-label': 'Type' }, h('option', { value: '' }, 'any type'), EVENT_TYPES.map((t) => h('option', { value: t }, t)));
  const severity = h('select', { id: 'live-severity', 'aria-label': 'Severity' }, h('option', { value: '' }, 'any severity'), SEVERITIES.map((s) => h('option', { value: s }, s)));
  const agent = h('input', { id: 'live-agent', type: 'search', placeholder: 'agent id', 'aria-label': 'Agent', value: state.agent });
  const text = h('input', { id: 'live-text', type: 'search', placeholder: 'text in the event', 'aria-label': 'Text', value: state.q });
  const pause = h('button', { id: 'live-pause', type: 'button', 'aria-pressed': String(state.paused) });
  const status = h('span', { class: 'muted', id: 'live-status', role: 'status', 'aria-live': 'polite' });
  const body = h('tbody', { id: 'live-rows' });
  type.value = state.type;
  severity.value = state.severity;
  root.append(h('h1', {}, 'Live events'),
    h('form', { class: 'toolbar', on: { submit: (e) => e.preventDefault() } }, type, severity, agent, text, pause, status),
    h('div', { class: 'scroll' }, h('table', { class: 'data events', id: 'live-table' },
      h('thead', {}, h('tr', {}, ['Time', 'Agent', 'Type', 'Severity', 'Details'].map((c) => h('th', { scope: 'col' }, c)))), body)));

  const save = () => ctx.setParams({ type: state.type, severity: state.severity, agent: state.agent, q: state.q, paused: state.paused ? '1' : '' });
  const matchesText = (e) => !state.q || JSON.stringify(e).toLowerCase().includes(state.q.toLowerCase());
  let connection = '';
  const showStatus = () => {
    status.textContent = `${connection}${state.paused ? ` · paused, ${held.length} waiting` : ''}`;
    pause.textContent = state.paused ? 'Resume' : 'Pause';
    pause.setAttribute('aria-pressed', String(state.paused));
  };

  const kept = []; // newest first, at most KEEP: what the text filter chooses from
  const row = (e) => h('tr', { class: 'fresh' },
    h('td', { class: 'nowrap' }, eventLink(e, fmtTime(eventTime(e)))),
    h('td', { class: 'clip', title: e.agent_id }, e.agent_id), h('td', {}, e.type), h('td', {}, severityBadge(e.severity)), h('td', {}, eventSummary(e)));

  function add(events) {
    kept.unshift(...[...events].reverse());
    kept.length = Math.min(kept.length, KEEP);
    body.prepend(...events.filter(matchesText).reverse().map(row));
    while (body.children.length > KEEP) body.lastChild.remove();
  }

  const redraw = () => body.replaceChildren(...kept.filter(matchesText).map(row));

  function connect() {
    stream?.close();
    body.replaceChildren();
    kept.length = 0;
    held.length = 0;
    stream = subscribe({ type: state.type, severity: state.severity, agent: state.agent }, {
      event: (frame) => (state.paused ? held.push(frame.event) && showStatus() : add([frame.event])),
      status: (s) => { connection = s === 'live' ? 'streaming' : s; showStatus(); },
    });
  }

  const refilter = () => { state.type = type.value; state.severity = severity.value; state.agent = agent.value.trim(); save(); connect(); };
  type.addEventListener('change', refilter);
  severity.addEventListener('change', refilter);
  agent.addEventListener('change', refilter);
  text.addEventListener('input', () => { state.q = text.value; save(); redraw(); });
  pause.addEventListener('click', () => {
    state.paused = !state.paused;
    if (!state.paused) add(held.splice(0));
    save();
    showStatus();
  });
  showStatus();
  connect();
  return () => stream?.close();
}
