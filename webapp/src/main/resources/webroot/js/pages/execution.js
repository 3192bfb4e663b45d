// One job execution, for a fleet of any size: a header with the run's progress (done, failed, running,
// waiting; rate and estimate while live), counts per step, the failures grouped by cause, and the targets a page
// at a time with filters, search, sort and a drawer per target. Counts come from the server (…/summary, and the
// summary each live "execution" event carries), never from counting rows here. Cancel and Rerun failed targets.
import { api, path } from '../api.js';
import { on } from '../live.js';
import { h, fill, link, announce, errorBox, executionRoute } from '../ui/dom.js';
import { time, duration, lifecycleBadge, shortId } from '../ui/format.js';
import { formAlert, submitting } from '../ui/forms.js';
import { table, row } from '../ui/table.js';
import { progressBar, percentDone, rateText, count } from '../ui/progress.js';
import { can } from '../roles.js';
import { targetsPanel } from './executionTargets.js';
import { failureGroupsPanel } from './failureGroups.js';
import { rolloutPanel, pausedButtons, summaryLines } from './rollout.js';

const FAILED = new Set(['Failed', 'TimedOut']);
/** While a run is live, the table and the failure groups follow it at most this often; counts follow at once. */
const LIST_REFRESH_MS = 2000;

export async function render(view, ctx) {
  // #/jobs/{job}/executions/{id} names the job; #/executions/{id} does not, and the execution tells it.
  const id = ctx.params[ctx.params.length - 1];
  const knownJob = ctx.params.length > 1 ? ctx.params[0] : null;
  const { signal } = ctx;
  const heading = h('h1', {}, `Execution ${shortId(id)}`);
  const toolbar = h('form', { class: 'toolbar', 'aria-label': 'Execution actions' }, formAlert());
  toolbar.addEventListener('submit', (e) => e.preventDefault());
  const summaryBox = h('section', { class: 'card', 'aria-label': 'Summary' });
  const stepsBox = h('section', { class: 'card', 'aria-labelledby': 'steps-title' });
  view.append(h('div', { class: 'page-head' }, heading, toolbar), summaryBox, stepsBox);
  // Listening starts before the first reads: a short run may end while they are on their way, and an event missed
  // then would leave the page showing a run that is over.
  let loaded = false;
  let missed = false;
  ctx.onCleanup(on('execution', (event) => {
    if (event.jobExecutionId !== id) return;
    if (loaded) onEvent(event);
    else missed = true;
  }));

  // Sent by the router while this page's modules loaded (see app.js), or now.
  const first = ctx.first ?? api.get(path`/executions/${id}`, { signal });
  // With the job known, every request goes at once: one wave, not the execution's and then the rest.
  let x = knownJob ? null : await first;
  const jobName = knownJob ?? x.jobName;
  const targets = targetsPanel(ctx, { jobName, executionId: id });
  const failures = failureGroupsPanel(ctx, { jobName, executionId: id, targets });
  view.append(failures.element, targets.element);

  let summary = null;
  // The steps as the tree API gives them, for a rollout's waves; the counts come from the summary.
  let stepNodes = [];
  async function loadSummary() {
    [summary, stepNodes] = await Promise.all([
      api.get(path`/jobs/${jobName}/executions/${id}/summary`, { signal }),
      api.all(path`/jobs/${jobName}/executions/${id}/steps`, {}, { signal }),
    ]);
  }
  // The job, for its current version: the one a rerun runs.
  let job = null;
  async function loadJob() {
    job = await api.get(path`/jobs/${jobName}`, { signal });
  }
  await Promise.all([first.then((execution) => { x = execution; }), loadSummary(), loadJob(), targets.refresh(),
    failures.refresh()]);
  drawAll();
  // Opened from a link to some of the targets (a notice's "failed targets"): show them, not the header.
  if (ctx.query?.lifecycle) targets.element.scrollIntoView({ block: 'start' });

  function drawAll() {
    heading.textContent = `${x.dryRun ? 'Dry run' : 'Execution'} ${shortId(id)} of ${x.jobName}`;
    drawToolbar(x, summary);
    drawSummary();
    drawSteps();
    targets.setSummary(summary);
  }

  function drawSummary() {
    const t = summary?.targets || { total: 0, done: 0 };
    const live = x.isActive && x.lifecycle !== 'Paused' ? rateText(summary) : '';
    fill(summaryBox,
      h('div', { class: 'run-head' },
        h('dl', { class: 'run-facts' },
          fact('Lifecycle', lifecycleBadge(x.lifecycle)),
          fact('Job', [link(`/jobs/${encodeURIComponent(x.jobName)}`, x.jobName), ` version ${x.jobVersion}`]),
          fact('Started', time(x.startTime || x.createTime, { short: true })),
          fact(x.endTime ? 'Ended' : 'Running for', x.endTime ? time(x.endTime, { short: true }) : duration(x.startTime || x.createTime, null)),
          x.endTime ? fact('Duration', duration(x.startTime || x.createTime, x.endTime)) : null,
          x.rerunOf ? fact('Rerun of', link(executionRoute(x.jobName, x.rerunOf), x.rerunOf, { class: 'mono' })) : null,
          fact('Execution id', h('span', { class: 'mono', title: x.jobExecutionId }, x.jobExecutionId)),
          summaryLines(x).filter(Boolean).map((pair) => h('div', {}, pair))),
        h('span', { class: 'muted', role: 'status' }, x.isActive ? 'Live: this page follows the run.' : '')),
      h('div', { style: { marginTop: '.6rem' } }, progressBar(t, { label: 'Targets done' })),
      h('p', { class: 'progress-line', 'data-progress': '' },
        h('span', { class: 'pct' }, `${percentDone(t)}%`),
        h('span', {}, `${count(t.done)} of ${count(t.total)} targets done`),
        legend('--ok', `${count(t.succeeded)} succeeded`),
        legend('--bad', `${count((t.failed || 0) + (t.timedOut || 0))} failed`),
        legend('--info', `${count(t.inProgress)} running`),
        legend('--warn', `${count(t.waiting)} waiting`),
        live ? h('span', { class: 'live-rate', 'data-rate': '' }, live) : null),
      x.lastMessage ? h('p', { class: 'exec-message muted' }, x.lastMessage) : null);
  }

  function drawSteps() {
    const steps = summary?.steps || [];
    fill(stepsBox, h('h2', { id: 'steps-title' }, steps.length === 1 ? 'Step' : `${steps.length} steps`),
      table({
        caption: 'Targets per step',
        className: 'compact',
        columns: ['Step', 'Lifecycle', 'Progress', { label: 'Targets', className: 'num' }, { label: 'Succeeded', className: 'num' },
          { label: 'Failed', className: 'num' }, { label: 'Running', className: 'num' }, { label: 'Waiting', className: 'num' }],
        rows: steps.map((s) => row([
          `${s.stepId}: ${s.stepName}`,
          s.lifecycle ? lifecycleBadge(s.lifecycle) : h('span', { class: 'muted' }, 'not started'),
          progressBar(s.targets, { label: `Step ${s.stepName}: targets done` }),
          { cell: true, content: count(s.targets.total), className: 'num' },
          { cell: true, content: count(s.targets.succeeded), className: 'num' },
          { cell: true, content: count((s.targets.failed || 0) + (s.targets.timedOut || 0)), className: 'num' },
          { cell: true, content: count(s.targets.inProgress), className: 'num' },
          { cell: true, content: count(s.targets.waiting), className: 'num' },
        ], { 'data-step-counts': s.stepName })),
        empty: 'The job version has no steps.',
      }),
      stepNodes.map(rolloutPanel));
  }

  function drawToolbar(x, summary) {
    const alert = toolbar.querySelector('.form-alert');
    [...toolbar.querySelectorAll('button')].forEach((b) => b.remove());
    if (x.isActive && can('cancelJobExecution')) {
      toolbar.prepend(h('button', { type: 'button', class: 'danger', onclick: () => submitting(toolbar, async () => {
        await api.post(path`/jobs/${x.jobName}/executions/${id}/cancel`);
        announce('Cancel requested.');
        await follow(true);
      }) }, 'Cancel execution'));
    }
    toolbar.prepend(...pausedButtons(x, toolbar, () => follow(true)));
    const failedTargets = (summary?.targets?.failed || 0) + (summary?.targets?.timedOut || 0);
    const hasFailed = failedTargets > 0 || FAILED.has(x.lifecycle);
    if (!x.isActive && hasFailed && can('rerunFailedTargets')) {
      // The button names the version it runs, and sends it, so a version saved meanwhile does not run unseen.
      const version = job.version;
      const note = version === x.jobVersion
        ? `This execution ran version ${version} too.`
        : `This execution ran version ${x.jobVersion}; the job has been changed since.`;
      toolbar.prepend(h('button', { type: 'button', title: note, onclick: () => submitting(toolbar, async () => {
        const rerun = await api.post(path`/jobs/${x.jobName}/executions/${id}/rerunFailed`, { jobVersion: version });
        announce(`Rerun of version ${version} started.`);
        ctx.navigate(executionRoute(jobName, rerun.jobExecutionId));
      }) }, `Rerun failed targets on version ${version}`));
    }
    toolbar.append(alert);
  }

  // Live: each event's summary redraws the counts at once; the lists follow at most every LIST_REFRESH_MS, and
  // once more when the run ends.
  let listTimer = null;
  let listsDue = false;
  let lastLists = 0;
  async function follow(ended) {
    try {
      if (ended) [x] = await Promise.all([api.get(path`/executions/${id}`, { signal }), loadJob()]);
      if (!summary || ended) await loadSummary();
      if (!ctx.isCurrent()) return;
      drawAll();
      await Promise.all([targets.refresh(), failures.refresh()]);
    } catch (e) {
      if (e.name !== 'AbortError' && ctx.isCurrent()) summaryBox.append(errorBox(e));
    }
  }
  function listsSoon() {
    listsDue = true;
    if (listTimer) return;
    const wait = Math.max(0, LIST_REFRESH_MS - (Date.now() - lastLists));
    listTimer = setTimeout(() => {
      listTimer = null;
      if (!listsDue) return;
      listsDue = false;
      lastLists = Date.now();
      // A rollout's waves move with the run; the counts came with the event.
      api.all(path`/jobs/${jobName}/executions/${id}/steps`, {}, { signal })
        .then((nodes) => { stepNodes = nodes; if (ctx.isCurrent()) drawSteps(); })
        .catch(() => { /* the next event tries again */ });
      targets.refresh();
      failures.refresh();
    }, wait);
  }
  function onEvent(event) {
    const ended = x.isActive && !event.isActive;
    x = { ...x, lifecycle: event.lifecycle, isActive: event.isActive };
    if (event.summary) summary = { ...event.summary, lifecycle: event.lifecycle, isActive: event.isActive };
    if (ended) {
      follow(true);
      return;
    }
    drawAll();
    listsSoon();
  }
  ctx.onCleanup(() => clearTimeout(listTimer));
  loaded = true;
  if (missed) follow(true);
}

function fact(label, value) {
  return h('div', {}, h('dt', {}, label), h('dd', {}, value));
}

function legend(color, text) {
  return h('span', {}, h('span', { class: 'legend-dot', style: { background: `var(${color})` } }), text);
}
