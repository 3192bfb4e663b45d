// Start-up, sign-in state and the hash router. Each page is a module under pages/ that renders into its
// own container inside <main>; a newer navigation detaches the old container, so a slow page can never
// write into the next one.
import { api, session, setUnauthorizedHandler } from './api.js';
import * as live from './live.js';
import { h } from './ui/dom.js';

const RETURN_KEY = 'fleetjobs.return';

/**
 * [pattern, module, data-page, what else the page needs]; patterns match the path part of the hash. What else:
 * the modules its module imports, fetched in parallel with it rather than a wave of imports at a time, and its
 * first request, sent while the modules load (ctx.first), when it needs no answer to be built.
 */
const EXECUTION = {
  modules: ['./pages/executionTargets.js', './pages/failureGroups.js', './pages/rollout.js', './pages/targetDrawer.js',
    './ui/forms.js', './ui/chips.js'],
  first: (params, signal) => api.get(`/executions/${encodeURIComponent(params[params.length - 1])}`, { signal }),
};
const JOB = {
  modules: ['./pages/jobDefinition.js', './pages/jobFleet.js', './ui/forms.js', './ui/diff.js', './ui/chips.js'],
};
const ROUTES = [
  [/^\/login$/, './pages/login.js', 'login'],
  [/^\/?$/, './pages/overview.js', 'overview'],
  [/^\/jobs$/, './pages/jobs.js', 'jobs'],
  [/^\/jobs\/new$/, './pages/job.js', 'job'],
  [/^\/jobs\/([^/]+)$/, './pages/job.js', 'job', JOB],
  // An execution with its job known: #/jobs/{job}/executions/{id}. #/executions/{id} still opens it.
  [/^\/jobs\/([^/]+)\/executions\/([^/]+)$/, './pages/execution.js', 'execution', EXECUTION],
  [/^\/executions$/, './pages/executions.js', 'executions'],
  [/^\/executions\/([^/]+)$/, './pages/execution.js', 'execution', EXECUTION],
  [/^\/targetGroups$/, './pages/targetGroups.js', 'target-groups'],
  [/^\/targetGroups\/([^/]+)$/, './pages/targetGroup.js', 'target-group'],
  [/^\/credentials$/, './pages/credentials.js', 'credentials'],
  [/^\/alerts$/, './pages/alerts.js', 'alerts'],
  [/^\/alerts\/([^/]+)$/, './pages/alert.js', 'alert'],
  [/^\/executionNotifications$/, './pages/executionNotifications.js', 'execution-notifications'],
  [/^\/settings$/, './pages/settings.js', 'settings'],
];

const main = document.getElementById('main');
let current = null; // {controller, cleanups, container}
let firstRender = true;

export function navigate(route) {
  const target = `#${route}`;
  if (location.hash === target) render();
  else location.hash = target;
}

function parseHash() {
  const raw = location.hash.replace(/^#/, '') || '/';
  const [pathPart, queryPart = ''] = raw.split('?');
  return { path: pathPart || '/', query: Object.fromEntries(new URLSearchParams(queryPart)), raw };
}

function signOut({ remember = false } = {}) {
  if (remember) {
    const { raw } = parseHash();
    if (!raw.startsWith('/login')) sessionStorage.setItem(RETURN_KEY, raw);
  }
  session.clear();
  live.stop();
  showChrome(false);
  navigate('/login');
}

function showChrome(signedIn) {
  document.getElementById('main-nav').hidden = !signedIn;
  document.getElementById('session').hidden = !signedIn;
  if (signedIn && session.me) {
    document.getElementById('session-name').textContent = session.me.name;
    document.getElementById('session-role').textContent = session.me.role;
  }
}

/** Called by the login page once the token is verified. */
export function signedIn() {
  showChrome(true);
  live.start();
  const back = sessionStorage.getItem(RETURN_KEY);
  sessionStorage.removeItem(RETURN_KEY);
  navigate(back && !back.startsWith('/login') ? back : '/');
}

function markNav(path) {
  const section = /^\/jobs\/[^/]+\/executions\//.test(path) ? 'executions' : path.split('/')[1] || 'overview';
  document.querySelectorAll('#main-nav a').forEach((a) => {
    const on = a.dataset.route === section;
    if (on) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  });
}

async function render() {
  const { path, query } = parseHash();
  let match = null;
  for (const [pattern, module, page, needs] of ROUTES) {
    const m = pattern.exec(path);
    if (m) { match = { module, page, needs, params: m.slice(1).map(decodeURIComponent) }; break; }
  }
  if (!session.token && (!match || match.page !== 'login')) {
    if (path !== '/login') sessionStorage.setItem(RETURN_KEY, parseHash().raw);
    navigate('/login');
    return;
  }
  if (current) {
    current.controller.abort();
    current.cleanups.forEach((fn) => { try { fn(); } catch { /* page already gone */ } });
    current.container.remove();
  }
  const controller = new AbortController();
  const container = h('div', { class: 'page' });
  const me = { controller, cleanups: [], container };
  current = me;
  main.dataset.page = match ? match.page : 'not-found';
  main.setAttribute('aria-busy', 'true');
  // Drop whatever else main holds (the static start-up text, an old page).
  [...main.children].forEach((c) => c.remove());
  main.append(container);
  markNav(path);
  const isCurrent = () => current === me;
  const ctx = {
    params: match ? match.params : [],
    query,
    signal: controller.signal,
    onCleanup: (fn) => me.cleanups.push(fn),
    navigate,
    rerender: () => { if (isCurrent()) render(); },
    isCurrent,
    signedIn,
  };
  try {
    if (!match) {
      container.append(h('h1', {}, 'Page not found'), h('p', {}, 'There is no page at this address. ', h('a', { href: '#/' }, 'Go to the overview')));
    } else {
      preload([match.module, ...(match.needs?.modules || [])]);
      if (match.needs?.first) {
        ctx.first = match.needs.first(ctx.params, ctx.signal);
        // The page awaits it; this only keeps a page left before it asks from reporting an unhandled failure.
        ctx.first.catch(() => {});
      }
      const mod = await import(match.module);
      if (!isCurrent()) return;
      await mod.render(container, ctx);
    }
  } catch (e) {
    if (e.name === 'AbortError' || !isCurrent()) return;
    console.error(e);
    if (!container.querySelector('h1')) container.prepend(h('h1', {}, 'Something went wrong'));
    container.append(h('p', { class: 'error-box', role: 'alert' }, e.message || String(e)));
  } finally {
    if (isCurrent()) {
      main.removeAttribute('aria-busy');
      const heading = container.querySelector('h1');
      document.title = heading ? `${heading.textContent} · fleetjobs` : 'fleetjobs';
      // Move focus to the new page's heading so screen readers announce it; not on the first load.
      if (!firstRender && heading && !container.contains(document.activeElement)) {
        heading.setAttribute('tabindex', '-1');
        heading.focus({ preventScroll: true });
      }
      firstRender = false;
    }
  }
}

const preloaded = new Set();
/** Module preloads for modules of js/, each once a document: they arrive together, not import by import. */
function preload(modules) {
  for (const module of modules) {
    const href = new URL(module, import.meta.url).href;
    if (preloaded.has(href)) continue;
    preloaded.add(href);
    document.head.append(h('link', { rel: 'modulepreload', href }));
  }
}

async function start() {
  setUnauthorizedHandler(() => { if (session.token) signOut({ remember: true }); });
  window.addEventListener('fleetjobs:unauthorized', () => { if (session.token) signOut({ remember: true }); });
  document.getElementById('sign-out').addEventListener('click', () => signOut());
  // The skip link targets #main, which the hash router would take for a route: focus main instead.
  document.querySelector('[data-skip]').addEventListener('click', (e) => {
    e.preventDefault();
    main.focus();
  });
  window.addEventListener('hashchange', render);
  if (session.token) {
    showChrome(true);
    live.start();
    // Re-check the role in the background: it may have been revoked since the tab signed in.
    api.get('/me').then((me) => {
      session.save(session.token, me);
      showChrome(true);
    }).catch(() => { /* 401 is handled by the client */ });
  }
  render();
}

start();
