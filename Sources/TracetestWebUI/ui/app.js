// The shell: client-side routing with the History API. Every page module in pages/ exports `mount(main, route)`,
// which may return {unmount?(), update?(route) → bool} (update handles a route change in place and says whether it did).

import { errorText, put } from './dom.js';

const ROUTES = [
  [/^tests$/, 'tests', []],
  [/^test\/([^/]+)$/, 'test', ['testId']],
  [/^test\/([^/]+)\/run\/(\d+)(?:\/(trigger|trace|test|automate))?$/, 'run', ['testId', 'runId', 'mode']],
  [/^testsuites$/, 'testsuites', []],
  [/^testsuite\/([^/]+)$/, 'testsuite', ['suiteId']],
  [/^testsuite\/([^/]+)\/run\/(\d+)$/, 'suite-run', ['suiteId', 'runId']],
  [/^variablesets$/, 'variablesets', []],
  [/^settings$/, 'settings', []],
];

const main = document.getElementById('main');
/** The path the UI is served under: "/" or "/<pathPrefix>/" (from <base href>, which the server sets). */
export const basePath = new URL(document.baseURI).pathname;
let current = null; // {page, instance}
let renderCount = 0;

/** The route of the current location, {page, params, query, path}, or {redirect} for an unknown path. */
function resolve() {
  let path = location.pathname;
  path = path.startsWith(basePath) ? path.slice(basePath.length) : path.replace(/^\//, '');
  path = path.replace(/\/+$/, '');
  for (const [pattern, page, names] of ROUTES) {
    const match = pattern.exec(path);
    if (!match) continue;
    const params = {};
    names.forEach((name, i) => { params[name] = match[i + 1] && decodeURIComponent(match[i + 1]); });
    return { page, params, query: new URLSearchParams(location.search), path };
  }
  return { redirect: 'tests' };
}

/** Goes to `path` (relative to the base, e.g. "test/abc"). */
export function navigate(path, { replace = false } = {}) {
  const target = new URL(path, document.baseURI);
  history[replace ? 'replaceState' : 'pushState'](null, '', target.href);
  render();
}

/** Changes the query string without a new page (e.g. the selected span). */
export function setQuery(changes) {
  const u = new URL(location.href);
  for (const [k, v] of Object.entries(changes)) (v == null || v === '') ? u.searchParams.delete(k) : u.searchParams.set(k, v);
  history.replaceState(null, '', u.href);
}

async function render() {
  const route = resolve();
  if (route.redirect) return navigate(route.redirect, { replace: true });
  markNav(route.path);
  if (current?.page === route.page && current.instance?.update?.(route)) return;
  current?.instance?.unmount?.();
  current = null;
  const count = ++renderCount;
  let module;
  try {
    module = await import(`./pages/${route.page}.js`);
  } catch (error) {
    put(main, errorText(`Cannot load the page: ${error.message}`));
    return;
  }
  if (count !== renderCount) return; // a later navigation won while the module loaded
  put(main);
  current = { page: route.page, instance: module.mount(main, route) || {} };
}

function markNav(path) {
  const section = path.split('/')[0];
  for (const link of document.querySelectorAll('nav[aria-label="Main"] a')) {
    const href = link.getAttribute('href');
    const active = href === section || href === `${section}s`;
    if (active) link.setAttribute('aria-current', 'page'); else link.removeAttribute('aria-current');
  }
}

// Links inside the UI are followed without reloading; API links (JUnit, …) and new-tab clicks are left alone.
document.addEventListener('click', (event) => {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const link = event.target.closest('a[href]');
  if (!link || link.target || link.hasAttribute('download')) return;
  const target = new URL(link.href);
  if (target.origin !== location.origin || !target.pathname.startsWith(basePath)) return;
  const rest = target.pathname.slice(basePath.length);
  if (rest.startsWith('api/') || rest.startsWith('static/')) return;
  event.preventDefault();
  history.pushState(null, '', target.href);
  render();
});

window.addEventListener('popstate', render);
render();
