// tests/e2e/fixture_server.mjs — a tiny stand-in for the collector's web server, for iterating on
// the dashboard quickly (node fixture_server.mjs [PORT]): serves ui/static/ and uPlot, fakes the
// REST API v1 with generated agents and events and a send-only WebSocket stream. The committed
// e2e tests never use it: they run against the real chronowatch collector.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const TOKEN = 'fixture';
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };
const now = () => Date.now();
const agents = Array.from({ length: Number(process.env.AGENTS || 40) }, (_, i) => ({
  id: i === 3 ? '<img src=x onerror=alert(1)>' : `sim-${String(i + 1).padStart(4, '0')}`,
  state: i % 17 === 5 ? 'down' : i % 23 === 7 ? 'never_seen' : 'up',
  hostname: `host-${i}`, version: '0.1.0', addresses: [`10.0.0.${i}`],
  last_offset_seconds: i === 1 ? 600 : (Math.sin(i) * 10 ** ((i % 7) - 4)), error_bound_seconds: 0.002,
  frequency_ppm: Math.cos(i) * 5, spool_depth: i % 5,
}));
let sequence = 1;
function makeEvent(at, i) {
  const agent = agents[i % agents.length];
  const network = i % 9 === 0;
  return {
    agent_id: agent.id, sequence: sequence++, type: network ? 'port_scan' : 'time_drift', severity: network ? 'high' : ['low', 'medium', 'info'][i % 3],
    timestamp: new Date(at).toISOString(), timestamp_ns: at * 1e6,
    data_type: network ? 'network' : 'clock',
    data: network ? { source: `10.9.0.${i % 13}`, ports: [22, 502], count: 15, duration_ns: 1e9, kind: i % 2 ? '</script><script>alert(2)</script>' : '' }
      : { server: '127.0.0.1:123', offset_ns: Math.round(agent.last_offset_seconds * 1e9 + Math.sin(i) * 1e6), delay_ns: 250000 + (i % 50) * 1000, error_bound_ns: 2e6, threshold_ns: 1e8, step_ns: 0, stratum: 2, frequency_ppm: agent.frequency_ppm },
  };
}
const events = Array.from({ length: 3000 }, (_, i) => makeEvent(now() - (3000 - i) * 20e3, i));
for (const a of agents) if (a.state !== 'never_seen') a.last_event = a.last_heartbeat = new Date(now() - 30e3).toISOString();

function json(res, status, body) {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

function api(req, res, url) {
  if (url.pathname === '/api/v1/session' && req.method === 'POST') {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const ok = JSON.parse(body || '{}').token === TOKEN;
      res.writeHead(ok ? 204 : 401, ok ? { 'Set-Cookie': `cw_token=${TOKEN}; HttpOnly; Path=/` } : {});
      res.end();
    });
    return;
  }
  if (!(req.headers.cookie || '').includes(`cw_token=${TOKEN}`)) return json(res, 401, { error: 'unauthorized' });
  const q = Object.fromEntries(url.searchParams);
  const route = url.pathname.slice('/api/v1/'.length);
  if (route === 'agents') return json(res, 200, { agents });
  if (route.startsWith('agents/')) {
    const a = agents.find((x) => x.id === decodeURIComponent(route.slice(7)));
    return a ? json(res, 200, a) : json(res, 404, { error: 'no such agent' });
  }
  if (route === 'stats') return json(res, 200, { connections: agents.length, events_stored: events.length, events_queued: 3, latency_p99_ms: 12.5, store_failures: 0, rss_bytes: 52e6 });
  if (route === 'events') {
    const since = q.since ? Date.parse(q.since) : -Infinity;
    const until = q.until ? Date.parse(q.until) : Infinity;
    let list = events.filter((e) => e.timestamp_ns / 1e6 >= since && e.timestamp_ns / 1e6 <= until
      && (!q.agent || e.agent_id === q.agent) && (!q.type || e.type === q.type) && (!q.severity || e.severity === q.severity));
    if (q.order !== 'asc') list = list.reverse();
    const start = Number(q.cursor || 0);
    const limit = Math.min(1000, Number(q.limit || 100));
    return json(res, 200, { events: list.slice(start, start + limit), next_cursor: start + limit < list.length ? String(start + limit) : null });
  }
  const one = route.match(/^events\/(.+)\/(\d+)$/);
  if (one) {
    const e = events.find((x) => x.agent_id === decodeURIComponent(one[1]) && x.sequence === Number(one[2]));
    return e ? json(res, 200, e) : json(res, 404, { error: 'no such event' });
  }
  if (route === 'series/offset') {
    const step = Number(q.step || 60);
    const since = Date.parse(q.since);
    const points = [];
    for (let t = since; t < Date.parse(q.until); t += step * 1000) {
      const base = (agents.find((a) => a.id === q.agent)?.last_offset_seconds ?? 0) + Math.sin(t / 6e5) * 1e-3;
      points.push({ t: new Date(t).toISOString(), min: base - 5e-4, max: base + 5e-4, mean: base, count: 3 });
    }
    return json(res, 200, { agent: q.agent, step_seconds: step, points });
  }
  json(res, 404, { error: 'unknown route' });
}

function frame(text) {
  const data = Buffer.from(text);
  const head = data.length < 126 ? Buffer.from([0x81, data.length]) : Buffer.from([0x81, 126, data.length >> 8, data.length & 255]);
  return Buffer.concat([head, data]);
}

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, 'http://x');
  if (url.pathname.startsWith('/api/')) return api(req, res, url);
  let file = url.pathname === '/' ? '/index.html' : url.pathname;
  file = file.startsWith('/vendor/') ? path.join(root, 'ui/node_modules/uplot/dist', path.basename(file)) : path.join(root, 'ui/static', path.normalize(file));
  try {
    const body = await readFile(file);
    res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] || 'application/octet-stream', 'Content-Security-Policy': "default-src 'self'" });
    res.end(body);
  } catch (_) {
    res.writeHead(404);
    res.end('not found');
  }
});
server.on('upgrade', (req, socket) => {
  if (!(req.headers.cookie || '').includes(`cw_token=${TOKEN}`)) return socket.end('HTTP/1.1 401 Unauthorized\r\n\r\n');
  const accept = createHash('sha1').update(`${req.headers['sec-websocket-key']}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
  const skew = Number(process.env.SKEW_MS || 0);
  socket.write(frame(JSON.stringify({ type: 'hello', server_time: new Date(now() + skew).toISOString(), server_time_unix_ns: (now() + skew) * 1e6 })));
  const q = new URL(req.url, 'http://x').searchParams;
  let i = 0;
  const timer = setInterval(() => {
    const e = makeEvent(now(), i++);
    if ((q.get('type') && e.type !== q.get('type')) || (q.get('severity') && e.severity !== q.get('severity'))) return;
    const cursor = String(e.sequence);
    socket.write(frame(JSON.stringify({ type: 'events', cursor, events: [{ cursor, event: e }] })));
  }, 700);
  socket.on('close', () => clearInterval(timer));
  socket.on('error', () => clearInterval(timer));
});
server.listen(Number(process.argv[2] || 8089), '127.0.0.1', () => console.log(`fixture on http://127.0.0.1:${server.address().port}/#token=${TOKEN}`));
