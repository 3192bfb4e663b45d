// One alert instance (#/alerts/{id}, linked from alert mails and webhooks): the rule, severity, the values
// against the thresholds, when it fired and resolved, and its delivery log with Replay.
import { api, path } from '../api.js';
import { h, fill, link, section } from '../ui/dom.js';
import { time, severityBadge, conditionBadge } from '../ui/format.js';
import { table, row } from '../ui/table.js';
import { dimensionsText } from './overview.js';
import { notificationsTable } from './alerts.js';

export async function render(view, ctx) {
  const id = ctx.params[0];
  const heading = h('h1', {}, 'Alert');
  view.append(heading);
  const [alert, notifications] = await Promise.all([
    api.get(path`/alerts/${id}`, { signal: ctx.signal }),
    api.all(path`/alerts/${id}/notifications`, {}, { signal: ctx.signal }, 1000),
  ]);
  heading.textContent = `Alert ${alert.alertRule}`;
  view.append(h('section', { class: 'card', 'aria-label': 'Summary' }, h('dl', { class: 'kv' },
    h('dt', {}, 'Alert rule'), h('dd', {}, alert.alertRule, ' ', link('/alerts', '(all rules)')),
    h('dt', {}, 'Condition'), h('dd', {}, conditionBadge(alert.monitorCondition)),
    h('dt', {}, 'Severity'), h('dd', {}, severityBadge(alert.severity)),
    h('dt', {}, 'Dimensions'), h('dd', {}, dimensionsText(alert.dimensions)),
    h('dt', {}, 'Fired'), h('dd', {}, time(alert.firedDateTime)),
    h('dt', {}, 'Resolved'), h('dd', {}, time(alert.resolvedDateTime)),
    h('dt', {}, 'Sequence'), h('dd', {}, String(alert.sequence ?? '—')),
    h('dt', {}, 'Alert id'), h('dd', { class: 'mono' }, alert.id))));
  const values = Array.isArray(alert.metricValues) ? alert.metricValues : [];
  view.append(section('Values when it fired', table({
    caption: 'Metric values',
    columns: ['Metric', 'Aggregation', 'Operator', 'Threshold', 'Value'],
    rows: values.map((v) => row([v.metricName, v.timeAggregation, v.operator, String(v.threshold), String(v.metricValue)])),
    empty: 'No values recorded.',
  })));
  const logBox = h('div', {});
  const drawLog = (items) => fill(logBox, notificationsTable(items, async () => {
    drawLog(await api.all(path`/alerts/${id}/notifications`, {}, {}, 1000));
  }));
  drawLog(notifications);
  view.append(section('Delivery log', logBox));
}
