// A job's fleet state, "who is behind" (GET /jobs/{name}/fleetState): every database its steps' groups expand
// to now and every one it reached in its history, behind first, with the counts of each state, filter chips,
// search, sort and pages. Members that could not be listed are shown above, not hidden. An execution of the
// job that ends refreshes it. Hooks: [data-fleet-counts] with data-current/-behind/-failing/-not-targeted,
// tr[data-database="{server}/{database}"][data-state].
import { api, path } from '../api.js';
import { on } from '../live.js';
import { h, fill, errorBox, uid, executionRoute } from '../ui/dom.js';
import { time, lifecycleBadge, badge, shortId, withoutAttemptPreamble } from '../ui/format.js';
import { table, row, countedPager } from '../ui/table.js';
import { chips } from '../ui/chips.js';
import { count } from '../ui/progress.js';

const TOP = 100;
const STATES = [['Failing', 'Failing', 'bad'], ['Behind', 'Behind', 'warn'], ['NotTargeted', 'No longer targeted', 'muted'],
  ['Current', 'Current', 'ok']];
const SORTS = [['state', 'Behind first'], ['name', 'Name'], ['lastSucceeded', 'Longest since a success']];

export async function fleetPanel(ctx, jobName) {
  const { signal } = ctx;
  const state = { states: new Set(), search: '', sort: 'state', skip: 0 };
  const countsBox = h('p', { class: 'fleet-counts', 'data-fleet-counts': '', role: 'status' });
  const errorsBox = h('div', {});
  const chipsBox = h('div', {});
  const searchId = uid('fleet-search');
  const search = h('input', { id: searchId, type: 'search', name: 'search', placeholder: 'server or database', autocomplete: 'off' });
  const sortId = uid('fleet-sort');
  const sort = h('select', { id: sortId, name: 'sort' }, SORTS.map(([v, l]) => h('option', { value: v }, l)));
  const tableBox = h('div', { role: 'region', 'aria-label': 'Fleet state', 'aria-busy': 'true' });
  const element = h('section', { class: 'card', 'aria-labelledby': 'fleet-title', 'data-fleet': '' },
    h('h2', { id: 'fleet-title' }, 'Fleet state'),
    h('p', { class: 'help' }, 'Every database the steps’ target groups expand to now, and every one this job reached in its history: the last run of each step there, and the last version of the job that succeeded there.'),
    countsBox, errorsBox,
    h('div', { class: 'list-tools' }, chipsBox,
      h('div', { class: 'field' }, h('label', { for: searchId }, 'Search databases'), search),
      h('div', { class: 'field' }, h('label', { for: sortId }, 'Sort'), sort)),
    tableBox);

  let searchTimer = null;
  search.addEventListener('input', () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => { state.search = search.value.trim(); state.skip = 0; load(); }, 250);
  });
  sort.addEventListener('change', () => { state.sort = sort.value; state.skip = 0; load(); });
  ctx.onCleanup(() => clearTimeout(searchTimer));

  let loading = 0;
  async function load() {
    const mine = ++loading;
    tableBox.setAttribute('aria-busy', 'true');
    try {
      const page = await api.list(path`/jobs/${jobName}/fleetState`, {
        state: [...state.states].join(','), search: state.search, sort: state.sort, $top: TOP, $skip: state.skip,
      }, { signal });
      if (mine !== loading || !ctx.isCurrent()) return;
      draw(page);
    } catch (e) {
      if (e.name !== 'AbortError' && mine === loading) fill(tableBox, errorBox(e));
    } finally {
      if (mine === loading) tableBox.removeAttribute('aria-busy');
    }
  }

  function draw(page) {
    const c = page.counts || {};
    countsBox.dataset.current = c.current ?? 0;
    countsBox.dataset.behind = c.behind ?? 0;
    countsBox.dataset.failing = c.failing ?? 0;
    countsBox.dataset.notTargeted = c.notTargeted ?? 0;
    fill(countsBox,
      h('strong', {}, count(c.current)), ' on the current version (', String(page.currentVersion), '), ',
      h('strong', {}, count(c.behind)), ' behind, ',
      h('strong', {}, count(c.failing)), ' failing',
      c.notTargeted ? [', ', h('strong', {}, count(c.notTargeted)), ' no longer targeted'] : null, '.');
    fill(errorsBox, (page.memberErrors || []).map((e) => h('p', { class: 'error-box', role: 'alert', 'data-member-error': '' },
      `Could not list ${e.member?.type || 'a member'} ${e.member?.serverName || ''} of group ${e.targetGroup}: ${e.error} `,
      h('span', {}, 'Its databases are shown as their history left them.'))));
    fill(chipsBox, chips({
      label: 'Show databases by state',
      values: STATES.map(([value, text]) => [value, text, c[stateKey(value)] || 0]),
      chosen: state.states,
      onChange: (next) => { state.states = next; state.skip = 0; load(); },
    }));
    const steps = page.steps || [];
    const items = page.value || [];
    fill(tableBox,
      h('p', { class: 'list-count' }, `${count(page.count)} database${page.count === 1 ? '' : 's'}${state.states.size || state.search ? ' match' : ''}`),
      table({
        caption: `Fleet state of ${jobName}`,
        className: 'compact',
        columns: ['Database', 'State', 'Last succeeded version', 'Succeeded', ...steps.map((s) => `Step ${s}`), 'Last error'],
        rows: items.map((d) => {
          const runs = new Map((d.steps || []).map((r) => [r.stepName, r]));
          return row([
            h('span', { class: 'target-name' }, `${d.serverName}/${d.databaseName}`),
            stateBadge(d.state),
            d.lastSucceededVersion === null || d.lastSucceededVersion === undefined
              ? h('span', { class: 'muted' }, 'never')
              : [`version ${d.lastSucceededVersion}`, d.isCurrentVersion ? h('span', { class: 'muted' }, ' (current)') : null],
            d.lastSucceededTime ? h('a', { href: `#${executionRoute(jobName, d.lastSucceededExecutionId)}`, title: `Execution ${shortId(d.lastSucceededExecutionId)}` }, time(d.lastSucceededTime, { short: true })) : h('span', { class: 'muted' }, '—'),
            ...steps.map((s) => {
              const r = runs.get(s);
              return r ? h('a', { href: `#${executionRoute(jobName, r.jobExecutionId)}` }, lifecycleBadge(r.lifecycle)) : h('span', { class: 'muted' }, 'not run');
            }),
            d.lastError ? h('span', { class: 'one-line error-text', title: d.lastError }, withoutAttemptPreamble(d.lastError)) : '',
          ], { 'data-database': `${d.serverName}/${d.databaseName}`, 'data-state': d.state });
        }),
        empty: state.states.size || state.search ? 'No database matches.' : 'No databases: the groups expand to none, and the job has no history.',
      }),
      countedPager({ skip: state.skip, top: TOP, shown: items.length, total: page.count, label: 'Fleet pages',
        go: (s) => { state.skip = s; load(); } }));
  }

  // The fleet moves when a run of this job ends.
  let dirty = false;
  ctx.onCleanup(on('execution', (e) => { if (e.jobName === jobName && !e.isActive) dirty = true; }));
  ctx.onCleanup(on('agent', () => { if (dirty && element.isConnected) { dirty = false; load(); } }));

  await load();
  return element;
}

function stateKey(value) {
  return value.charAt(0).toLowerCase() + value.slice(1);
}

function stateBadge(value) {
  const [, text, tone] = STATES.find(([v]) => v === value) || [value, value, 'muted'];
  return badge(text, tone, { 'data-state': value });
}
