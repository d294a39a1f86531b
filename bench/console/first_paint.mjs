#!/usr/bin/env node
// bench/console/first_paint.mjs — the dashboard's first paint with N agents (default 1 000, from
// `chronowatch simulate`) in headless Chromium, against a real collector (tests/e2e/fleet.py).
// For each of --runs fresh page loads it measures, from navigation start: first contentful paint,
// the fleet overview showing all N agents, and the agents table showing its first page of rows;
// beside them, GET /api/v1/agents fetched by node alone (the floor: the server's part).
// Prints one JSON object with the medians and the load average before and after (issue 12's
// target: first paint ≤ 1 s). Needs `npm ci` in tests/e2e first.
// Usage: node bench/console/first_paint.mjs [--agents 1000] [--runs 5]
import { readFileSync } from 'node:fs';
import { launch, newPage } from '../../tests/e2e/browser.mjs';
import { startFleet } from '../../tests/e2e/fleet.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const agents = arg('agents', 1000);
const runs = arg('runs', 5);
const loadavg = () => readFileSync('/proc/loadavg', 'utf8').trim();
const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

const started = performance.now();
const fleet = await startFleet({ agents, rate: 0.2, duration: 300 });
const browser = await launch();
try {
  // Wait until the collector knows every simulated agent.
  for (let deadline = Date.now() + 60000; ; ) {
    const r = await fetch(`${fleet.url}api/v1/agents`, { headers: { Authorization: `Bearer ${fleet.token}` } });
    const known = r.ok ? (await r.json()).agents.filter((a) => a.id.startsWith('sim-')).length : 0;
    if (known >= agents) break;
    if (Date.now() > deadline) throw new Error(`only ${known} of ${agents} agents known after 60 s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const load_before = loadavg();
  // The floor: the same collector answering GET /api/v1/agents to node, without a browser.
  const api = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await (await fetch(`${fleet.url}api/v1/agents`, { headers: { Authorization: `Bearer ${fleet.token}` } })).json();
    api.push(performance.now() - t0);
  }
  const samples = { fcp_ms: [], fleet_ms: [], table_ms: [] };
  for (let i = 0; i < runs; i++) {
    for (const [view, key, ready] of [
      ['fleet', 'fleet_ms', (n) => Number(document.querySelector('.tiles li:last-child .tile-value')?.textContent) >= n],
      ['agents', 'table_ms', () => document.querySelectorAll('#agents-table tbody tr[data-agent]').length >= 100],
    ]) {
      const page = await newPage(browser);
      await page.context().addCookies([{ name: 'cw_token', value: fleet.token, url: fleet.url }]);
      await page.goto(`${fleet.url}#/${view}`);
      await page.waitForFunction(ready, agents, { timeout: 30000, polling: 'raf' });
      const t = await page.evaluate(() => performance.now());
      samples[key].push(t);
      if (view === 'fleet') {
        const fcp = await page.evaluate(() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN);
        samples.fcp_ms.push(fcp);
      }
      await page.context().close();
    }
  }
  console.log(JSON.stringify({
    agents, runs,
    first_contentful_paint_ms: Math.round(median(samples.fcp_ms)),
    fleet_overview_ready_ms: Math.round(median(samples.fleet_ms)),
    agents_table_ready_ms: Math.round(median(samples.table_ms)),
    api_agents_ms: Math.round(median(api)),
    samples,
    loadavg_before: load_before, loadavg_after: loadavg(),
    total_seconds: Math.round((performance.now() - started) / 1000),
  }, null, 1));
} finally {
  await browser.close();
  await fleet.stop();
}
