// tests/e2e/helpers.test.mjs — the dashboard's pure helpers under node (no browser): percentiles
// as ntpviz prints them, the |offset| buckets, and the text formatting of seconds.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { axisSeconds, fmtAgo, fmtSeconds, secondsFormatter } from '../../ui/static/js/dom.js';
import { offsetHistogram, percentile, summary } from '../../ui/static/js/stats.js';

test('percentiles interpolate linearly and std dev is the population one', () => {
  assert.equal(percentile([1, 2, 3, 4, 5], 50), 3);
  assert.equal(percentile([0, 10], 5), 0.5);
  const [min, p1, p5, p50, p95, p99, max, sd] = summary([2, 4, 4, 4, 5, 5, 7, 9, NaN]);
  assert.deepEqual([min, p50, max, sd], [2, 4.5, 9, 2]);
  assert.ok(p1 >= min && p5 >= p1 && p95 <= max && p99 <= max);
  assert.ok(summary([]).every(Number.isNaN));
});

test('the offset histogram buckets |offset| up to the 300 s threshold', () => {
  const counts = offsetHistogram([0.0005, -0.0005, 0.05, -2, 150, -299.9, 300, -600, null, NaN]).map((b) => b.count);
  assert.deepEqual(counts, [2, 0, 1, 0, 1, 0, 2, 2]);
});

test('seconds read in a sensible unit, rounded before the unit is chosen', () => {
  assert.equal(fmtSeconds(-600), '−10.0 min');
  assert.equal(fmtSeconds(0.99996), '+1.00 s');
  assert.equal(fmtSeconds(0.000250), '+250 µs');
  assert.equal(fmtSeconds(0.0049996, false), '5.00 ms');
  assert.equal(fmtSeconds(null), '—');
  assert.equal(fmtAgo(1000, 61000), '1 min ago');
  assert.equal(fmtAgo(601000, 1000), 'in 10 min');
});

test('axis labels and percentile rows never print two different values alike', () => {
  const ticks = [-600.00001, -600.000005, -600, -599.999995];
  assert.equal(new Set(axisSeconds(ticks)).size, ticks.length);
  const row = [-600.000012, -600.000011, -600.000008, -600.000002, -599.999998];
  const fmt = secondsFormatter(row);
  assert.equal(new Set(row.map(fmt)).size, row.length);
  assert.match(fmt(row[0]), / s$/);
});

test('event sequences beyond 2^53 (the collector\'s own events) stay exact, and their links too', async () => {
  const { parseJson, quoteBigSequences } = await import('../../ui/static/js/json.js');
  const { eventHref } = await import('../../ui/static/js/dom.js');
  const text = '{"events":[{"agent_id":"a b","sequence":9223372036854775809,"timestamp_ns":1764676800123456789,'
    + '"data":{"note":"\\"sequence\\": 9223372036854775809, x","first_sequence":18446744073709551615}},'
    + '{"agent_id":"a","sequence":42,"offset":-1.5e300,"last_sequence":-9007199254740993}]}';
  const { events } = parseJson(text);
  assert.equal(events[0].sequence, '9223372036854775809');
  assert.equal(events[0].data.first_sequence, '18446744073709551615');
  assert.equal(events[0].data.note, '"sequence": 9223372036854775809, x');  // text untouched
  assert.equal(typeof events[0].timestamp_ns, 'number');  // only sequences become strings
  assert.equal(events[1].sequence, 42);
  assert.equal(events[1].offset, -1.5e300);
  assert.equal(events[1].last_sequence, '-9007199254740993');
  assert.equal(eventHref(events[0]), '#/event?agent=a%20b&seq=9223372036854775809');
  assert.equal(JSON.parse(text).events[0].sequence, 9223372036854775808);  // what JSON.parse gave
  assert.equal(quoteBigSequences('{"sequence":7}'), '{"sequence":7}');
});
