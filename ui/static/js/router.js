// ui/static/js/router.js — hash routing: "#/view?key=value&..." holds each view's whole state, so a
// link can be shared. Views change their own parameters with setParams (no reload of the view).

export function current() {
  const hash = location.hash.replace(/^#/, '');
  const [path, search = ''] = hash.split('?');
  const view = path.replace(/^\//, '') || 'fleet';
  return { view, params: Object.fromEntries(new URLSearchParams(search)) };
}

export function href(view, params = {}) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return `#/${view}${s ? `?${s}` : ''}`;
}

// Replaces the current view's parameters in the URL without a navigation (no history entry).
export function setParams(params) {
  const { view } = current();
  history.replaceState(null, '', `${location.pathname}${location.search}${href(view, params)}`);
}

export function go(view, params) {
  location.hash = href(view, params);
}
