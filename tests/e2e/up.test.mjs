// tests/e2e/up.test.mjs — README command 1 in a real browser: `chronowatch up` from an empty data
// directory prints the console URL; opening it signs in (token in the fragment) and the agents
// table lists the local agent — measuring a loopback port where no NTP server listens, so the
// truth shown is "no offset yet". SIGINT then stops `up` with exit 0.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { launch, newPage, REPO, screenshot } from './browser.mjs';

const CW = process.env.CHRONOWATCH || path.join(REPO, 'build/src/apps/chronowatch');
let up;
let output = '';
let dir;
let browser;

const freePort = () => new Promise((resolve) => {
  const server = net.createServer().listen(0, '127.0.0.1', () => {
    const { port } = server.address();
    server.close(() => resolve(port));
  });
});

before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'cw-e2e-up-'));
  const [http, zmq] = [await freePort(), await freePort()];
  const argv = [CW, 'up', '--data-dir', path.join(dir, 'data'), '--http', `127.0.0.1:${http}`,
    '--collector-listen', `tcp://127.0.0.1:${zmq}`, '--interface', 'none', '--ntp-server', '127.0.0.1:9'];
  // Without the capability to set the clock, like every time program a test starts.
  up = spawn('capsh', ['--drop=cap_sys_time', '--', '-c', `exec ${argv.map((a) => `'${a}'`).join(' ')}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  up.stdout.on('data', (d) => (output += d));
  up.stderr.on('data', (d) => (output += d));
  browser = await launch();
});

after(async () => {
  await browser?.close();
  if (up && up.exitCode === null) up.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

test('chronowatch up: the URL it prints opens the console, which lists the local agent', async () => {
  for (const deadline = Date.now() + 30000; !/http:\/\/\S+#token=\w+/.test(output);) {
    assert.ok(Date.now() < deadline && up.exitCode === null, `no console URL from up:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const url = output.match(/http:\/\/\S+#token=\w+/)[0];
  const page = await newPage(browser);
  await page.goto(url);
  await page.waitForFunction(() => !location.hash.includes('token') && document.querySelector('#h-states'));
  await page.evaluate(() => (location.hash = '#/agents'));
  const hostname = os.hostname();
  await page.waitForFunction((host) => [...document.querySelectorAll('#agents-table tbody tr')].some((tr) => tr.textContent.includes(host) && tr.querySelector('.state-up')), hostname, { timeout: 30000 });
  const offset = await page.$eval('#agents-table tbody tr[data-agent] td:nth-child(6)', (td) => td.textContent);
  assert.equal(offset, '—', 'an agent that reached no NTP server shows no offset');
  await screenshot(page, 'up-agents');
  assert.deepEqual(page.errors, []);
  const exited = new Promise((resolve) => up.on('exit', (code) => resolve(code)));
  up.kill('SIGINT');
  assert.equal(await exited, 0, output);
});
