// "What failed and why": an execution's Failed and TimedOut targets grouped by cause (GET …/failureGroups),
// the biggest group first, before the target table. A group opens to its databases, a page at a time (the
// target list filtered by failureGroup), and can narrow the table to itself or copy its names.
// Hooks: details.failure-group[data-failure-group][data-error-code], .failure-count.
import { api, path, withQuery } from '../api.js';
import { h, fill, errorBox } from '../ui/dom.js';
import { lifecycleBadge, withoutAttemptPreamble } from '../ui/format.js';
import { count } from '../ui/progress.js';
import { targetLabel } from './targetDrawer.js';

const SHOWN = 5;
const NAMES_PAGE = 200;

/** @param targets the targets panel, which a group can narrow */
export function failureGroupsPanel(ctx, { jobName, executionId, targets }) {
  const { signal } = ctx;
  const body = h('div', {});
  const title = h('h2', { id: 'failures-title' }, 'Failures by cause');
  const element = h('section', { class: 'card', 'aria-labelledby': 'failures-title', 'data-failure-groups': '', hidden: true },
    title, body);
  const opened = new Set();
  let showAll = false;

  async function refresh() {
    try {
      const page = await api.list(path`/jobs/${jobName}/executions/${executionId}/failureGroups`, { $top: 100 }, { signal });
      if (!ctx.isCurrent()) return;
      draw(page);
    } catch (e) {
      if (e.name !== 'AbortError') fill(body, errorBox(e));
    }
  }

  function draw(page) {
    const groups = page.value || [];
    element.hidden = !groups.length;
    if (!groups.length) return;
    fill(title, 'Failures by cause ', h('span', { class: 'muted' },
      `· ${count(page.failedTargets)} target${page.failedTargets === 1 ? '' : 's'}, ${count(page.count)} cause${page.count === 1 ? '' : 's'}`));
    const shown = showAll ? groups : groups.slice(0, SHOWN);
    fill(body, shown.map(group), groups.length > shown.length
      ? h('button', { type: 'button', class: 'secondary small', onclick: () => { showAll = true; draw(page); } },
        `Show all ${count(page.count)} causes`) : null);
  }

  function group(g) {
    const names = h('div', {});
    const details = h('details', { class: 'failure-group', 'data-failure-group': g.failureGroup,
      'data-error-code': g.errorCode || '', open: opened.has(g.failureGroup) },
    h('summary', {},
      h('span', { class: 'count failure-count' }, `${count(g.targets)} `, g.targets === 1 ? 'target' : 'targets'),
      g.lifecycle === 'TimedOut' ? lifecycleBadge('TimedOut') : null,
      g.errorCode ? h('span', { class: 'code', title: 'SQLSTATE or SQL Server error number' }, g.errorCode) : null,
      h('span', { class: 'cause', title: g.cause }, readable(g) || '(no message)')),
    h('div', { class: 'group-body' },
      h('p', { class: 'muted' }, 'For example: '),
      h('pre', { class: 'code' }, g.exampleMessage || ''),
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'secondary small', onclick: () => targets.showFailureGroup(g.failureGroup, shortCause(g)) }, 'Show in the table'),
        h('button', { type: 'button', class: 'secondary small', onclick: () => targets.copyNames({ failureGroup: g.failureGroup }, 'failed') }, 'Copy names')),
      names));
    details.addEventListener('toggle', () => {
      if (details.open) {
        opened.add(g.failureGroup);
        if (!names.childElementCount) loadNames(g, names, 0);
      } else {
        opened.delete(g.failureGroup);
      }
    });
    if (details.open) loadNames(g, names, 0);
    return details;
  }

  async function loadNames(g, box, skip) {
    try {
      const page = await api.get(withQuery(path`/jobs/${jobName}/executions/${executionId}/targets`,
        { failureGroup: g.failureGroup, sort: 'name', $top: NAMES_PAGE, $skip: skip }), { signal });
      const list = box.querySelector('ul.names') || box.appendChild(h('ul', { class: 'names' }));
      box.querySelector('button.more')?.remove();
      list.append(...(page.value || []).map((t) => h('li', { 'data-target': `${t.target?.serverName ?? ''}/${t.target?.databaseName ?? ''}` }, targetLabel(t))));
      const shown = skip + (page.value || []).length;
      if (shown < page.count) {
        box.append(h('button', { type: 'button', class: 'secondary small more', onclick: () => loadNames(g, box, shown) },
          `Show ${count(Math.min(NAMES_PAGE, page.count - shown))} more of ${count(page.count)}`));
      }
    } catch (e) {
      if (e.name !== 'AbortError') box.append(errorBox(e));
    }
  }

  return { element, refresh };
}

/**
 * The group's example message without the executor's "Attempt 2 of step 1 failed on target (…): " preamble: a
 * real message reads better than the normalized cause, whose numbers are all "#".
 */
function readable(g) {
  const example = withoutAttemptPreamble((g.exampleMessage || '').split('\n')[0]);
  return example || g.cause;
}

function shortCause(g) {
  const text = `${g.errorCode ? `${g.errorCode} ` : ''}${readable(g) || ''}`;
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}
