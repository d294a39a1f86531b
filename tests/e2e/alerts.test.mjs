// tests/e2e/alerts.test.mjs — the alert inbox in a real browser (Debian's chromium through
// playwright-core) against a real collector (fleet.py): drift events injected with
// attacker-controlled agent ids and servers become alerts; the operator acknowledges one, marks
// another a false positive with a reason, selects two and escalates them, all by keyboard; the
// collector's REST API says each happened, the counts show it, and every hostile string is text;
// a campaign incident appears live with links to its member events.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { launch, newPage, screenshot } from './browser.mjs';
import { startFleet } from './fleet.mjs';

const HOSTILE = {
  agent_id: '<img src=x onerror="window.__cw_xss=11">',
  server: '<script>window.__cw_xss=12</script>:123',
  reason: '<img src=x onerror="window.__cw_xss=13"> our scanner',
};

let fleet;
let browser;

before(async () => {
  fleet = await startFleet({ agents: 2, rate: 1, duration: 900 });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await fleet?.stop();
});

async function api(path) {
  const response = await fetch(`${fleet.url}api/v1/${path}`, { headers: { Authorization: `Bearer ${fleet.token}` } });
  assert.equal(response.status, 200, path);
  return response.json();
}

async function waitUntil(what, predicate, timeoutMs = 20000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await predicate();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const alertOf = async (agent) => (await api('alerts')).alerts.find((a) => a.labels.agent === agent && a.rule === 'time_drift');

// Moves the inbox's cursor (j/k) onto the row of alert `id`.
async function moveTo(page, id) {
  const rows = await page.$$eval('#alerts-table tbody tr', (trs) => trs.map((tr) => tr.dataset.id));
  const target = rows.indexOf(id);
  assert.ok(target >= 0, `alert ${id} is listed`);
  const at = await page.$$eval('#alerts-table tbody tr', (trs) => trs.findIndex((tr) => tr.classList.contains('cursor')));
  const key = target > at ? 'j' : 'k';
  for (let i = 0; i < Math.abs(target - at); ++i) await page.keyboard.press(key);
  await page.waitForSelector(`#alerts-table tr.cursor[data-id="${id}"]`);
}

describe('the alert inbox against a real collector', () => {
  test('acknowledge, false positive and escalate by keyboard; hostile strings stay text', async () => {
    // each through its own server: drift of several agents through one server would be folded
    // into a fleet incident (docs/alerts.md)
    const agents = [HOSTILE.agent_id, 'xss-0001', 'xss-0002', 'xss-0003'];
    for (const [i, agent] of agents.entries()) {
      await fleet.inject({ agent_id: agent, server: i === 0 ? HOSTILE.server : `192.0.2.${i}:123` });
    }
    const hostile = await waitUntil('the hostile alert', () => alertOf(HOSTILE.agent_id));
    const plain = await waitUntil('a plain alert', () => alertOf('xss-0001'));
    const two = await alertOf('xss-0002');
    const three = await alertOf('xss-0003');

    const page = await newPage(browser);
    await page.goto(`${fleet.url}#token=${fleet.token}`);
    await page.waitForSelector('#nav a[aria-current="page"]');
    await page.click('#nav a[data-view="alerts"]');
    await page.waitForSelector(`#alerts-table tr[data-id="${hostile.id}"]`);
    assert.match(page.url(), /#\/alerts/);

    // ? shows the shortcuts, Esc hides them
    await page.keyboard.press('?');
    await page.waitForSelector('#alerts-help:not([hidden])');
    await page.keyboard.press('Escape');
    await page.waitForSelector('#alerts-help', { state: 'hidden' });

    // a: acknowledge the hostile one
    await moveTo(page, hostile.id);
    await page.keyboard.press('a');
    await waitUntil('the acknowledgement', async () => (await alertOf(HOSTILE.agent_id)).acknowledged);
    await page.waitForFunction((id) => document.querySelector(`#alerts-table tr[data-id="${id}"] .alert-state`)?.textContent.includes('acked'), hostile.id);

    // f: false positive with a hostile reason typed into the form, Enter sends it
    await moveTo(page, plain.id);
    await page.keyboard.press('f');
    await page.waitForSelector('#fp-form:not([hidden])');
    await page.keyboard.type(HOSTILE.reason);
    await page.keyboard.press('Enter');
    await waitUntil('the false positive', async () => (await api('alerts')).alerts.find((a) => a.id === plain.id).false_positive);
    const { suppressions } = await api('suppressions');
    const made = suppressions.find((s) => s.from_alert === plain.id);
    assert.ok(made, 'a suppression was made from it');
    assert.equal(made.reason, HOSTILE.reason);
    assert.deepEqual(made.match, { agent: 'xss-0001' });
    // the open list drops it (resolved as a false positive)
    await page.waitForSelector(`#alerts-table tr[data-id="${plain.id}"]`, { state: 'detached' });

    // x, x then e: two selected, both escalated
    await moveTo(page, two.id);
    await page.keyboard.press('x');
    await moveTo(page, three.id);
    await page.keyboard.press('x');
    await page.waitForFunction(() => document.querySelectorAll('#alerts-table tr.selected').length === 2);
    await page.keyboard.press('e');
    await waitUntil('both escalated', async () => (await alertOf('xss-0002')).escalated && (await alertOf('xss-0003')).escalated);
    assert.equal((await alertOf('xss-0002')).severity, 'critical'); // high, one up
    assert.equal((await alertOf(HOSTILE.agent_id)).escalated, false);

    // the counts per rule and per detector say so
    await page.waitForFunction(() => {
      const row = (table, name) => document.querySelector(`#${table} tr[data-name="${name}"]`);
      const n = (table, key) => Number(row(table, 'time_drift')?.querySelector(`[data-count="${key}"]`)?.textContent);
      return n('counts-by-rule', 'acknowledged') >= 1 && n('counts-by-rule', 'false_positive') >= 1 &&
        n('counts-by-rule', 'escalated') >= 2 && n('counts-by-detector', 'false_positive') >= 1;
    }, null, { timeout: 10000 });

    // every hostile string is shown as text, nothing ran, nothing was made of it
    const shown = await page.$eval(`#alerts-table tr[data-id="${hostile.id}"]`, (tr) => tr.textContent);
    assert.ok(shown.includes(HOSTILE.agent_id) && shown.includes(HOSTILE.server), shown);
    const found = await page.evaluate(() => ({
      images: document.querySelectorAll('main img, main svg, main script').length,
      handlers: [...document.querySelectorAll('*')].filter((el) => [...el.attributes].some((a) => /^on/i.test(a.name))).length,
      flag: window.__cw_xss,
    }));
    assert.deepEqual(found, { images: 0, handlers: 0, flag: undefined });

    // a campaign (one source scanning two agents) shows up live in the incidents panel, with
    // links to its member events
    await fleet.campaign();
    await page.waitForSelector('#incidents-list li.incident[data-kind="campaign"]', { timeout: 20000 });
    const links = await page.$$eval('#incidents-list li.incident[data-kind="campaign"] a.incident-member', (as) => as.map((a) => a.getAttribute('href')));
    assert.ok(links.length >= 2, 'member links');
    const [, agent, seq] = links[0].match(/agent=([^&]+)&seq=(\d+)/);
    const member = await api(`events/${agent}/${seq}`);
    assert.equal(member.event.data_type, 'network');
    await page.click('#incidents-list li.incident[data-kind="campaign"] summary');
    await page.click('#incidents-list li.incident[data-kind="campaign"] a.incident-member');
    await page.waitForFunction(() => location.hash.startsWith('#/event?'));
    await page.goBack();
    await page.waitForSelector('#alerts-table');
    // read back from the store: both campaigns (sources 10.0.0.50 and 10.0.0.100), apart
    const campaigns = (await api('events?type=incident&limit=100')).events.filter((e) => e.attributes.incident === 'campaign');
    await page.waitForFunction((n) => document.querySelectorAll('#incidents-list li.incident[data-kind="campaign"]').length === n, Math.min(campaigns.length, 20));
    assert.ok(campaigns.length >= 2, `${campaigns.length} campaign incidents stored`);
    await screenshot(page, 'alerts-inbox');
    assert.deepEqual(page.errors, [], 'the page logged errors');
    assert.deepEqual(page.dialogs, [], 'the page opened dialogs');
  });
});
