// ui/static/js/app.js — the console's entry point: takes the token from the URL fragment
// (#token=T, as printed by the collector) into a session cookie, shows the login form on 401,
// routes "#/view?params" to a view module, and keeps one stream open for the clock check.
import { get, login, subscribe, Unauthorized } from './api.js';
import * as clock from './clock.js';
import { clear, fmtSeconds, h } from './dom.js';
import * as router from './router.js';
import * as fleet from './views/fleet.js';
import * as agents from './views/agents.js';
import * as agent from './views/agent.js';
import * as live from './views/live.js';
import * as attacks from './views/attacks.js';
import * as replay from './views/replay.js';
import * as event from './views/event.js';
import * as loginView from './views/login.js';
import * as alerts from './views/alerts.js';

const VIEWS = { fleet, agents, agent, live, attacks, replay, event, alerts };
const main = document.getElementById('main');
let unmount = null;
let shell = null; // the app-wide stream (clock check)
let signedOut = false;

function render() {
  if (signedOut) return;
  const { view, params } = router.current();
  const module = VIEWS[view] || fleet;
  unmount?.();
  unmount = null;
  clear(main);
  for (const a of document.querySelectorAll('#nav a')) {
    if (a.dataset.view === view || (view === 'agent' && a.dataset.view === 'agents')) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  document.title = `${module.title || view} · chronowatch`;
  try {
    unmount = module.mount(main, params, { setParams: router.setParams, now: clock.now }) || null;
  } catch (error) {
    main.append(h('p', { class: 'error' }, `This view failed: ${error.message}`));
  }
}

function showLogin(message) {
  signedOut = true;
  unmount?.();
  unmount = null;
  shell?.close();
  shell = null;
  clear(main);
  document.body.classList.add('signed-out');
  loginView.mount(main, message, async (token) => {
    if (!(await login(token))) return false;
    signedOut = false;
    document.body.classList.remove('signed-out');
    start();
    return true;
  });
}

function showClock({ skewMs, boundMs }) {
  const banner = document.getElementById('clock-banner');
  if (!clock.isOff()) {
    banner.hidden = true;
    return;
  }
  const direction = skewMs > 0 ? 'behind' : 'ahead of';
  banner.replaceChildren(
    h('strong', {}, 'Your clock is wrong. '),
    `This browser's clock is ${fmtSeconds(Math.abs(skewMs) / 1000, false)} ${direction} the collector's (±${fmtSeconds(boundMs / 1000, false)}). ` +
      'Ages and "now" on this page use the collector\'s clock.',
  );
  banner.hidden = false;
}

function start() {
  const conn = document.getElementById('conn');
  // A narrow filter: this stream is for the hello frame (clock) and agent state changes only.
  shell = subscribe({ type: 'agent_down' }, {
    hello: (frame, sentAt, receivedAt) => clock.measure(frame, sentAt, receivedAt),
    agent: (frame) => window.dispatchEvent(new CustomEvent('cw-agent', { detail: frame.agent })),
    status: (text) => {
      conn.textContent = text === 'live' ? '● connected' : `○ ${text}`;
      conn.className = `conn conn-${text}`;
    },
  });
  render();
}

async function boot() {
  clock.onChange(showClock);
  window.addEventListener('cw-unauthorized', () => showLogin('Your session is not valid: paste the console token.'));
  window.addEventListener('unhandledrejection', (e) => {
    if (e.reason instanceof Unauthorized) e.preventDefault();
  });
  window.addEventListener('hashchange', render);
  const fragment = new URLSearchParams(location.hash.replace(/^#/, ''));
  const token = fragment.get('token');
  if (token) {
    const ok = await login(token);
    history.replaceState(null, '', `${location.pathname}${location.search}#/fleet`);
    if (!ok) return showLogin('The token in the link was refused: paste the console token.');
  }
  // One probe first: without a session the login form shows at once (no stream is tried).
  try {
    await get('stats');
  } catch (error) {
    if (error instanceof Unauthorized) return; // cw-unauthorized showed the form
  }
  start();
}

boot();
