// Jobs: one page of jobs with their last outcome and next scheduled run (both come with GET /jobs).
import { api } from '../api.js';
import { h, fill, link, executionRoute } from '../ui/dom.js';
import { time, lifecycleBadge, scheduleText } from '../ui/format.js';
import { table, row, pager } from '../ui/table.js';
import { can } from '../roles.js';

const TOP = 100;

export async function render(view, ctx) {
  const skip = Math.max(0, Number(ctx.query.skip) || 0);
  const head = h('div', { class: 'page-head' }, h('h1', {}, 'Jobs'));
  if (can('putJob')) {
    head.append(h('button', { type: 'button', onclick: () => ctx.navigate('/jobs/new') }, 'New job'));
  }
  const box = h('div', { class: 'card' }, h('p', { class: 'muted' }, 'Loading jobs…'));
  view.append(head, box);

  const page = await api.list('/jobs', { $top: TOP, $skip: skip }, { signal: ctx.signal });
  const jobs = page.value || [];
  fill(box,
    table({
      caption: 'Jobs',
      columns: ['Name', 'Description', 'Schedule', 'Last outcome', 'Last run', 'Next run'],
      rows: jobs.map((j) => row([
        link(`/jobs/${encodeURIComponent(j.name)}`, j.name),
        j.description || h('span', { class: 'muted' }, '—'),
        scheduleText(j.schedule),
        j.lastExecution
          ? h('a', { href: `#${executionRoute(j.name, j.lastExecution.jobExecutionId)}`, 'aria-label': `Last execution of ${j.name}: ${j.lastExecution.lifecycle}` }, lifecycleBadge(j.lastExecution.lifecycle))
          : h('span', { class: 'muted' }, 'never run'),
        j.lastExecution ? time(j.lastExecution.createTime, { short: true }) : h('span', { class: 'muted' }, '—'),
        j.nextRunTime ? time(j.nextRunTime, { short: true }) : h('span', { class: 'muted' }, 'not scheduled'),
      ], { 'data-job': j.name })),
      empty: can('putJob') ? 'No jobs yet. Create one with New job.' : 'No jobs yet.',
    }),
    (skip > 0 || page.nextLink) ? pager({ skip, top: TOP, count: jobs.length, hasNext: !!page.nextLink,
      go: (s) => ctx.navigate(`/jobs?skip=${s}`), label: 'Job pages' }) : null);
}
