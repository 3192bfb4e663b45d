// Alerts: firing alerts, rules, action groups (with Send test), the history of fired and resolved alerts,
// the delivery log with Replay, alert processing rules and execution notifications. Each section loads on its own, in parallel,
// and reloads on its own after a change, so a secret shown once is not wiped by a refresh.
import { api, path } from '../api.js';
import { h, fill, link, section, errorBox, announce } from '../ui/dom.js';
import { time, severityBadge, conditionBadge, badge } from '../ui/format.js';
import { field, confirmButton } from '../ui/forms.js';
import { table, row, pager } from '../ui/table.js';
import { can } from '../roles.js';
import { ruleEditor, groupEditor, METRICS } from './alertEditors.js';
import { dimensionsText } from './overview.js';

const TOP = 25;
const STATUSES = ['Pending', 'Delivering', 'Delivered', 'DeadLettered', 'Suppressed', 'Deferred', 'Summarized', 'ReceiverDisabled'];
const REPLAYABLE = new Set(['DeadLettered', 'Delivered', 'Suppressed', 'ReceiverDisabled']);

export async function render(view, ctx) {
  const { signal } = ctx;
  const editorBox = h('div', {});
  const secretsBox = h('div', {});
  const firingBox = h('div', {});
  const rulesBox = h('div', {});
  const groupsBox = h('div', {});
  const testBox = h('div', {});
  const historyBox = h('div', {});
  const logBox = h('div', {});
  const processingBox = h('div', {});
  const noticesBox = h('div', {});
  let groupNames = [];

  const head = h('div', { class: 'page-head' }, h('h1', {}, 'Alerts'));
  const headActions = h('div', { class: 'toolbar' });
  if (can('putAlertRule')) headActions.append(h('button', { type: 'button', onclick: () => openRule(null) }, 'New alert rule'));
  if (can('putActionGroup')) headActions.append(h('button', { type: 'button', class: 'secondary', onclick: () => openGroup(null) }, 'New action group'));
  head.append(headActions);

  view.append(head, editorBox, secretsBox,
    section('Firing now', firingBox),
    section('Alert rules', rulesBox),
    section('Action groups', groupsBox, testBox),
    section('History', historyBox),
    section('Delivery log', logBox),
    section('Alert processing rules', h('p', { class: 'help' }, 'Maintenance windows that drop or defer notifications; managed through the API.'), processingBox),
    section('Execution notifications', h('p', { class: 'help' }, 'Notices to action groups when runs of some jobs end or pause; ',
      link('/executionNotifications', can('putExecutionNotification') ? 'edit them on their page' : 'see them on their page'), '.'), noticesBox));

  function closeEditor() { fill(editorBox); }

  function openRule(rule) {
    fill(secretsBox);
    const title = rule ? `Edit alert rule ${rule.name}` : 'New alert rule';
    fill(editorBox, h('section', { class: 'card', 'aria-label': title }, h('h2', {}, title),
      ruleEditor(ctx, rule, groupNames, (saved) => { closeEditor(); if (saved) loadRules(); })));
    editorBox.querySelector('input, select')?.focus();
    editorBox.scrollIntoView({ block: 'start' });
  }

  function openGroup(group) {
    fill(secretsBox);
    const title = group ? `Edit action group ${group.name}` : 'New action group';
    fill(editorBox, h('section', { class: 'card', 'aria-label': title }, h('h2', {}, title),
      groupEditor(ctx, group, (saved, hasSecrets) => {
        closeEditor();
        if (saved) loadGroups();
        if (hasSecrets) secretsBox.querySelector('input')?.focus();
      }, secretsBox)));
    editorBox.querySelector('input, select')?.focus();
    editorBox.scrollIntoView({ block: 'start' });
  }

  const guard = (box, fn) => (...args) => fn(...args).catch((e) => { if (e.name !== 'AbortError') fill(box, errorBox(e)); });

  const loadFiring = guard(firingBox, async () => {
    const page = await api.list('/alerts', { monitorCondition: 'Fired', $top: 50 }, { signal });
    fill(firingBox, alertsTable('Alerts firing now', page.value || [], 'No alert is firing.'));
  });

  const loadRules = guard(rulesBox, async () => {
    const rules = await api.all('/alertRules', {}, { signal });
    const admin = can('putAlertRule');
    fill(rulesBox, table({
      caption: 'Alert rules',
      columns: ['Name', 'Severity', 'State', 'Condition', 'Window / every', 'Action groups', admin ? 'Actions' : null].filter(Boolean),
      rows: rules.map((r) => row([
        r.name,
        severityBadge(r.severity),
        r.enabled === false ? badge('Disabled', 'muted') : badge('Enabled', 'ok'),
        (r.criteria?.allOf || []).map(criterionText).join(' and '),
        `${r.windowSize || '—'} / ${r.evaluationFrequency || '—'}`,
        (r.actions || []).join(', ') || h('span', { class: 'muted' }, 'none'),
        admin ? h('div', { class: 'actions' },
          h('button', { type: 'button', class: 'secondary small', 'aria-label': `Edit alert rule ${r.name}`, onclick: () => openRule(r) }, 'Edit'),
          can('deleteAlertRule') ? confirmButton('Delete', `Delete alert rule “${r.name}”?`, async () => {
            await api.del(path`/alertRules/${r.name}`).catch((e) => announce(e.message));
            announce(`Deleted alert rule ${r.name}.`);
            loadRules();
          }, { className: 'danger small' }) : null) : null,
      ].filter((x) => x !== null), { 'data-rule': r.name })),
      empty: 'No alert rules yet.',
    }));
  });

  const loadGroups = guard(groupsBox, async () => {
    const groups = await api.all('/actionGroups', {}, { signal });
    groupNames = groups.map((g) => g.name);
    const admin = can('putActionGroup');
    const tester = can('testActionGroup');
    fill(groupsBox, table({
      caption: 'Action groups',
      columns: ['Name', 'Email receivers', 'Webhook receivers', 'Slack and Teams', admin || tester ? 'Actions' : null].filter(Boolean),
      rows: groups.map((g) => row([
        g.name,
        (g.emailReceivers || []).map((r) => `${r.name} <${r.emailAddress}>`).join(', ') || h('span', { class: 'muted' }, 'none'),
        (g.webhookReceivers || []).map((r) => h('div', {}, `${r.name}: ${r.serviceUri}`, r.disabled ? [' ', badge('Disabled', 'bad')] : null)),
        [...(g.slackReceivers || []).map((r) => ['Slack', r]), ...(g.teamsReceivers || []).map((r) => ['Teams', r])]
          .map(([kind, r]) => h('div', {}, `${r.name} (${kind}): ${r.webhookUrl}`, r.disabled ? [' ', badge('Disabled', 'bad')] : null)),
        admin || tester ? h('div', { class: 'actions' },
          tester ? h('button', { type: 'button', class: 'secondary small', onclick: (e) => sendTest(g.name, e.currentTarget) }, 'Send test') : null,
          admin ? h('button', { type: 'button', class: 'secondary small', 'aria-label': `Edit action group ${g.name}`, onclick: () => openGroup(g) }, 'Edit') : null,
          can('deleteActionGroup') ? confirmButton('Delete', `Delete action group “${g.name}”?`, async () => {
            try {
              await api.del(path`/actionGroups/${g.name}`);
              announce(`Deleted action group ${g.name}.`);
              loadGroups();
            } catch (e) {
              fill(testBox, errorBox(e));
            }
          }, { className: 'danger small' }) : null) : null,
      ].filter((x) => x !== null), { 'data-action-group': g.name })),
      empty: 'No action groups yet.',
    }));
  });

  async function sendTest(name, button) {
    button.disabled = true;
    fill(testBox, h('p', { class: 'muted', role: 'status' }, `Sending a test notification through ${name}…`));
    try {
      const result = await api.post(path`/actionGroups/${name}/test`);
      const results = result.results || [];
      fill(testBox, h('div', { class: 'test-results', role: 'status', 'aria-label': `Test results of ${name}` },
        h('h3', {}, `Test of ${name}`),
        table({
          caption: `Test results of ${name}`,
          columns: ['Receiver', 'Kind', 'Address', 'Status', 'Outcome', { label: 'Latency', className: 'num' }, 'Response code', 'Error'],
          rows: results.map((r) => row([
            r.receiver, r.kind, r.address,
            badge(r.status || '—', r.status === 'Delivered' ? 'ok' : 'bad', { 'data-status': r.status }),
            r.outcome || '—',
            { cell: true, content: r.latencyMs === null || r.latencyMs === undefined ? '—' : `${r.latencyMs} ms`, className: 'num' },
            r.responseCode === null || r.responseCode === undefined ? '—' : String(r.responseCode),
            r.error || '—',
          ], { 'data-receiver': r.receiver })),
          empty: 'This group has no receivers.',
        })));
      announce(`Test of ${name} sent to ${results.length} receiver(s).`);
      loadLog();
    } catch (e) {
      fill(testBox, errorBox(e));
    } finally {
      button.disabled = false;
    }
  }

  let historySkip = 0;
  const loadHistory = guard(historyBox, async () => {
    const page = await api.list('/alerts', { $top: TOP, $skip: historySkip }, { signal });
    const items = page.value || [];
    fill(historyBox, alertsTable('Alert history', items, 'No alert has fired yet.', true),
      pager({ skip: historySkip, top: TOP, count: items.length, hasNext: !!page.nextLink, label: 'History pages',
        go: (s) => { historySkip = s; loadHistory(); } }));
  });

  let logSkip = 0;
  let logStatus = '';
  const statusField = field({ label: 'Status', name: 'status', type: 'select', value: '', options: [['', 'Any'], ...STATUSES] });
  statusField.querySelector('select').addEventListener('change', (e) => { logStatus = e.target.value; logSkip = 0; loadLog(); });
  const logList = h('div', {});
  logBox.append(h('div', { class: 'form-grid filters' }, statusField), logList);
  const loadLog = guard(logList, async () => {
    const page = await api.list('/alerts/notifications', { $top: TOP, $skip: logSkip, status: logStatus }, { signal });
    const items = page.value || [];
    fill(logList, notificationsTable(items, () => loadLog()),
      pager({ skip: logSkip, top: TOP, count: items.length, hasNext: !!page.nextLink, label: 'Delivery log pages',
        go: (s) => { logSkip = s; loadLog(); } }));
  });

  const loadProcessing = guard(processingBox, async () => {
    const rules = await api.all('/alertProcessingRules', {}, { signal });
    fill(processingBox, table({
      caption: 'Alert processing rules',
      columns: ['Name', 'Mode', 'State', 'Conditions', 'Schedule'],
      rows: rules.map((r) => row([
        r.name, r.mode || '—', r.enabled === false ? badge('Disabled', 'muted') : badge('Enabled', 'ok'),
        (r.conditions || []).map((c) => `${c.field} ${c.operator} ${(c.values || []).join('|')}`).join('; ') || 'all alerts',
        h('code', {}, JSON.stringify(r.schedule || {})),
      ])),
      empty: 'No alert processing rules.',
    }));
  });

  const loadNotices = guard(noticesBox, async () => {
    const notices = await api.all('/executionNotifications', {}, { signal });
    fill(noticesBox, table({
      caption: 'Execution notifications',
      columns: ['Name', 'Jobs', 'End states', 'Action groups'],
      rows: notices.map((n) => row([
        n.name,
        (n.jobs || []).join(', ').replace(/^\*$/, 'every job'),
        (n.endStates || []).join(', '),
        (n.actionGroups || []).join(', '),
      ], { 'data-execution-notification': n.name })),
      empty: 'No execution notifications.',
    }));
  });

  await Promise.all([loadFiring(), loadRules(), loadGroups(), loadHistory(), loadLog(), loadProcessing(), loadNotices()]);
}

function criterionText(c) {
  const metric = (METRICS.find(([k, l]) => k === c.metricName || l === c.metricName) || [c.metricName, c.metricName])[1];
  const dims = (c.dimensions || []).map((d) => `${d.name} ${d.operator === 'Exclude' ? 'not in' : 'in'} ${(d.values || []).join('|')}`);
  return `${c.timeAggregation || 'Total'} of ${metric} ${c.operator} ${c.threshold}${dims.length ? ` by ${dims.join(', ')}` : ''}`;
}

export function alertsTable(caption, items, empty, withResolved = false) {
  return table({
    caption,
    columns: ['Alert rule', 'Severity', 'Condition', 'Dimensions', 'Fired', withResolved ? 'Resolved' : null, 'Details'].filter(Boolean),
    rows: items.map((a) => row([
      a.alertRule,
      severityBadge(a.severity),
      conditionBadge(a.monitorCondition),
      dimensionsText(a.dimensions),
      time(a.firedDateTime, { short: true }),
      withResolved ? time(a.resolvedDateTime, { short: true }) : null,
      link(`/alerts/${a.id}`, 'Open', { 'aria-label': `Open alert ${a.alertRule} fired ${a.firedDateTime}` }),
    ].filter((x) => x !== null), { 'data-alert': a.id })),
    empty,
  });
}

/** The delivery log: one row per notification, its attempts in a details, Replay for finished ones. */
export function notificationsTable(items, reload) {
  const operator = can('replayNotification');
  return table({
    caption: 'Notifications',
    columns: ['Created', 'Alert', 'Action group', 'Receiver', 'Status', { label: 'Attempts', className: 'num' }, 'Last error', operator ? 'Actions' : null].filter(Boolean),
    rows: items.map((n) => row([
      time(n.createdDateTime, { short: true }),
      n.test ? badge('Test', 'info') : n.alertId ? link(`/alerts/${n.alertId}`, n.monitorCondition || 'Alert')
        : n.jobExecutionId ? link(`/executions/${n.jobExecutionId}`, `Run ${n.monitorCondition || 'ended'}`) : '—',
      n.actionGroup || '—',
      `${n.receiver} (${n.kind}${n.address ? `: ${n.address}` : ''})`,
      badge(n.status, n.status === 'Delivered' ? 'ok' : n.status === 'DeadLettered' || n.status === 'ReceiverDisabled' ? 'bad' : 'muted', { 'data-status': n.status }),
      { cell: true, className: 'num', content: `${n.attempts ?? 0}${n.maxAttempts ? ` / ${n.maxAttempts}` : ''}` },
      h('div', {}, n.lastError || h('span', { class: 'muted' }, '—'), attemptsDetails(n.attemptLog || [])),
      operator ? (REPLAYABLE.has(n.status) ? h('button', { type: 'button', class: 'secondary small', onclick: async (e) => {
        const b = e.currentTarget;
        b.disabled = true;
        try {
          await api.post(path`/alerts/notifications/${n.id}/replay`);
          announce('Queued again with the same webhook-id.');
          reload();
        } catch (err) {
          announce(err.message);
          b.after(h('p', { class: 'form-alert', role: 'alert' }, err.message));
          b.disabled = false;
        }
      } }, 'Replay') : h('span', { class: 'muted' }, '—')) : null,
    ].filter((x) => x !== null), { 'data-notification': n.id })),
    empty: 'No notifications.',
  });
}

function attemptsDetails(log) {
  if (!log.length) return null;
  return h('details', {}, h('summary', {}, `${log.length} attempt(s)`),
    h('ol', { class: 'attempts' }, log.map((a) => h('li', {},
      time(a.startedDateTime, { short: true }), ` — ${a.outcome || '?'}`,
      a.responseCode ? `, HTTP ${a.responseCode}` : '',
      a.latencyMs !== null && a.latencyMs !== undefined ? `, ${a.latencyMs} ms` : '',
      a.error ? `: ${a.error}` : ''))));
}
