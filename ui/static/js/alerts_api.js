// ui/static/js/alerts_api.js — the writes of the alert inbox: POST /api/v1/… with a JSON body,
// under the session cookie (SameSite=Strict). A 401 tells the app to show the login form, as
// api.js's reads do; any other failure throws ApiError with the collector's message.
import { ApiError, Unauthorized } from './api.js';

export async function post(path, body = {}) {
  const response = await fetch(`api/v1/${path}`, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify(body),
  });
  if (response.status === 401) {
    window.dispatchEvent(new CustomEvent('cw-unauthorized'));
    throw new Unauthorized('not signed in');
  }
  let parsed = null;
  try {
    parsed = await response.json();
  } catch (_) { /* not JSON */ }
  if (!response.ok) {
    const why = parsed && typeof parsed.error === 'string' ? `: ${parsed.error}` : '';
    throw new ApiError(response.status, `${response.status} ${response.statusText}${why}`);
  }
  return parsed;
}
