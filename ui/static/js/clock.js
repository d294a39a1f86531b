// ui/static/js/clock.js — the browser's clock measured against the collector's. The stream's hello
// frame carries the collector's time; half the connect round trip bounds the error. Views take
// "now" from here, so ages stay right even on a browser whose clock is off, and a banner says so.

let skewMs = 0; // collector minus browser
let boundMs = Infinity;
const listeners = new Set();

export const WARN_SECONDS = 2;

export function now() {
  return Date.now() + skewMs;
}

export function skew() {
  return { skewMs, boundMs };
}

export function onChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

// hello: {server_time, server_time_unix_ns}; sentAt/receivedAt: Date.now() around the connect.
export function measure(hello, sentAt, receivedAt) {
  let serverMs = Number(hello.server_time_unix_ns) / 1e6;
  if (!Number.isFinite(serverMs)) serverMs = Date.parse(hello.server_time);
  if (!Number.isFinite(serverMs)) return;
  const bound = (receivedAt - sentAt) / 2;
  if (bound > boundMs) return; // keep the tightest measurement
  boundMs = bound;
  skewMs = serverMs - (sentAt + receivedAt) / 2;
  for (const fn of listeners) fn(skew());
}

// Whether the browser is off by more than the warning threshold beyond the measurement's error.
export function isOff() {
  return Math.abs(skewMs) - boundMs > WARN_SECONDS * 1000;
}
