// An execution's targets, a page at a time from the server (GET …/targets with lifecycle, search, sort, $top,
// and each page's nextSkipToken for the next, so page 100 costs what page 1 costs): filter chips per lifecycle with
// the summary's counts (chosen at first from the link's ?lifecycle=), a search box, the sort, and a drawer per row.
// Failed and timed-out rows show their message's first line; success rows show none, as they would all say the
// same. Hooks: tr[data-target][data-step], .target-message in the row's details, and the table region's
// aria-busy while a page loads.
import { api, path, withQuery } from '../api.js';
import { h, fill, errorBox, uid, announce } from '../ui/dom.js';
import { time, duration, lifecycleBadge, withoutAttemptPreamble } from '../ui/format.js';
import { table, row, countedPager } from '../ui/table.js';
import { chips } from '../ui/chips.js';
import { count } from '../ui/progress.js';
import { openDrawer, closeDrawer, targetLabel } from './targetDrawer.js';
import { dryRunResult } from './rollout.js';

export const TOP = 100;
const FAILED = new Set(['Failed', 'TimedOut']);
const CHIPS = [['Failed', 'Failed'], ['TimedOut', 'Timed out'], ['InProgress', 'Running'],
  ['WaitingForRetry', 'Waiting to retry'], ['Created', 'Queued'], ['Succeeded', 'Succeeded'],
  ['Canceled', 'Canceled'], ['Skipped', 'Skipped']];
const SORTS = [['lifecycle', 'Failures first'], ['name', 'Name'], ['duration', 'Longest first'],
  ['endTime', 'Latest ended first'], ['step', 'Step, then name']];
const SEARCH_DELAY_MS = 250;

/** The targets card of the execution page; setSummary() keeps the chips' counts, refresh() the page. */
export function targetsPanel(ctx, { jobName, executionId }) {
  const { signal } = ctx;
  // A link may open the page filtered (a notice's "failed targets": #/executions/{id}?lifecycle=Failed,TimedOut).
  const linked = (ctx.query?.lifecycle || '').split(',').filter((v) => CHIPS.some(([chip]) => chip === v));
  // skip is where the page starts, for the range shown; token is the $skipToken it was read with (null for the
  // first page), and back the tokens of the pages before it, for Previous.
  const state = { lifecycles: new Set(linked), search: '', sort: 'lifecycle', skip: 0, token: null, back: [],
    failureGroup: null, groupLabel: '' };
  let summary = null;
  let loaded = null; // the last page, so a live refresh keeps what the reader opened
  const openMessages = new Map();
  const chipsBox = h('div', {});
  const searchId = uid('search');
  const search = h('input', { id: searchId, type: 'search', name: 'search', placeholder: 'server or database',
    autocomplete: 'off', spellcheck: 'false' });
  const sortId = uid('sort');
  const sort = h('select', { id: sortId, name: 'sort' }, SORTS.map(([v, l]) => h('option', { value: v, selected: v === state.sort }, l)));
  const groupNote = h('p', { class: 'muted', hidden: true });
  const copyBox = h('div', { class: 'copy-list' });
  const copyButton = h('button', { type: 'button', class: 'secondary small' }, 'Copy failed names');
  const tableBox = h('div', { role: 'region', 'aria-label': 'Target list', 'aria-busy': 'true' });
  const element = h('section', { class: 'card', 'aria-labelledby': 'targets-title', 'data-targets': '' },
    h('div', { class: 'page-head' }, h('h2', { id: 'targets-title' }, 'Targets'), copyButton),
    h('div', { class: 'list-tools' }, chipsBox,
      h('div', { class: 'field' }, h('label', { for: searchId }, 'Search targets'), search),
      h('div', { class: 'field' }, h('label', { for: sortId }, 'Sort'), sort)),
    groupNote, copyBox, tableBox);

  function toFirstPage() {
    state.skip = 0;
    state.token = null;
    state.back = [];
  }

  /** To the page after (by the last page's token) or before (by the token it was read with) this one. */
  function turn(skip) {
    if (skip > state.skip && loaded?.nextSkipToken) {
      state.back.push(state.token);
      state.token = loaded.nextSkipToken;
      state.skip = skip;
    } else if (skip < state.skip) {
      state.token = state.back.pop() ?? null;
      state.skip = state.token ? skip : 0;
    }
    refresh();
  }

  let searchTimer = null;
  search.addEventListener('input', () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => { state.search = search.value.trim(); toFirstPage(); refresh(); }, SEARCH_DELAY_MS);
  });
  ctx.onCleanup(() => clearTimeout(searchTimer));
  sort.addEventListener('change', () => { state.sort = sort.value; toFirstPage(); refresh(); });
  copyButton.addEventListener('click', () => copyNames({ lifecycle: 'Failed,TimedOut' }, 'failed'));

  function drawChips() {
    const by = summary?.targets?.byLifecycle || {};
    fill(chipsBox, chips({
      label: 'Show targets by lifecycle',
      values: CHIPS.map(([value, text]) => [value, text, by[value] || 0]),
      chosen: state.lifecycles,
      onChange: (next) => { state.lifecycles = next; toFirstPage(); state.failureGroup = null; drawChips(); refresh(); },
    }));
    const failed = (summary?.targets?.failed || 0) + (summary?.targets?.timedOut || 0);
    copyButton.hidden = !failed;
  }

  function query() {
    return {
      lifecycle: [...state.lifecycles].join(','),
      search: state.search,
      sort: state.sort,
      failureGroup: state.failureGroup,
      $top: TOP,
      $skipToken: state.token,
    };
  }

  let loading = 0;
  async function refresh() {
    const mine = ++loading;
    tableBox.setAttribute('aria-busy', 'true');
    try {
      const page = await api.list(path`/jobs/${jobName}/executions/${executionId}/targets`, query(), { signal });
      if (mine !== loading || !ctx.isCurrent()) return;
      loaded = page;
      draw(page);
    } catch (e) {
      if (e.name !== 'AbortError' && mine === loading) fill(tableBox, errorBox(e));
    } finally {
      if (mine === loading) tableBox.removeAttribute('aria-busy');
    }
  }

  function draw(page) {
    const items = page.value || [];
    const focusedKey = document.activeElement?.closest?.('tr[data-key]')?.dataset.key;
    groupNote.hidden = !state.failureGroup;
    fill(groupNote, state.failureGroup ? [`Showing one failure cause: ${state.groupLabel} `,
      h('button', { type: 'button', class: 'secondary small', onclick: () => { state.failureGroup = null; toFirstPage(); refresh(); } }, 'Show all targets')] : []);
    fill(tableBox,
      h('p', { class: 'list-count', role: 'status' }, `${count(page.count)} target${page.count === 1 ? '' : 's'}${filtered() ? ' match' : ''}`),
      table({
        caption: 'Targets of the execution',
        className: 'compact',
        columns: ['Target', 'Step', 'Lifecycle', { label: 'Attempts', className: 'num' }, 'Ended', 'Duration', 'Message', 'Details'],
        rows: items.map(targetRow),
        empty: filtered() ? 'No target matches.' : 'No targets yet.',
      }),
      countedPager({ skip: state.skip, top: TOP, shown: items.length, total: page.count, label: 'Target pages',
        go: turn }));
    if (focusedKey) tableBox.querySelector(`tr[data-key="${CSS.escape(focusedKey)}"] summary`)?.focus();
  }

  function filtered() {
    return state.lifecycles.size || state.search || state.failureGroup;
  }

  function targetRow(t) {
    const name = `${t.target?.serverName ?? ''}/${t.target?.databaseName ?? ''}`;
    const key = t.targetExecutionId;
    const message = t.lastMessage || '';
    // A success says the same thing on every row: its message is in the drawer, not in the list.
    const quiet = !FAILED.has(t.lifecycle) && t.lifecycle !== 'WaitingForRetry';
    let cell;
    if (t.dryRunResult) {
      // What a dry run saw: each statement's rows and the first rows, as the rolled-back transaction saw them.
      const details = h('details', { open: openMessages.get(key) ?? false },
        h('summary', {}, h('span', { class: 'preview' }, quiet || !message ? 'What the dry run saw' : firstLine(message)),
          h('span', { class: 'when-open' }, 'Dry run')),
        quiet || !message ? null : h('p', { class: 'target-message' }, message),
        dryRunResult(t.dryRunResult));
      details.addEventListener('toggle', () => openMessages.set(key, details.open));
      cell = details;
    } else if (quiet || !message) {
      cell = h('span', { class: 'muted' }, '');
    } else {
      // Closed until opened: the failure groups above say why, and a row stays one line.
      const details = h('details', { open: openMessages.get(key) ?? false },
        h('summary', {}, h('span', { class: 'preview' }, firstLine(message)), h('span', { class: 'when-open' }, 'Message')),
        h('p', { class: 'target-message' }, message));
      details.addEventListener('toggle', () => openMessages.set(key, details.open));
      cell = details;
    }
    const more = h('button', { type: 'button', class: 'secondary small', 'aria-label': `Details of ${targetLabel(t)}, step ${t.stepName}` }, 'Details');
    const tr = row([
      h('div', {}, h('span', { class: 'target-name' }, targetLabel(t)), authenticationNote(t.target)),
      t.stepName,
      lifecycleBadge(t.lifecycle),
      { cell: true, content: String(t.currentAttempts ?? 0), className: 'num' },
      time(t.endTime, { short: true }),
      duration(t.startTime, t.endTime),
      { cell: true, content: cell, className: 'msg' },
      more,
    ], { 'data-target': name, 'data-step': t.stepName, 'data-key': key });
    more.addEventListener('click', () => {
      tableBox.querySelectorAll('tr.row-open').forEach((r) => r.classList.remove('row-open'));
      tr.classList.add('row-open');
      openDrawer(t, { jobName, executionId, signal, onClose: () => tr.classList.remove('row-open') });
    });
    return tr;
  }

  /** Every name of a filter, fetched a page of 1,000 at a time, into a box to copy from (and the clipboard). */
  async function copyNames(filter, what) {
    fill(copyBox, h('p', { class: 'muted', role: 'status' }, 'Collecting the names…'));
    try {
      const names = [];
      const list = path`/jobs/${jobName}/executions/${executionId}/targets`;
      let token;
      do {
        const page = await api.get(withQuery(list, { ...filter, sort: 'name', $top: 1000, $skipToken: token }), { signal });
        names.push(...(page.value || []).map(targetLabel));
        token = page.nextSkipToken;
      } while (token);
      const unique = [...new Set(names)];
      showCopy(copyBox, unique, `${count(unique.length)} ${what} target${unique.length === 1 ? '' : 's'}, one a line`);
    } catch (e) {
      if (e.name !== 'AbortError') fill(copyBox, errorBox(e));
    }
  }

  ctx.onCleanup(closeDrawer);
  return {
    element,
    setSummary(next) { summary = next; drawChips(); },
    refresh,
    /** Narrows the table to one failure group's targets (from the failure groups card). */
    showFailureGroup(group, label) {
      state.failureGroup = group;
      state.groupLabel = label;
      state.lifecycles = new Set();
      toFirstPage();
      drawChips();
      element.scrollIntoView({ block: 'start' });
      return refresh();
    },
    copyNames,
    get page() { return loaded; },
  };
}

/** Names in a read-only text area, selected, and on the clipboard when the browser allows it. */
export function showCopy(box, names, label) {
  const id = uid('copy');
  const area = h('textarea', { id, readonly: true, rows: Math.min(10, Math.max(3, names.length)), class: 'mono', name: 'copiedNames', spellcheck: 'false' });
  area.value = names.join('\n');
  fill(box, h('label', { for: id }, label), area,
    h('div', { class: 'actions' }, h('button', { type: 'button', class: 'secondary small', onclick: () => fill(box) }, 'Close list')));
  area.focus();
  area.select();
  navigator.clipboard?.writeText(area.value).then(() => announce(`Copied ${names.length} names.`)).catch(() => {});
}

function firstLine(text) {
  // The row names its target: the executor's preamble would say it again.
  const line = withoutAttemptPreamble(text.split(/\r?\n/)[0]);
  return line.length > 90 ? `${line.slice(0, 90)}…` : line;
}

/** The engine and how the agent signs in there (SqlLogin, or its Entra identity for SQL Server targets). */
function authenticationNote(target) {
  if (!target?.engine) return null;
  const how = target.authentication ? ` · ${target.authentication}` : '';
  const tls = target.sslMode ? ` · TLS ${target.sslMode}` : '';
  return h('div', { class: 'muted target-auth', title: 'Engine, authentication and TLS mode' },
    `${target.engine}${how}${tls}`);
}
