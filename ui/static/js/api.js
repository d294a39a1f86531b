// ui/static/js/api.js — the collector's REST API v1 and its WebSocket stream. The session is an
// HttpOnly cookie (POST /api/v1/session); any 401 raises `Unauthorized` and tells the app to show
// the login form.
import { parseJson } from './json.js';

export class Unauthorized extends Error {
  name = 'Unauthorized';
}

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

function query(params = {}) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

export async function get(path, params, { signal } = {}) {
  const response = await fetch(`api/v1/${path}${query(params)}`, {
    credentials: 'same-origin',
    headers: { Accept: 'application/json' },
    signal,
  });
  if (response.status === 401) {
    window.dispatchEvent(new CustomEvent('cw-unauthorized'));
    throw new Unauthorized('not signed in');
  }
  if (!response.ok) {
    let message = `${response.status} ${response.statusText}`;
    try {
      const body = await response.json();
      if (body && typeof body.error === 'string') message += `: ${body.error}`;
    } catch (_) { /* not JSON */ }
    throw new ApiError(response.status, message);
  }
  return parseJson(await response.text());
}

// Trades the token for the session cookie. True when the collector accepted it.
export async function login(token) {
  const response = await fetch('api/v1/session', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ token }),
  });
  return response.ok;
}

// Every page of /events matching `params` (oldest first unless params.order says otherwise), up to
// `max` events. Returns {events, truncated}.
export async function allEvents(params, max = 5000, options) {
  const events = [];
  let cursor = null;
  do {
    const page = await get('events', { ...params, limit: Math.min(1000, max - events.length), cursor }, options);
    events.push(...(page.events || []));
    cursor = page.next_cursor || null;
  } while (cursor && events.length < max);
  return { events, truncated: Boolean(cursor) };
}

// A WebSocket subscription to /api/v1/stream that reconnects and resumes from the last cursor it
// saw. handlers: {hello(frame, sentAt, receivedAt), event(frame), agent(frame), status(text)}.
export function subscribe(params, handlers) {
  let socket = null;
  let cursor = params.cursor || null;
  let closed = false;
  let retry = 500;
  let timer = null;

  function connect() {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const base = new URL('api/v1/stream', location.href);
    const url = `${scheme}//${base.host}${base.pathname}${query({ ...params, cursor })}`;
    const openedAt = Date.now();
    let helloSeen = false;
    socket = new WebSocket(url);
    handlers.status?.('connecting');
    socket.onopen = () => {
      retry = 500;
      handlers.status?.('live');
    };
    socket.onmessage = (message) => {
      let frame;
      try {
        frame = parseJson(message.data);
      } catch (_) {
        return;
      }
      if (!frame || typeof frame !== 'object') return;
      if (frame.type === 'hello' && !helloSeen) {
        helloSeen = true;
        handlers.hello?.(frame, openedAt, Date.now());
      } else if (frame.type === 'events' && Array.isArray(frame.events)) {
        // One commit's events in one frame: handed to the views one by one, in store order.
        for (const item of frame.events) {
          if (!item || !item.event) continue;
          if (typeof item.cursor === 'string') cursor = item.cursor;
          handlers.event?.({ type: 'event', cursor: item.cursor, event: item.event });
        }
      } else if (frame.type === 'agent' && frame.agent) {
        handlers.agent?.(frame);
      }
    };
    socket.onclose = () => {
      if (closed) return;
      handlers.status?.('reconnecting');
      timer = setTimeout(connect, retry);
      retry = Math.min(retry * 2, 10000);
    };
  }

  connect();
  return {
    close() {
      closed = true;
      clearTimeout(timer);
      socket?.close();
    },
    get cursor() {
      return cursor;
    },
  };
}
