// tests/e2e/console.test.mjs — the operator's console in a real browser (Debian's chromium through
// playwright-core) against a real collector fed by `chronowatch simulate` and by a drift agent
// whose clock is 10 minutes ahead (fleet.py). Run: node --test tests/e2e/ (ctest -L e2e).
// Screenshots go to build/e2e-artifacts/.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { launch, newPage, screenshot } from './browser.mjs';
import { startFleet } from './fleet.mjs';

const XSS = {
  agent_id: '<img src=x onerror="window.__cw_xss=1">',
  hostname: '</script><script>window.__cw_xss=2</script>',
  version: '<svg onload="window.__cw_xss=5">',
  server: '<img src=x onerror=window.__cw_xss=3>:123',
  attributes: { note: '</script><img src=x onerror="window.__cw_xss=4">' },
};

let fleet;
let browser;

before(async () => {
  fleet = await startFleet({ agents: 20, rate: 5, duration: 900 });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await fleet?.stop();
});

// A signed-in page: the console URL with the token in its fragment, as the collector prints it.
async function signedIn(options) {
  const page = await newPage(browser, options);
  await page.goto(`${fleet.url}#token=${fleet.token}`);
  await page.waitForSelector('#nav a[aria-current="page"]');
  await page.waitForFunction(() => !location.hash.includes('token'));
  return page;
}

async function show(page, hash) {
  await page.evaluate((h) => (location.hash = h), hash);
}

async function noErrors(page, ignore = /$^/) {
  const text = await page.evaluate(() => document.querySelector('main').textContent);
  assert.doesNotMatch(text, /\b(null|undefined|NaN)\b|\[object /, 'a value was printed raw');
  const errors = page.errors.filter((e) => !ignore.test(e));
  assert.deepEqual(errors, [], 'the page logged errors');
  assert.deepEqual(page.dialogs, [], 'the page opened dialogs');
}

// Nothing wider than the 1366 px window (no horizontal scroll of the page itself).
async function fitsTheWindow(page) {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 1366, `the page is ${width} px wide`);
}

async function noInjectedMarkup(page) {
  const found = await page.evaluate(() => ({
    images: document.querySelectorAll('main img, main svg, #clock-banner img').length,
    scripts: [...document.scripts].map((s) => s.getAttribute('src')),
    handlers: [...document.querySelectorAll('*')].filter((el) => [...el.attributes].some((a) => /^on/i.test(a.name))).length,
    flag: window.__cw_xss,
  }));
  assert.equal(found.images, 0, 'an element was created from event data');
  assert.deepEqual(found.scripts, ['vendor/uPlot.iife.min.js', 'js/app.js']);
  assert.equal(found.handlers, 0, 'an on* attribute exists');
  assert.equal(found.flag, undefined, 'a script from event data ran');
}

describe('the console against a real collector', () => {
  test('without the token: the login form shows and the API answers 401', async () => {
    const response = await fetch(`${fleet.url}api/v1/agents`);
    assert.equal(response.status, 401);
    const page = await newPage(browser);
    await page.goto(fleet.url);
    await page.waitForSelector('#login-form');
    assert.equal(await page.evaluate(async () => (await fetch('api/v1/agents')).status), 401);
    await screenshot(page, 'login');
    await page.fill('#token', 'not-the-token');
    await page.click('#login-form button[type="submit"]');
    await page.waitForFunction(() => document.querySelector('#login-form [role="status"]')?.textContent.includes('refused'));
    await page.fill('#token', fleet.token);
    await page.click('#login-form button[type="submit"]');
    await page.waitForSelector('#h-states');
    assert.equal(await page.evaluate(async () => (await fetch('api/v1/agents')).status), 200);
    await noErrors(page, /401/);
  });

  test('the fleet overview shows agents by state, offsets, alerts and the collector', async () => {
    const page = await signedIn();
    await page.waitForFunction(() => document.querySelectorAll('.bars li').length === 8 && document.querySelectorAll('#h-health ~ .tiles li').length > 0);
    await page.waitForFunction(() => Number(document.querySelector('.tile.state-up .tile-value')?.textContent) > 0, null, { timeout: 20000 });
    await fitsTheWindow(page);
    await screenshot(page, 'fleet');
    await noErrors(page);
  });

  test('the agents table lists the simulated agents and the drift agent', async () => {
    const page = await signedIn();
    await show(page, '#/agents');
    await page.waitForFunction(() => {
      const ids = [...document.querySelectorAll('#agents-table tbody tr')].map((tr) => tr.dataset.agent);
      return ids.includes('drift-0001') && ids.filter((id) => /^sim-00\d\d$/.test(id)).length === 20;
    }, null, { timeout: 30000 });
    // The drift agent's clock is 10 minutes ahead: its offset (server − local) reads −10 minutes.
    await page.waitForFunction(() => document.querySelector('#agents-table tr[data-agent="drift-0001"] td:nth-child(6)')?.textContent.includes('10.0 min'), null, { timeout: 20000 });
    await page.fill('#agent-search', 'drift');
    await page.waitForFunction(() => document.querySelectorAll('#agents-table tbody tr').length === 1);
    assert.match(page.url(), /q=drift/);
    await page.fill('#agent-search', '');
    await page.click('#agents-table button[data-key="offset"]');
    await page.click('#agents-table button[data-key="offset"]');
    assert.match(page.url(), /sort=offset&dir=desc/);
    await page.waitForFunction(() => document.querySelector('#agents-table tbody tr').dataset.agent !== undefined);
    await fitsTheWindow(page);
    await screenshot(page, 'agents');
    await noErrors(page);
  });

  test('a new event appears in the live stream within 1 s', async () => {
    const page = await signedIn();
    await show(page, '#/live');
    await page.waitForFunction(() => document.querySelector('#live-status')?.textContent.includes('streaming'));
    const marker = `live-${Date.now()}`;
    await page.evaluate((m) => {
      window.__seenAt = null;
      new MutationObserver((_, observer) => {
        if (document.querySelector('#live-rows')?.textContent.includes(m)) {
          window.__seenAt = Date.now();
          observer.disconnect();
        }
      }).observe(document.querySelector('#live-rows'), { childList: true, subtree: true, characterData: true });
    }, marker);
    const sent = await fleet.inject({ agent_id: 'xss-0001', server: `${marker}:123` });
    await page.waitForFunction(() => window.__seenAt !== null, null, { timeout: 5000 });
    const latency = (await page.evaluate(() => window.__seenAt)) - sent.sent_unix_ns / 1e6;
    console.log(`# live stream: event shown ${latency.toFixed(0)} ms after it was sent`);
    assert.ok(latency < 1000, `shown after ${latency} ms`);
    // Pause holds what arrives; resume shows it.
    await page.click('#live-pause');
    assert.match(page.url(), /paused=1/);
    const paused = `paused-${Date.now()}`;
    await fleet.inject({ agent_id: 'xss-0001', server: `${paused}:123` });
    await page.waitForFunction(() => /[1-9]\d* waiting/.test(document.querySelector('#live-status')?.textContent));
    assert.ok(!(await page.textContent('#live-rows')).includes(paused));
    await page.click('#live-pause');
    await page.waitForFunction((m) => document.querySelector('#live-rows')?.textContent.includes(m), paused);
    // The text filter keeps only matching rows.
    await page.fill('#live-text', 'drift-0001');
    const other = `filtered-${Date.now()}`;
    await fleet.inject({ agent_id: 'xss-0001', server: `${other}:123` });
    await page.waitForFunction(() => document.querySelector('#live-rows tr td:nth-child(2)')?.textContent === 'drift-0001', null, { timeout: 10000 });
    const agents = await page.$$eval('#live-rows tr td:nth-child(2)', (tds) => [...new Set(tds.map((td) => td.textContent))]);
    assert.deepEqual(agents, ['drift-0001'], 'rows the text filter excludes are still shown');
    await screenshot(page, 'live');
    await noErrors(page);
  });

  test('a collector event (sequence beyond 2^53) links to itself, not to a rounded neighbour', async () => {
    await fleet.inject({ agent_id: 'gone-0001' });  // one event, no heartbeat: it goes down
    const api = `${fleet.url}api/v1/events?agent=gone-0001&type=agent_down&limit=1`;
    let digits = null;
    const deadline = Date.now() + 20000;
    while (!digits && Date.now() < deadline) {
      const text = await (await fetch(api, { headers: { Authorization: `Bearer ${fleet.token}` } })).text();
      digits = /"sequence":\s*(\d+)/.exec(text)?.[1] ?? null;
      if (!digits) await new Promise((r) => setTimeout(r, 250));
    }
    assert.ok(digits, 'no agent_down for gone-0001 within 20 s');
    assert.ok(BigInt(digits) > BigInt(Number.MAX_SAFE_INTEGER), `sequence ${digits} is a collector's`);
    const page = await signedIn();
    await show(page, '#/agent?id=gone-0001');
    const link = await page.waitForSelector(`main a[href$="seq=${digits}"]`, { timeout: 10000 });
    await link.click();
    await page.waitForFunction(() => /agent_down/.test(document.querySelector('main')?.textContent), null, { timeout: 10000 });
    assert.doesNotMatch(await page.textContent('main'), /No such event/);
    await screenshot(page, 'collector-event');
    await noErrors(page);
  });

  test('event strings holding markup render as text: no element made, no script run', async () => {
    const page = await signedIn();
    await show(page, '#/live');
    await page.waitForFunction(() => document.querySelector('#live-status')?.textContent.includes('streaming'));
    const sent = await fleet.inject(XSS);
    await page.waitForFunction((id) => document.querySelector('#live-rows')?.textContent.includes(id), XSS.agent_id, { timeout: 5000 });
    assert.ok((await page.textContent('#live-rows')).includes(XSS.server.split(':')[0]));
    await noInjectedMarkup(page);
    await screenshot(page, 'xss-live');

    await show(page, `#/agents?q=${encodeURIComponent('onerror')}`);
    await page.waitForFunction((id) => document.querySelector('#agents-table tbody')?.textContent.includes(id), XSS.agent_id, { timeout: 20000 });
    assert.ok((await page.textContent('#agents-table')).includes(XSS.hostname));
    await noInjectedMarkup(page);
    await screenshot(page, 'xss-agents');

    await show(page, `#/agent?id=${encodeURIComponent(XSS.agent_id)}`);
    await page.waitForFunction((id) => document.querySelector('main h1')?.textContent.includes(id) && document.querySelectorAll('main .card').length > 0, XSS.agent_id);
    await page.waitForFunction(() => document.querySelector('main')?.textContent.includes('window.__cw_xss=2') || document.querySelector('main .error:not([hidden])'), null, { timeout: 10000 });
    await noInjectedMarkup(page);

    await show(page, `#/event?agent=${encodeURIComponent(XSS.agent_id)}&seq=${sent.sequence}`);
    await page.waitForFunction((note) => document.querySelector('main')?.textContent.includes(note), XSS.attributes.note, { timeout: 10000 });
    await noInjectedMarkup(page);
    await screenshot(page, 'xss-event');
    await noErrors(page);
  });

  test('the offset chart of the drift agent draws', async () => {
    const page = await signedIn();
    // A line needs two points, and the offset series has one per step (12 s over the default
    // hour): a fleet that has just started may have one. Open the view again until it has two.
    let points = 0;
    for (const deadline = Date.now() + 60000; points < 2 && Date.now() < deadline;) {
      await show(page, '#/agents');
      await show(page, '#/agent?id=drift-0001');
      await page.waitForFunction(() => document.querySelector('main h1')?.textContent.includes('drift-0001') && Number(document.querySelector('figure.chart')?.dataset.points) > 0, null, { timeout: 20000 });
      points = await page.evaluate(() => Number(document.querySelector('figure.chart').dataset.points));
      if (points < 2) await page.waitForTimeout(2000);
    }
    assert.ok(points >= 2, `the offset chart has ${points} point(s) after a minute`);
    // The mean line is drawn in the accent colour: count its pixels on the first chart's canvas.
    const drawn = await page.evaluate(() => {
      const canvas = document.querySelector('figure.chart canvas');
      const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
      const accent = getComputedStyle(document.documentElement).getPropertyValue('--accent').trim();
      const [r, g, b] = [1, 3, 5].map((i) => parseInt(accent.slice(i, i + 2), 16));
      let n = 0;
      for (let i = 0; i < data.length; i += 4) if (Math.abs(data[i] - r) + Math.abs(data[i + 1] - g) + Math.abs(data[i + 2] - b) < 60 && data[i + 3] > 60) n++;
      return n;
    });
    assert.ok(drawn > 20, `only ${drawn} pixels of the offset line`);
    // The keyboard explores it: End goes to the last point, ← one back, and the values are read out.
    await page.focus('figure.chart');
    await page.keyboard.press('End');
    await page.keyboard.press('ArrowLeft');
    const readout = await page.$eval('figure.chart .chart-readout', (p) => p.textContent);
    const shown = await page.$eval('figure.chart', (f) => Number(f.dataset.points));
    assert.ok(readout.endsWith(`(${Math.max(1, shown - 1)} of ${shown})`), readout);
    assert.match(readout, /mean −10\.\d min/, readout); // 10 minutes ahead
    await page.waitForFunction(() => document.querySelectorAll('#percentiles tbody tr').length === 4);
    const row = await page.$$eval('#percentiles tbody tr:first-child td', (tds) => tds.map((td) => td.textContent));
    assert.equal(row.length, 8);
    // 10 minutes ahead: -600 s give or take the exchange's error (either side: -599.99999988 s is
    // as right as -600.00000012 s).
    const median = /^(-\d+\.\d+) s$/.exec(row[3]);
    assert.ok(median && Math.abs(Number(median[1]) + 600) < 0.5, `median offset ${row[3]}`);
    await fitsTheWindow(page);
    await screenshot(page, 'agent-drift');
    await noErrors(page);
  });

  test('replay moves the views through the stored events', async () => {
    const page = await signedIn();
    const from = new Date(Date.now() - 5 * 60e3).toISOString();
    const to = new Date(Date.now() + 11 * 60e3).toISOString(); // the drift agent's events are 10 min ahead
    await show(page, `#/replay?from=${from}&to=${to}&speed=600`);
    await page.waitForSelector('#replay-play:not([disabled])', { timeout: 30000 });
    const before = await page.evaluate(() => ({ time: document.querySelector('#replay-time')?.textContent, seen: document.querySelector('#replay-tiles .tile-value')?.textContent }));
    assert.equal(before.seen, '0');
    await screenshot(page, 'replay-start');
    await page.click('#replay-play');
    await page.waitForFunction((t) => document.querySelector('#replay-time')?.textContent !== t && Number(document.querySelector('#replay-tiles .tile-value')?.textContent) > 0, before.time, { timeout: 10000 });
    await page.waitForFunction(() => document.querySelectorAll('#replay-agents tbody tr').length > 0);
    await page.waitForFunction(() => /[?&]t=/.test(location.hash), null, { timeout: 5000 });
    await screenshot(page, 'replay-playing');
    // An agent of the replayed fleet opens as it was at the play head (paused, or played out).
    if ((await page.textContent('#replay-play')) === 'Pause') await page.click('#replay-play');
    await page.click('#replay-agents tbody tr a');
    await page.waitForSelector('#agent-at');
    assert.match(page.url(), /#\/agent\?id=[^&]+&at=\d{4}-/);
    await screenshot(page, 'replay-agent-at');
    await noErrors(page);
  });

  test('the attack timeline shows the simulated port scans per source; a mark lists its events, linked', async () => {
    // simulate makes every 50th event of an agent a port scan: wait until one is stored.
    for (const deadline = Date.now() + 60000; ;) {
      const r = await fetch(`${fleet.url}api/v1/events?type=port_scan&limit=1`, { headers: { Authorization: `Bearer ${fleet.token}` } });
      if ((await r.json()).events.length) break;
      assert.ok(Date.now() < deadline, 'no port scan stored in 60 s');
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const page = await signedIn();
    await show(page, '#/attacks?range=1h');
    await page.waitForSelector('#attack-lanes .mark', { timeout: 20000 }).catch(async (error) => {
      await screenshot(page, 'attacks-failed');
      throw new Error(`${error.message}\nthe page says: ${await page.textContent('main')}`);
    });
    await page.focus('#attack-lanes .mark');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#attack-events:not([hidden]) tbody tr');
    const href = await page.getAttribute('#attack-events tbody tr a', 'href');
    assert.match(href, /^#\/event\?agent=sim-\d+&seq=\d+$/);
    await screenshot(page, 'attacks');
    await page.click('#attack-events tbody tr a');
    await page.waitForFunction(() => document.querySelector('main')?.textContent.includes('port_scan') && location.hash.startsWith('#/event'));
    await noErrors(page);
  });

  test('a browser whose clock is an hour ahead gets the warning', async () => {
    const page = await newPage(browser);
    await page.clock.install({ time: new Date(Date.now() + 3600e3) });
    await page.goto(`${fleet.url}#token=${fleet.token}`);
    await page.waitForSelector('#clock-banner:not([hidden])', { timeout: 10000 });
    assert.match(await page.textContent('#clock-banner'), /60\.0 min ahead of the collector/);
    await screenshot(page, 'clock-warning');
    const honest = await signedIn();
    await honest.waitForFunction(() => document.querySelector('#conn')?.textContent.includes('connected'));
    assert.equal(await honest.isVisible('#clock-banner'), false);
  });

  test('keyboard: skip link, navigation and sorting work without a mouse; dark mode reads', async () => {
    const page = await signedIn({ colorScheme: 'dark' });
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'skip-link');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Agents');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#agents-table button[data-key="state"]');
    await page.focus('#agents-table button[data-key="state"]');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => location.hash.includes('sort=state'));
    await screenshot(page, 'agents-dark');
    await show(page, '#/agent?id=drift-0001');
    await page.waitForFunction(() => Number(document.querySelector('figure.chart')?.dataset.points) > 0, null, { timeout: 20000 });
    await screenshot(page, 'agent-dark');
    await show(page, '#/fleet');
    await page.waitForSelector('#h-health ~ .tiles li');
    await screenshot(page, 'fleet-dark');
    await noErrors(page);
  });
});
