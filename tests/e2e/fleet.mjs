// tests/e2e/fleet.mjs — starts the real fleet of fleet.py (chronyd, collector with its console,
// simulate, a faketime'd drift agent) as a child process and talks to it one JSON line at a time.
import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { REPO } from './browser.mjs';

export async function startFleet(options = {}) {
  const child = spawn('/usr/bin/python3', [path.join(REPO, 'tests/e2e/fleet.py'), JSON.stringify(options)], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, CHRONOWATCH: process.env.CHRONOWATCH || path.join(REPO, 'build/src/apps/chronowatch') },
  });
  const lines = readline.createInterface({ input: child.stdout });
  const waiting = [];
  const queued = [];
  lines.on('line', (line) => {
    let reply;
    try {
      reply = JSON.parse(line);
    } catch (_) {
      return; // not ours
    }
    if (waiting.length) waiting.shift()(reply);
    else queued.push(reply);
  });
  const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  const next = (timeoutMs) => new Promise((resolve, reject) => {
    if (queued.length) return resolve(queued.shift());
    const timer = setTimeout(() => reject(new Error(`fleet.py: no answer in ${timeoutMs} ms`)), timeoutMs);
    waiting.push((reply) => { clearTimeout(timer); resolve(reply); });
    exited.then((code) => reject(new Error(`fleet.py exited (${code})`)));
  });
  const info = await next(90000);
  if (!info.ok) {
    child.kill('SIGTERM');
    throw new Error(info.error || 'the fleet did not start');
  }
  return {
    ...info,
    async inject(request) {
      child.stdin.write(`${JSON.stringify({ cmd: 'inject', ...request })}\n`);
      const reply = await next(20000);
      if (!reply.ok) throw new Error(`inject: ${reply.error}`);
      return reply;
    },
    async campaign() {
      child.stdin.write('{"cmd":"campaign"}\n');
      const reply = await next(60000);
      if (!reply.ok) throw new Error(`campaign: ${reply.error}`);
      return reply;
    },
    async stop() {
      if (child.exitCode !== null) return;
      child.stdin.write('{"cmd":"stop"}\n');
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGTERM'), 30000);
      await exited;
      clearTimeout(timer);
    },
  };
}
