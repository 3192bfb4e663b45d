// The story of one target, beside the execution's table: where it ran and how the agent signed in, its full
// last message, and every attempt (GET …/targets/{targetExecutionId}/attempts), which Elastic Jobs does not keep.
import { api, path } from '../api.js';
import { h, fill, errorBox } from '../ui/dom.js';
import { time, duration, lifecycleBadge, badge } from '../ui/format.js';
import { table, row } from '../ui/table.js';

let open = null; // {element, returnFocus, onClose}

export function closeDrawer() {
  if (!open) return;
  const { element, returnFocus, onClose } = open;
  open = null;
  element.remove();
  document.removeEventListener('keydown', onKey);
  onClose?.();
  if (returnFocus?.isConnected) returnFocus.focus();
}

function onKey(e) {
  if (e.key === 'Escape') closeDrawer();
}

/** Opens the drawer for a target row of the list API; the drawer closes with its button, Escape or the page. */
export function openDrawer(target, { jobName, executionId, signal, onClose }) {
  closeDrawer();
  const name = targetLabel(target);
  const titleId = 'drawer-title';
  const close = h('button', { type: 'button', class: 'secondary small', onclick: closeDrawer }, 'Close');
  const attemptsBox = h('div', { 'aria-busy': 'true' }, h('p', { class: 'muted' }, 'Loading the attempts…'));
  const t = target.target || {};
  const element = h('aside', { class: 'drawer', role: 'dialog', 'aria-labelledby': titleId, 'data-drawer': name },
    h('div', { class: 'drawer-head' }, h('h2', { id: titleId, tabindex: '-1' }, name), close),
    h('p', {}, lifecycleBadge(target.lifecycle), ' ', h('span', { class: 'muted' }, `step ${target.stepId}: ${target.stepName}`)),
    h('dl', { class: 'kv' },
      h('dt', {}, 'Server'), h('dd', { class: 'mono' }, t.serverName || '—'),
      h('dt', {}, 'Database'), h('dd', { class: 'mono' }, t.databaseName || h('span', { class: 'muted' }, 'none: the server itself could not be listed')),
      h('dt', {}, 'Target type'), h('dd', {}, t.type || '—'),
      h('dt', {}, 'Engine'), h('dd', {}, t.engine || '—'),
      h('dt', {}, 'Authentication'), h('dd', {}, t.authentication || '—'),
      h('dt', {}, 'Attempts'), h('dd', {}, String(target.currentAttempts ?? 0)),
      h('dt', {}, 'Started'), h('dd', {}, time(target.startTime)),
      h('dt', {}, 'Ended'), h('dd', {}, time(target.endTime)),
      h('dt', {}, 'Duration'), h('dd', {}, duration(target.startTime, target.endTime)),
      target.lastErrorCode ? [h('dt', {}, 'Error code'), h('dd', { class: 'mono' }, target.lastErrorCode)] : null),
    h('h3', {}, 'Last message'),
    h('pre', { class: 'code target-full-message' }, target.lastMessage || 'No message.'),
    h('h3', {}, 'Attempts'),
    attemptsBox);
  document.body.append(element);
  open = { element, returnFocus: document.activeElement, onClose };
  document.addEventListener('keydown', onKey);
  element.querySelector('h2').focus();

  api.get(path`/jobs/${jobName}/executions/${executionId}/targets/${target.targetExecutionId}/attempts`, { signal })
    .then((page) => {
      const attempts = page.value || [];
      // Each attempt's message on a line of its own under it: the drawer is too narrow for a message column.
      const rows = attempts.flatMap((a) => [
        row([
          String(a.attempt),
          a.outcome === 'LeaseLost' ? badge('LeaseLost', 'warn', { 'data-outcome': a.outcome }) : lifecycleBadge(a.outcome),
          // host@pid/instance: the host and pid tell agents apart on a page; the whole id is in the title.
          a.agent ? h('span', { class: 'mono', title: a.agent }, a.agent.split('/')[0]) : '—',
          time(a.startTime, { short: true }),
          duration(a.startTime, a.endTime),
        ], { 'data-attempt': String(a.attempt) }),
        a.message ? h('tr', { class: 'attempt-message' }, h('td', { colspan: 5 },
          h('pre', { class: 'target-message' }, [a.errorCode ? `${a.errorCode} · ` : '', a.message]))) : null,
      ]).filter(Boolean);
      fill(attemptsBox, table({
        caption: `Attempts on ${name}`,
        className: 'compact',
        columns: ['#', 'Outcome', 'Agent', 'Started', 'Duration'],
        rows,
        empty: 'No attempt yet: the target is waiting to run.',
      }));
      attemptsBox.removeAttribute('aria-busy');
    })
    .catch((e) => {
      if (e.name === 'AbortError') return;
      fill(attemptsBox, errorBox(e));
      attemptsBox.removeAttribute('aria-busy');
    });
}

export function targetLabel(target) {
  const t = target.target || {};
  return t.databaseName ? `${t.serverName}/${t.databaseName}` : `${t.serverName ?? ''}`;
}
