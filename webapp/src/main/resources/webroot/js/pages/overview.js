// The overview: tier and capacity, the queue, running executions with their progress, the outcome chart with
// its failure rate, recent failures with how many targets failed and why, and firing alerts. Every list asks
// only for what it shows ($top=10) and all requests start at once; Chart.js, the runs' counts and the failures'
// causes load after the lists are on screen. Live "agent" events (every 5 s) refresh the tiles for free, each
// "execution" event's summary moves its run's progress bar, and the lists are refetched on that heartbeat only
// when an execution event said something changed.
import { api, path } from '../api.js';
import { on } from '../live.js';
import { h, fill, link, section, errorBox, executionRoute } from '../ui/dom.js';
import { time, duration, lifecycleBadge, severityBadge, shortId, badge, withoutAttemptPreamble } from '../ui/format.js';
import { table, row } from '../ui/table.js';
import { loadChart, cssVar } from '../ui/chart.js';
import { progressBar, percentDone, count } from '../ui/progress.js';

const INTERVALS = [['PT1H', 'Last hour'], ['P1D', 'Last day'], ['P7D', 'Last week']];
let chosenInterval = 'PT1H'; // kept across visits within the tab

export async function render(view, ctx) {
  const tiles = h('div', { class: 'tiles' });
  const runningBox = h('div', {});
  const failuresBox = h('div', {});
  const alertsBox = h('div', {});
  const agentsBox = h('div', {});
  const chartBox = h('div', { class: 'chart-box' });
  const chartSummary = h('p', { class: 'muted chart-summary' });
  const switcher = h('div', { class: 'segmented', role: 'group', 'aria-label': 'Chart period' });

  view.append(
    h('h1', {}, 'Overview'),
    h('section', { class: 'tiles-section', 'aria-label': 'Agent' }, tiles),
    h('div', { class: 'grid-2' },
      section('Outcomes over time', switcher, chartBox, chartSummary),
      section('Running executions', runningBox)),
    h('div', { class: 'grid-2' },
      section('Recent failures', failuresBox),
      section('Alerts firing', alertsBox)),
    section('Agents', agentsBox));

  const { signal } = ctx;
  let agent = null;
  let runningCount = null;

  function drawTiles() {
    const cap = agent?.sku?.capacity ?? 0;
    const inUse = agent?.targetsInProgress ?? 0;
    const pct = cap ? Math.min(100, Math.round((inUse / cap) * 100)) : 0;
    fill(tiles,
      tile('Tier', agent ? agent.sku?.name : '…', agent ? `${cap} targets at once` : ''),
      tile('Capacity in use', agent ? `${inUse} / ${cap}` : '…',
        h('progress', { max: 100, value: pct, 'aria-label': `Capacity in use: ${pct}%` }, `${pct}%`)),
      tile('Queue depth', agent ? String(agent.queueDepth ?? 0) : '…', 'targets waiting for capacity'),
      tile('Running executions', runningCount === null ? '…' : String(runningCount), h('a', { href: '#/executions?active=true' }, 'See all')));
  }
  drawTiles();

  const loadAgent = api.get('/agent', { signal }).then((a) => { agent = a; drawTiles(); })
    .catch((e) => { if (e.name !== 'AbortError') fill(tiles, errorBox(e)); });

  // Each running execution's progress bar, by id: drawn from its summary, moved by its live events.
  const progressCells = new Map();
  function drawProgress(id, summary) {
    const cell = progressCells.get(id);
    if (!cell || !summary) return;
    const t = summary.targets;
    fill(cell, progressBar(t, { label: `Execution ${shortId(id)}: targets done` }),
      h('span', { class: 'muted' }, `${percentDone(t)}% of ${count(t.total)}`));
  }

  async function loadRunning() {
    const page = await api.list('/executions', { isActive: true, $top: 10 }, { signal });
    const items = page.value || [];
    runningCount = items.length < 10 || !page.nextLink ? items.length : `${items.length}+`;
    drawTiles();
    progressCells.clear();
    fill(runningBox, table({
      caption: 'Running executions',
      columns: ['Execution', 'Job', 'Lifecycle', 'Progress', 'Running for'],
      rows: items.map((x) => {
        const cell = h('div', { class: 'run-progress', 'data-progress-of': x.jobExecutionId });
        progressCells.set(x.jobExecutionId, cell);
        return row([
          link(executionRoute(x.jobName, x.jobExecutionId), shortId(x.jobExecutionId), { class: 'mono', title: x.jobExecutionId }),
          link(`/jobs/${encodeURIComponent(x.jobName)}`, x.jobName),
          lifecycleBadge(x.lifecycle),
          cell,
          duration(x.startTime || x.createTime, null),
        ], { 'data-execution': x.jobExecutionId });
      }),
      empty: 'Nothing is running.',
    }));
    // Not awaited: the list is on screen; each bar follows when its counts arrive.
    items.forEach((x) => api.get(path`/jobs/${x.jobName}/executions/${x.jobExecutionId}/summary`, { signal })
      .then((summary) => drawProgress(x.jobExecutionId, summary))
      .catch(() => {}));
  }

  async function loadFailures() {
    // The API filters one lifecycle at a time: ask for both kinds of failure and merge the newest 10.
    const [failed, timedOut] = await Promise.all([
      api.list('/executions', { lifecycle: 'Failed', $top: 10 }, { signal }),
      api.list('/executions', { lifecycle: 'TimedOut', $top: 10 }, { signal }),
    ]);
    const items = [...(failed.value || []), ...(timedOut.value || [])]
      .sort((a, b) => String(b.createTime).localeCompare(String(a.createTime)))
      .slice(0, 10);
    const causes = new Map();
    fill(failuresBox, table({
      caption: 'Recent failures',
      columns: ['Execution', 'Job', { label: 'Failed targets', className: 'num' }, 'Top cause', 'Ended'],
      rows: items.map((x) => {
        const failedCell = h('span', { 'data-failed-targets': '' }, '…');
        const causeCell = h('span', { class: 'one-line muted', 'data-top-cause': '' }, '…');
        causes.set(x, [failedCell, causeCell]);
        return row([
          link(executionRoute(x.jobName, x.jobExecutionId), shortId(x.jobExecutionId), { class: 'mono', title: x.jobExecutionId }),
          link(`/jobs/${encodeURIComponent(x.jobName)}`, x.jobName),
          { cell: true, content: failedCell, className: 'num' },
          causeCell,
          time(x.endTime || x.createTime, { short: true }),
        ], { 'data-execution': x.jobExecutionId });
      }),
      empty: 'No failures. ',
    }), h('p', {}, h('a', { href: '#/executions?lifecycle=Failed' }, 'All failed executions')));
    // The biggest failure group of each: how many targets failed in all, and the message most of them share.
    causes.forEach(([failedCell, causeCell], x) => {
      api.list(path`/jobs/${x.jobName}/executions/${x.jobExecutionId}/failureGroups`, { $top: 1 }, { signal })
        .then((groups) => {
          const top = (groups.value || [])[0];
          failedCell.textContent = count(groups.failedTargets);
          if (!top) {
            causeCell.textContent = x.lastMessage || '—';
            causeCell.title = x.lastMessage || '';
            return;
          }
          // A real message reads better than the normalized cause, whose numbers are all "#".
          const example = withoutAttemptPreamble(String(top.exampleMessage || '').split('\n')[0]) || top.cause;
          const text = `${top.errorCode ? `${top.errorCode} ` : ''}${example}`;
          causeCell.textContent = `${count(top.targets)}× ${text}`;
          causeCell.title = top.exampleMessage || text;
          causeCell.classList.remove('muted');
        })
        .catch(() => { failedCell.textContent = '—'; causeCell.textContent = ''; });
    });
  }

  async function loadAlerts() {
    const page = await api.list('/alerts', { monitorCondition: 'Fired', $top: 10 }, { signal });
    const items = page.value || [];
    fill(alertsBox, table({
      caption: 'Alerts firing',
      columns: ['Alert rule', 'Severity', 'Dimensions', 'Fired'],
      rows: items.map((a) => row([
        link(`/alerts/${a.id}`, a.alertRule),
        severityBadge(a.severity),
        dimensionsText(a.dimensions),
        time(a.firedDateTime, { short: true }),
      ], { 'data-alert': a.id })),
      empty: 'No alert is firing.',
    }), h('p', {}, h('a', { href: '#/alerts' }, 'Alert rules and history')));
  }

  /** The agents sharing the job database: live, lost or stopped, each with what it runs and its share. */
  async function loadAgents() {
    const page = await api.list('/agents', {}, { signal });
    fill(agentsBox, table({
      caption: 'Agents',
      columns: ['Agent', 'Host', 'State', 'Running', 'Share', 'Version', 'Started', 'Last heartbeat'],
      rows: (page.value || []).map((a) => row([
        h('span', { class: 'mono', title: a.agentId }, shortId(a.agentId.split('/').pop())),
        `${a.host} (pid ${a.processId})`,
        badge(a.state, a.state === 'Live' ? 'ok' : a.state === 'Lost' ? 'bad' : 'muted'),
        String(a.targetsInFlight),
        String(a.share),
        a.version,
        time(a.startTime, { short: true }),
        time(a.lastSeen, { short: true }),
      ], { 'data-agent-state': a.state })),
      empty: 'No agent has reported yet.',
    }));
  }

  let chart = null;
  let chartData = null;
  async function loadStats() {
    chartData = await api.get(`/executions/stats?interval=${chosenInterval}`, { signal });
    const totals = (chartData.buckets || []).reduce((t, b) => ({
      succeeded: t.succeeded + (b.succeeded || 0), failed: t.failed + (b.failed || 0), timedOut: t.timedOut + (b.timedOut || 0),
    }), { succeeded: 0, failed: 0, timedOut: 0 });
    const label = INTERVALS.find(([v]) => v === chosenInterval)[1].toLowerCase();
    const all = totals.succeeded + totals.failed + totals.timedOut;
    const rate = all ? ` (${Math.round(((totals.failed + totals.timedOut) / all) * 1000) / 10}% failed)` : '';
    chartSummary.textContent = `Target executions in the ${label}: ${totals.succeeded} succeeded, ${totals.failed} failed, ${totals.timedOut} timed out${rate}.`;
    drawChart(); // not awaited: the page is ready without the picture
  }

  async function drawChart() {
    let Chart;
    try {
      Chart = await loadChart();
    } catch (e) {
      fill(chartBox, errorBox(e));
      return;
    }
    if (signal.aborted || !chartData) return;
    const buckets = chartData.buckets || [];
    const fmt = chosenInterval === 'P7D'
      ? new Intl.DateTimeFormat(undefined, { weekday: 'short', hour: '2-digit' })
      : new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
    const labels = buckets.map((b) => fmt.format(new Date(b.time)));
    const datasets = [
      ['Succeeded', 'succeeded', cssVar('--ok') || '#16a34a'],
      ['Failed', 'failed', cssVar('--bad') || '#dc2626'],
      ['Timed out', 'timedOut', cssVar('--warn') || '#d97706'],
    ].map(([lbl, key, color]) => ({ label: lbl, data: buckets.map((b) => b[key] || 0), backgroundColor: color, borderWidth: 0, stack: 'x', yAxisID: 'y', order: 2 }));
    // A few failures beside many successes are a sliver on the bars; their rate, on its own axis, is not.
    datasets.push({
      type: 'line', label: 'Failure rate', yAxisID: 'rate', order: 1, spanGaps: true, pointRadius: 2, borderWidth: 2,
      borderColor: cssVar('--bad') || '#dc2626', backgroundColor: cssVar('--bad') || '#dc2626',
      data: buckets.map((b) => {
        const total = (b.succeeded || 0) + (b.failed || 0) + (b.timedOut || 0);
        return total ? Math.round((((b.failed || 0) + (b.timedOut || 0)) / total) * 1000) / 10 : null;
      }),
    });
    if (chart) {
      chart.data.labels = labels;
      chart.data.datasets.forEach((d, i) => { d.data = datasets[i].data; });
      chart.update('none');
      return;
    }
    const canvas = h('canvas', { role: 'img', 'aria-label': 'Succeeded, failed and timed-out target executions over time, with the failure rate; the totals are below the chart.' });
    fill(chartBox, canvas);
    chart = new Chart(canvas, {
      type: 'bar',
      data: { labels, datasets },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        interaction: { mode: 'index', intersect: false },
        scales: {
          x: { stacked: true, ticks: { maxRotation: 0, autoSkip: true, maxTicksLimit: 8, color: cssVar('--muted') }, grid: { display: false } },
          y: { stacked: true, beginAtZero: true, ticks: { precision: 0, color: cssVar('--muted') }, grid: { color: cssVar('--line') },
            title: { display: true, text: 'Targets', color: cssVar('--muted') } },
          rate: { position: 'right', min: 0, max: 100, grid: { display: false },
            ticks: { color: cssVar('--bad'), callback: (v) => `${v}%` }, title: { display: true, text: 'Failure rate', color: cssVar('--bad') } },
        },
        plugins: { legend: { position: 'bottom', labels: { color: cssVar('--text') } } },
      },
    });
    ctx.onCleanup(() => chart.destroy());
  }

  for (const [value, text] of INTERVALS) {
    const b = h('button', { type: 'button', class: 'secondary', 'aria-pressed': String(value === chosenInterval) }, text);
    b.addEventListener('click', () => {
      chosenInterval = value;
      switcher.querySelectorAll('button').forEach((x) => x.setAttribute('aria-pressed', String(x === b)));
      loadStats().catch(showIn(chartBox));
    });
    switcher.append(b);
  }

  const showIn = (box) => (e) => { if (e.name !== 'AbortError') fill(box, errorBox(e)); };
  const first = Promise.all([
    loadAgent,
    loadRunning().catch(showIn(runningBox)),
    loadFailures().catch(showIn(failuresBox)),
    loadAlerts().catch(showIn(alertsBox)),
    loadAgents().catch(showIn(agentsBox)),
    loadStats().catch(showIn(chartBox)),
  ]);

  // Live: tiles from every heartbeat; lists only after an execution event, and at most once per beat.
  let dirty = false;
  let lastStats = Date.now();
  ctx.onCleanup(on('execution', (e) => {
    dirty = true;
    drawProgress(e.jobExecutionId, e.summary);
  }));
  ctx.onCleanup(on('agent', (a) => {
    agent = a;
    drawTiles();
    loadAgents().catch(() => {});
    if (!dirty) return;
    dirty = false;
    loadRunning().catch(() => {});
    loadFailures().catch(() => {});
    loadAlerts().catch(() => {});
    if (Date.now() - lastStats > 30000) { lastStats = Date.now(); loadStats().catch(() => {}); }
  }));

  await first;
}

function tile(label, value, extra) {
  return h('div', { class: 'tile' }, h('p', { class: 'tile-label' }, label), h('p', { class: 'tile-value' }, value),
    extra ? h('div', { class: 'tile-extra' }, extra) : null);
}

export function dimensionsText(dimensions) {
  if (!dimensions || !dimensions.length) return h('span', { class: 'muted' }, 'all');
  return dimensions.map((d) => `${d.name}=${d.value}`).join(', ');
}
