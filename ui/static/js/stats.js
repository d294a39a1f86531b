// ui/static/js/stats.js — small numeric helpers: percentiles as ntpviz prints them, and the fleet's
// |offset| buckets up to the 300 s threshold.

// Linear-interpolated percentile of sorted values (p in 0..100).
export function percentile(sorted, p) {
  if (!sorted.length) return NaN;
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
}

export const PERCENTILE_COLUMNS = ['min', '1 %', '5 %', '50 %', '95 %', '99 %', 'max', 'std dev'];

// [min, p1, p5, p50, p95, p99, max, stddev] of values (NaN when empty).
export function summary(values) {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (!v.length) return PERCENTILE_COLUMNS.map(() => NaN);
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
  return [v[0], percentile(v, 1), percentile(v, 5), percentile(v, 50), percentile(v, 95), percentile(v, 99), v[v.length - 1], sd];
}

// |offset| buckets (seconds): the last one is "over the 300 s threshold".
export const OFFSET_BUCKETS = [
  { label: '<1 ms', upTo: 1e-3, cls: 'ok' },
  { label: '<10 ms', upTo: 1e-2, cls: 'ok' },
  { label: '<100 ms', upTo: 0.1, cls: 'ok' },
  { label: '<1 s', upTo: 1, cls: 'warn' },
  { label: '<10 s', upTo: 10, cls: 'warn' },
  { label: '<100 s', upTo: 100, cls: 'bad' },
  { label: '<300 s', upTo: 300, cls: 'bad' },
  { label: '≥300 s', upTo: Infinity, cls: 'crit' },
];

// offsets: seconds (nulls skipped) → [{label, count, cls}].
export function offsetHistogram(offsets) {
  const counts = OFFSET_BUCKETS.map((b) => ({ label: b.label, cls: b.cls, count: 0 }));
  for (const o of offsets) {
    if (!Number.isFinite(o)) continue;
    const i = OFFSET_BUCKETS.findIndex((b) => Math.abs(o) < b.upTo);
    counts[i].count++;
  }
  return counts;
}
