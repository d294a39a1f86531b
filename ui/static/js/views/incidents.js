// ui/static/js/views/incidents.js — the incidents panel of the alert inbox: the latest `incident`
// events (fleet time, campaign) with what they group — agents, attack kinds, the common server or
// source — and links to each member event, kept live by the stream (/api/v1/stream?type=incident).
// Everything shown is text (dom.js).
import { get, subscribe } from '../api.js';
import { eventTime, fmtTime, h } from '../dom.js';

const SHOWN = 20;

function attribute(event, key) {
  const value = event.attributes && typeof event.attributes === 'object' ? event.attributes[key] : undefined;
  return value === undefined || value === null ? '' : String(value);
}

// "agent:sequence" → a link to that event (the agent id may itself hold ':').
function memberLink(member) {
  const at = member.lastIndexOf(':');
  if (at <= 0) return h('span', {}, member);
  const agent = member.slice(0, at);
  const seq = member.slice(at + 1);
  return h('a', { href: `#/event?agent=${encodeURIComponent(agent)}&seq=${encodeURIComponent(seq)}`, class: 'incident-member' }, member);
}

function incidentItem(event) {
  const kind = attribute(event, 'incident') || 'incident';
  const phase = attribute(event, 'phase');
  const d = event.data && typeof event.data === 'object' ? event.data : {};
  const about = [
    d.source ? `source ${d.source}` : '',
    d.server ? `server ${d.server}` : '',
    attribute(event, 'kinds') ? `attacks ${attribute(event, 'kinds')}` : '',
    attribute(event, 'agents') ? `agents ${attribute(event, 'agents')}` : '',
  ].filter(Boolean).join(' · ');
  const members = attribute(event, 'members').split(',').filter(Boolean);
  return h('li', { class: 'incident', dataset: { kind } },
    h('div', {}, h('strong', {}, kind.replace(/_/g, ' ')), phase ? ` (${phase})` : '', ' ',
      h('span', { class: 'muted' }, fmtTime(eventTime(event)))),
    h('div', { class: 'incident-about' }, about),
    h('details', {}, h('summary', {}, `${members.length} member events`),
      h('ul', { class: 'incident-members' }, members.map((m) => h('li', {}, memberLink(m))))));
}

// The collector numbers its own events with the top bit set (beyond a JS number's exact range), so
// an incident is told apart by what it says, not by its sequence.
function keyOf(event) {
  const d = event.data && typeof event.data === 'object' ? event.data : {};
  return [event.timestamp, attribute(event, 'incident'), attribute(event, 'phase'), d.source, d.server, attribute(event, 'agents')].join('|');
}

// Mounts the panel into `box`; returns its unmount.
export function mountIncidents(box) {
  const list = h('ol', { class: 'incidents', id: 'incidents-list' });
  const note = h('p', { class: 'muted', id: 'incidents-status' }, 'Loading…');
  box.append(h('h2', {}, 'Incidents'), note, list);
  const seen = new Map(); // keyOf → event
  let alive = true;

  function draw() {
    const latest = [...seen.values()].sort((a, b) => eventTime(b) - eventTime(a)).slice(0, SHOWN);
    list.replaceChildren(...latest.map(incidentItem));
    note.textContent = latest.length ? '' : 'No incidents.';
  }

  get('events', { type: 'incident', order: 'desc', limit: SHOWN }).then((page) => {
    if (!alive) return;
    for (const e of page.events || []) seen.set(keyOf(e), e);
    draw();
  }).catch((e) => { if (alive) note.textContent = `Cannot load incidents: ${e.message}`; });
  const stream = subscribe({ type: 'incident' }, {
    event: (frame) => {
      if (frame.event.type !== 'incident') return;
      seen.set(keyOf(frame.event), frame.event);
      draw();
    },
  });
  return () => {
    alive = false;
    stream.close();
  };
}
