// ui/static/js/views/login.js — the sign-in form shown whenever the API answers 401: the operator
// pastes the token the collector printed (or finds in its data directory's token file).
import { h } from '../dom.js';

export function mount(root, message, submit) {
  const input = h('input', { id: 'token', name: 'token', type: 'password', autocomplete: 'current-password', required: true, spellcheck: 'false' });
  const status = h('p', { class: 'muted', role: 'status', 'aria-live': 'polite' }, message || '');
  const form = h('form', { class: 'login card', id: 'login-form' },
    h('h1', {}, 'Sign in to the chronowatch console'),
    h('p', {}, 'The collector printed a console URL with the token after “#token=” when it started; ' +
      'the token is also in the web token file of its data directory.'),
    h('label', { for: 'token' }, 'Console token'),
    input,
    h('button', { type: 'submit' }, 'Sign in'),
    status);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    status.textContent = 'Checking…';
    const ok = await submit(input.value.trim()).catch(() => false);
    if (!ok) status.textContent = 'That token was refused.';
  });
  root.append(form);
  input.focus();
}
