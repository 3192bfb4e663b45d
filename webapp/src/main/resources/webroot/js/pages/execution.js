// One job execution: its steps, each target's row (lifecycle, attempts, duration, last message), Cancel
// and Rerun failed targets. While it runs, "execution" events for it refetch the tree (debounced 300 ms),
// so the page follows the run without polling.
import { api, path } from '../api.js';
import { on } from '../live.js';
import { h, fill, link, announce, errorBox } from '../ui/dom.js';
import { time, duration, lifecycleBadge, shortId } from '../ui/format.js';
import { formAlert, submitting } from '../ui/forms.js';
import { table, row } from '../ui/table.js';
import { can } from '../roles.js';
import { rolloutPanel, pausedButtons, summaryLines, dryRunResult } from './rollout.js';

const FAILED = new Set(['Failed', 'TimedOut']);
const DEBOUNCE_MS = 300;

export async function render(view, ctx) {
  const id = ctx.params[0];
  const { signal } = ctx;
  const heading = h('h1', {}, `Execution ${shortId(id)}`);
  const toolbar = h('form', { class: 'toolbar', 'aria-label': 'Execution actions' }, formAlert());
  toolbar.addEventListener('submit', (e) => e.preventDefault());
  const summaryBox = h('section', { class: 'card', 'aria-label': 'Summary' });
  const stepsBox = h('div', {});
  const liveNote = h('p', { class: 'muted', role: 'status' });
  view.append(h('div', { class: 'page-head' }, heading), toolbar, summaryBox, liveNote, stepsBox);

  // Which message details are open, so a live refresh does not fold what the reader unfolded.
  const openState = new Map();

  async function load() {
    const x = await api.get(path`/executions/${id}`, { signal });
    // The job, for its current version: the one a rerun runs.
    const [steps, targets, job] = await Promise.all([
      api.all(path`/jobs/${x.jobName}/executions/${id}/steps`, {}, { signal }),
      api.all(path`/jobs/${x.jobName}/executions/${id}/targets`, {}, { signal }),
      api.get(path`/jobs/${x.jobName}`, { signal }),
    ]);
    return { x, steps, targets, job };
  }

  function draw({ x, steps, targets, job }) {
    heading.textContent = `${x.dryRun ? 'Dry run' : 'Execution'} ${shortId(id)} of ${x.jobName}`;
    drawToolbar(x, targets, job);
    fill(summaryBox, h('dl', { class: 'kv' },
      h('dt', {}, 'Job'), h('dd', {}, link(`/jobs/${encodeURIComponent(x.jobName)}`, x.jobName), ` (version ${x.jobVersion})`),
      h('dt', {}, 'Lifecycle'), h('dd', {}, lifecycleBadge(x.lifecycle)),
      h('dt', {}, 'Execution id'), h('dd', { class: 'mono' }, x.jobExecutionId),
      summaryLines(x),
      x.rerunOf ? [h('dt', {}, 'Rerun of'), h('dd', {}, link(`/executions/${x.rerunOf}`, x.rerunOf, { class: 'mono' }))] : null,
      h('dt', {}, 'Created'), h('dd', {}, time(x.createTime)),
      h('dt', {}, 'Started'), h('dd', {}, time(x.startTime)),
      h('dt', {}, 'Ended'), h('dd', {}, time(x.endTime)),
      h('dt', {}, 'Duration'), h('dd', {}, duration(x.startTime || x.createTime, x.endTime)),
      x.lastMessage ? [h('dt', {}, 'Message'), h('dd', { class: 'exec-message' }, x.lastMessage)] : null));
    liveNote.textContent = x.isActive ? 'In progress: this page follows the run live.' : '';

    // Group targets by step; steps that have not started yet still get a heading.
    const byStep = new Map();
    for (const s of steps) byStep.set(s.stepName, { step: s, targets: [] });
    for (const t of targets) {
      if (!byStep.has(t.stepName)) byStep.set(t.stepName, { step: { stepName: t.stepName, stepId: t.stepId }, targets: [] });
      byStep.get(t.stepName).targets.push(t);
    }
    const groups = [...byStep.values()].sort((a, b) => (a.step.stepId ?? 0) - (b.step.stepId ?? 0));
    const focusedKey = document.activeElement?.closest?.('tr[data-target]') ? keyOf(document.activeElement.closest('tr')) : null;
    fill(stepsBox, groups.length ? groups.map(({ step, targets: ts }) => stepSection(step, ts)) : h('section', { class: 'card' }, h('p', { class: 'muted' }, 'No steps have started yet.')));
    if (focusedKey) stepsBox.querySelector(`tr[data-key="${CSS.escape(focusedKey)}"] summary`)?.focus();
  }

  function keyOf(tr) { return tr.dataset.key; }

  function stepSection(step, targets) {
    const title = `Step ${step.stepId ?? '?'}: ${step.stepName}`;
    return h('section', { class: 'card', 'aria-label': title, 'data-step-section': step.stepName },
      h('h2', {}, title, ' ', step.lifecycle ? lifecycleBadge(step.lifecycle) : null),
      step.lastMessage ? h('p', { class: 'muted' }, step.lastMessage) : null,
      rolloutPanel(step),
      table({
        caption: `Targets of ${title}`,
        columns: ['Target', 'Lifecycle', { label: 'Attempts', className: 'num' }, 'Started', 'Duration', 'Last message'],
        rows: targets
          .sort((a, b) => targetName(a).localeCompare(targetName(b)))
          .map((t) => targetRow(t)),
        empty: 'No targets yet.',
      }));
  }

  function targetRow(t) {
    const key = `${t.stepName}\u0000${targetName(t)}`;
    const message = t.lastMessage || '';
    const remembered = openState.get(key);
    const details = h('details', { open: remembered ?? (FAILED.has(t.lifecycle) && !!message) },
      h('summary', {}, h('span', { class: 'preview' }, message ? firstWords(message) : 'No message'),
        h('span', { class: 'when-open' }, 'Message')),
      h('p', { class: 'target-message' }, message),
      dryRunResult(t.dryRunResult));
    details.addEventListener('toggle', () => openState.set(key, details.open));
    return row([
      h('div', {}, targetName(t), authenticationNote(t.target)),
      lifecycleBadge(t.lifecycle),
      { cell: true, content: String(t.currentAttempts ?? 0), className: 'num' },
      time(t.startTime, { short: true }),
      duration(t.startTime, t.endTime),
      details,
    ], { 'data-target': targetName(t), 'data-step': t.stepName, 'data-key': key });
  }

  function drawToolbar(x, targets, job) {
    const alert = toolbar.querySelector('.form-alert');
    [...toolbar.querySelectorAll('button')].forEach((b) => b.remove());
    if (x.isActive && can('cancelJobExecution')) {
      toolbar.prepend(h('button', { type: 'button', class: 'danger', onclick: () => submitting(toolbar, async () => {
        await api.post(path`/jobs/${x.jobName}/executions/${id}/cancel`);
        announce('Cancel requested.');
        await refresh();
      }) }, 'Cancel execution'));
    }
    toolbar.prepend(...pausedButtons(x, toolbar, refresh));
    const hasFailed = targets.some((t) => FAILED.has(t.lifecycle)) || FAILED.has(x.lifecycle);
    if (!x.isActive && hasFailed && can('rerunFailedTargets')) {
      // The button names the version it runs, and sends it, so a version saved meanwhile does not run unseen.
      const version = job.version;
      const note = version === x.jobVersion
        ? `This execution ran version ${version} too.`
        : `This execution ran version ${x.jobVersion}; the job has been changed since.`;
      toolbar.prepend(h('button', { type: 'button', title: note, onclick: () => submitting(toolbar, async () => {
        const rerun = await api.post(path`/jobs/${x.jobName}/executions/${id}/rerunFailed`, { jobVersion: version });
        announce(`Rerun of version ${version} started.`);
        ctx.navigate(`/executions/${rerun.jobExecutionId}`);
      }) }, `Rerun failed targets on version ${version}`));
    }
    toolbar.append(alert);
  }

  async function refresh() {
    try {
      const data = await load();
      if (ctx.isCurrent()) draw(data);
    } catch (e) {
      if (e.name !== 'AbortError' && ctx.isCurrent()) fill(liveNote, errorBox(e));
    }
  }

  let timer = null;
  ctx.onCleanup(on('execution', (event) => {
    if (event.jobExecutionId !== id) return;
    // Coalesce a burst of events (one per finished target) into one refetch 300 ms after the first.
    if (timer) return;
    timer = setTimeout(() => { timer = null; refresh(); }, DEBOUNCE_MS);
  }));
  ctx.onCleanup(() => clearTimeout(timer));

  draw(await load());
}

function targetName(t) {
  return `${t.target?.serverName ?? ''}/${t.target?.databaseName ?? ''}`;
}

function firstWords(text) {
  const line = text.split(/\r?\n/)[0];
  return line.length > 48 ? `${line.slice(0, 48)}…` : line;
}

/** The engine and how the agent signs in there (SqlLogin, or its Entra identity for SQL Server targets). */
function authenticationNote(target) {
  if (!target?.engine) return null;
  const how = target.authentication ? ` · ${target.authentication}` : '';
  return h('div', { class: 'muted target-auth', title: 'Engine and authentication' }, `${target.engine}${how}`);
}
