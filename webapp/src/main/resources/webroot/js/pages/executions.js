// Executions of every job (or of one), newest first, with filters in the address so a filtered view can
// be linked: #/executions?job=…&lifecycle=…&active=true&from=…&to=…&skip=…
import { api, path } from '../api.js';
import { on } from '../live.js';
import { h, fill, link, executionRoute } from '../ui/dom.js';
import { time, duration, lifecycleBadge, shortId, toLocalInput, fromLocalInput } from '../ui/format.js';
import { field, formAlert, value, actions } from '../ui/forms.js';
import { table, row, pager } from '../ui/table.js';

const TOP = 50;
const LIFECYCLES = ['Created', 'InProgress', 'WaitingForRetry', 'Succeeded', 'SucceededWithSkipped', 'Failed', 'TimedOut', 'Canceled', 'Skipped'];

export async function render(view, ctx) {
  const q = ctx.query;
  const skip = Math.max(0, Number(q.skip) || 0);
  const jobsList = h('datalist', { id: 'exec-jobs' });
  const form = h('form', { class: 'card filters', novalidate: true, role: 'search', 'aria-label': 'Filter executions' },
    jobsList,
    h('div', { class: 'form-grid' },
      field({ label: 'Job', name: 'job', value: q.job, attrs: { list: 'exec-jobs', autocomplete: 'off' }, placeholder: 'All jobs' }),
      field({ label: 'Lifecycle', name: 'lifecycle', type: 'select', value: q.lifecycle || '', options: [['', 'Any'], ...LIFECYCLES] }),
      field({ label: 'Created after', name: 'createTimeMin', type: 'datetime-local', value: toLocalInput(q.from) }),
      field({ label: 'Created before', name: 'createTimeMax', type: 'datetime-local', value: toLocalInput(q.to) }),
      field({ label: 'Only active', name: 'isActive', type: 'checkbox', value: q.active === 'true' })),
    formAlert(),
    actions(h('button', { type: 'submit' }, 'Apply filters'),
      h('button', { type: 'button', class: 'secondary', onclick: () => ctx.navigate('/executions') }, 'Clear filters')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const params = new URLSearchParams();
    const set = (k, v) => { if (v !== undefined && v !== '' && v !== false) params.set(k, String(v)); };
    set('job', value(form, 'job'));
    set('lifecycle', value(form, 'lifecycle'));
    set('from', fromLocalInput(value(form, 'createTimeMin')));
    set('to', fromLocalInput(value(form, 'createTimeMax')));
    set('active', value(form, 'isActive') ? 'true' : '');
    const text = params.toString();
    ctx.navigate(`/executions${text ? `?${text}` : ''}`);
  });

  const box = h('div', { class: 'card' }, h('p', { class: 'muted' }, 'Loading executions…'));
  const liveNote = h('p', { class: 'muted', role: 'status' });
  view.append(h('h1', {}, q.job ? `Executions of ${q.job}` : 'Executions'), form, liveNote, box);

  // Job names as suggestions; a name typed by hand works the same.
  api.all('/jobs', {}, { signal: ctx.signal }, 1000)
    .then((jobs) => jobs.forEach((j) => jobsList.append(h('option', { value: j.name }))))
    .catch(() => {});

  const query = {
    lifecycle: q.lifecycle, createTimeMin: q.from, createTimeMax: q.to,
    isActive: q.active === 'true' ? true : undefined, $top: TOP, $skip: skip,
  };
  const url = q.job ? path`/jobs/${q.job}/executions` : '/executions';

  async function load() {
    const page = await api.list(url, query, { signal: ctx.signal });
    // Older agents ignored the lifecycle filter: keep the list honest either way.
    const items = (page.value || []).filter((x) => !q.lifecycle || x.lifecycle === q.lifecycle);
    fill(box,
      table({
        caption: 'Executions',
        columns: ['Execution', 'Job', 'Version', 'Lifecycle', 'Created', 'Ended', 'Duration'],
        rows: items.map((x) => row([
          link(executionRoute(x.jobName, x.jobExecutionId), shortId(x.jobExecutionId), { class: 'mono', title: x.jobExecutionId }),
          link(`/jobs/${encodeURIComponent(x.jobName)}`, x.jobName),
          String(x.jobVersion ?? '—'),
          [lifecycleBadge(x.lifecycle), x.rerunOf ? h('span', { class: 'muted' }, ' rerun') : null],
          time(x.createTime, { short: true }),
          time(x.endTime, { short: true }),
          duration(x.startTime, x.endTime),
        ], { 'data-execution': x.jobExecutionId })),
        empty: 'No executions match.',
      }),
      pager({ skip, top: TOP, count: items.length, hasNext: !!page.nextLink, label: 'Execution pages',
        go: (s) => {
          const params = new URLSearchParams(q);
          params.set('skip', String(s));
          ctx.navigate(`/executions?${params}`);
        } }));
  }

  // Only the first page follows live changes, refetched at most on each 5 s heartbeat.
  if (skip === 0) {
    let dirty = false;
    ctx.onCleanup(on('execution', (e) => { if (!q.job || e.jobName === q.job) dirty = true; }));
    ctx.onCleanup(on('agent', () => {
      if (!dirty) return;
      dirty = false;
      load().catch(() => {});
    }));
  }
  await load();
}
