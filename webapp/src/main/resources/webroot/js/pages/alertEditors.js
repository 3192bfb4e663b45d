// Editors for alert rules and action groups. Control names follow the API's error targets
// (criteria.allOf[0].threshold, webhookReceivers[1].serviceUri, …) so each message lands by its field.
import { api, path } from '../api.js';
import { h, fill, announce } from '../ui/dom.js';
import { field, formAlert, value, numberValue, submitting, actions, secretOnce, showError } from '../ui/forms.js';

export const METRICS = [
  ['elastic_jobs_failed', 'Elastic Jobs Executions Failed'],
  ['elastic_jobs_successful', 'Elastic Jobs Executions Successful'],
  ['elastic_jobs_timeout', 'Elastic Jobs Executions Timed Out'],
];
const OPERATORS = ['GreaterThan', 'GreaterThanOrEqual', 'LessThan', 'LessThanOrEqual', 'Equals', 'NotEquals'];
const AGGREGATIONS = ['Total', 'Count', 'Average', 'Minimum', 'Maximum'];
const DIMENSIONS = ['jobName', 'stepName', 'targetServer', 'targetDatabase'];

/** Reads the named controls of a repeated block into an object, leaving out empty ones. */
function readBlock(form, prefix, keys, numbers = []) {
  const out = {};
  for (const k of keys) {
    const v = numbers.includes(k) ? numberValue(form, `${prefix}.${k}`) : value(form, `${prefix}.${k}`);
    if (v !== undefined) out[k] = v;
  }
  return out;
}

// ---------------------------------------------------------------- alert rules

export function ruleEditor(ctx, rule, groupNames, onDone) {
  let criteria = (rule?.criteria?.allOf || []).map((c) => ({ ...c, dimensions: [...(c.dimensions || [])] }));
  if (!criteria.length) criteria = [{ metricName: 'elastic_jobs_failed', timeAggregation: 'Total', operator: 'GreaterThan', threshold: 0, dimensions: [] }];
  const criteriaBox = h('div', {});
  const form = h('form', { novalidate: true, class: 'rule-editor' });

  function readCriteria() {
    return criteria.map((c, i) => {
      const p = `criteria.allOf[${i}]`;
      const out = readBlock(form, p, ['metricName', 'timeAggregation', 'operator', 'threshold'], ['threshold']);
      out.dimensions = c.dimensions.map((_, j) => {
        const d = readBlock(form, `${p}.dimensions[${j}]`, ['name', 'operator']);
        const raw = value(form, `${p}.dimensions[${j}].values`) || '';
        d.values = raw.split(',').map((s) => s.trim()).filter(Boolean);
        return d;
      });
      return out;
    });
  }

  function draw() {
    fill(criteriaBox, criteria.map((c, i) => {
      const p = `criteria.allOf[${i}]`;
      return h('fieldset', { class: 'member' }, h('legend', {}, `Condition ${i + 1}`),
        h('div', { class: 'form-grid' },
          field({ label: 'Metric', name: `${p}.metricName`, type: 'select', value: metricKey(c.metricName), options: METRICS }),
          field({ label: 'Aggregation', name: `${p}.timeAggregation`, type: 'select', value: c.timeAggregation || 'Total', options: AGGREGATIONS }),
          field({ label: 'Operator', name: `${p}.operator`, type: 'select', value: c.operator || 'GreaterThan', options: OPERATORS }),
          field({ label: 'Threshold', name: `${p}.threshold`, type: 'number', value: c.threshold ?? 0, attrs: { step: 'any' } })),
        c.dimensions.map((d, j) => h('div', { class: 'form-grid dimension' },
          field({ label: `Dimension ${j + 1}`, name: `${p}.dimensions[${j}].name`, type: 'select', value: d.name || 'jobName', options: DIMENSIONS }),
          field({ label: 'Include or exclude', name: `${p}.dimensions[${j}].operator`, type: 'select', value: d.operator || 'Include', options: ['Include', 'Exclude'] }),
          field({ label: 'Values', name: `${p}.dimensions[${j}].values`, value: (d.values || []).join(', '),
            help: 'Comma-separated; * means each value gets its own alert.' }),
          h('div', { class: 'field' }, h('button', { type: 'button', class: 'secondary small', 'aria-label': `Remove dimension ${j + 1} of condition ${i + 1}`,
            onclick: () => { criteria = readCriteria(); criteria[i].dimensions.splice(j, 1); draw(); } }, 'Remove dimension')))),
        actions(
          c.dimensions.length < 4 ? h('button', { type: 'button', class: 'secondary small', 'aria-label': `Add dimension to condition ${i + 1}`,
            onclick: () => { criteria = readCriteria(); criteria[i].dimensions.push({ name: 'jobName', operator: 'Include', values: ['*'] }); draw(); } }, 'Add dimension') : null,
          criteria.length > 1 ? h('button', { type: 'button', class: 'secondary small', 'aria-label': `Remove condition ${i + 1}`,
            onclick: () => { criteria = readCriteria(); criteria.splice(i, 1); draw(); } }, 'Remove condition') : null));
    }), criteria.length < 5 ? actions(h('button', { type: 'button', class: 'secondary', onclick: () => {
      criteria = readCriteria();
      criteria.push({ metricName: 'elastic_jobs_failed', timeAggregation: 'Total', operator: 'GreaterThan', threshold: 0, dimensions: [] });
      draw();
    } }, 'Add condition')) : null);
  }

  const chosen = new Set(rule?.actions || []);
  const actionsBox = h('fieldset', {}, h('legend', {}, 'Action groups to notify'),
    groupNames.length ? groupNames.map((g, i) => {
      const id = `rule-action-${i}`;
      return h('div', { class: 'field field-check' },
        h('input', { type: 'checkbox', id, name: 'actions', value: g, checked: chosen.has(g) }), h('label', { for: id }, g));
    }) : h('p', { class: 'muted' }, 'No action groups yet: create one to get notified.'),
    h('p', { class: 'field-error', 'data-field': 'actions' }));

  form.append(
    h('div', { class: 'form-grid' },
      rule ? null : field({ label: 'Name', name: 'name', required: true, attrs: { maxlength: 128, autocomplete: 'off' } }),
      field({ label: 'Description', name: 'description', value: rule?.description, wide: !rule }),
      field({ label: 'Severity', name: 'severity', type: 'select', value: rule?.severity ?? 3,
        options: [[0, 'Sev0: critical'], [1, 'Sev1: error'], [2, 'Sev2: warning'], [3, 'Sev3: informational'], [4, 'Sev4: verbose']] }),
      field({ label: 'Window size', name: 'windowSize', value: rule?.windowSize || 'PT5M', help: 'PT1S to P1D.' }),
      field({ label: 'Evaluation frequency', name: 'evaluationFrequency', value: rule?.evaluationFrequency || 'PT1M', help: 'PT1S to PT1H.' }),
      field({ label: 'Enabled', name: 'enabled', type: 'checkbox', value: rule ? rule.enabled !== false : true }),
      field({ label: 'Resolve automatically', name: 'autoMitigate', type: 'checkbox', value: rule ? rule.autoMitigate !== false : true,
        help: 'Resolves once the condition stayed clear for a whole window.' })),
    h('h3', {}, 'Conditions (all must hold)'), criteriaBox, actionsBox,
    formAlert(),
    actions(h('button', { type: 'submit' }, 'Save'), h('button', { type: 'button', class: 'secondary', onclick: () => onDone(false) }, 'Close')));
  draw();

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    submitting(form, async () => {
      const name = rule ? rule.name : value(form, 'name');
      if (!name) throw { target: 'name', message: 'Enter a name.' };
      const body = {
        description: value(form, 'description') ?? '',
        severity: numberValue(form, 'severity'),
        enabled: value(form, 'enabled'),
        autoMitigate: value(form, 'autoMitigate'),
        windowSize: value(form, 'windowSize'),
        evaluationFrequency: value(form, 'evaluationFrequency'),
        criteria: { allOf: readCriteria() },
        actions: [...form.querySelectorAll('input[name="actions"]:checked')].map((c) => c.value),
      };
      Object.keys(body).forEach((k) => body[k] === undefined && delete body[k]);
      await api.put(path`/alertRules/${name}`, body);
      announce(`Saved alert rule ${name}.`);
      onDone(true);
    });
  });
  return form;
}

function metricKey(name) {
  const hit = METRICS.find(([key, label]) => key === name || label === name);
  return hit ? hit[0] : name;
}

// ---------------------------------------------------------------- action groups

export function groupEditor(ctx, group, onDone, secretsBox) {
  let emails = (group?.emailReceivers || []).map((r) => ({ ...r }));
  let hooks = (group?.webhookReceivers || []).map((r) => ({ ...r }));
  // Slack and Teams receivers: their URL is write-only, so an existing one is kept when the field stays empty.
  // The field holds only what was typed; shownAs is the stored URL's scheme and host, as the API shows it.
  const stored = (kind) => (r) => ({ ...r, kind, existing: true, shownAs: r.webhookUrl, webhookUrl: '' });
  let chats = [...(group?.slackReceivers || []).map(stored('slack')), ...(group?.teamsReceivers || []).map(stored('teams'))];
  const emailBox = h('div', {});
  const hookBox = h('div', {});
  const chatBox = h('div', {});
  const form = h('form', { novalidate: true, class: 'group-editor' });

  const readEmails = () => emails.map((_, i) => readBlock(form, `emailReceivers[${i}]`, ['name', 'emailAddress']));
  const readHooks = () => hooks.map((old, i) => {
    const r = readBlock(form, `webhookReceivers[${i}]`, ['name', 'serviceUri', 'secret']);
    r.useCommonAlertSchema = value(form, `webhookReceivers[${i}].useCommonAlertSchema`);
    r.existing = old.existing;
    r.secretFrom = old.secretFrom;
    r.disabled = old.disabled;
    r.disabledReason = old.disabledReason;
    return r;
  });
  hooks = hooks.map((r) => ({ ...r, existing: true }));
  const chatField = (r, i) => `${r.kind}Receivers[${chats.slice(0, i).filter((c) => c.kind === r.kind).length}]`;
  const readChats = () => chats.map((old, i) => {
    const r = readBlock(form, chatField(old, i), ['name', 'webhookUrl']);
    return { ...r, kind: old.kind, existing: old.existing, shownAs: old.shownAs, disabled: old.disabled,
      disabledReason: old.disabledReason };
  });
  const readAll = () => { emails = readEmails(); hooks = readHooks(); chats = readChats(); };

  function draw() {
    fill(emailBox, emails.map((r, i) => h('fieldset', { class: 'member' }, h('legend', {}, `Email receiver ${i + 1}`),
      h('div', { class: 'form-grid' },
        field({ label: 'Receiver name', name: `emailReceivers[${i}].name`, value: r.name, required: true }),
        field({ label: 'Email address', name: `emailReceivers[${i}].emailAddress`, type: 'email', value: r.emailAddress, required: true })),
      actions(h('button', { type: 'button', class: 'secondary small', 'aria-label': `Remove email receiver ${i + 1}`,
        onclick: () => { readAll(); emails.splice(i, 1); draw(); } }, 'Remove receiver')))),
    actions(h('button', { type: 'button', class: 'secondary', onclick: () => {
      readAll(); emails.push({ name: '', emailAddress: '' }); draw();
    } }, 'Add email receiver')));
    fill(hookBox, hooks.map((r, i) => h('fieldset', { class: 'member' }, h('legend', {}, `Webhook receiver ${i + 1}`),
      r.disabled ? h('p', { class: 'form-alert' }, `Disabled: ${r.disabledReason || 'the receiver answered 410 Gone'}. Saving the group enables it again.`) : null,
      h('div', { class: 'form-grid' },
        field({ label: 'Receiver name', name: `webhookReceivers[${i}].name`, value: r.name, required: true }),
        field({ label: 'Service URI', name: `webhookReceivers[${i}].serviceUri`, type: 'url', value: r.serviceUri, required: true, placeholder: 'https://…' }),
        field({ label: 'Signing secret', name: `webhookReceivers[${i}].secret`, type: 'password', attrs: { autocomplete: 'new-password' },
          help: r.secretFrom ? `Read at each delivery from ${r.secretFrom.file ? `the file ${r.secretFrom.file}` : `the variable ${r.secretFrom.env}`}. Empty keeps that; a value replaces it.`
            : r.existing ? 'Write-only. Empty keeps the current secret.' : 'Write-only (whsec_…). Empty generates one, shown once after saving.' }),
        field({ label: 'Common alert schema', name: `webhookReceivers[${i}].useCommonAlertSchema`, type: 'checkbox', value: r.useCommonAlertSchema !== false,
          help: 'Off sends the older metric alert schema.' })),
      actions(h('button', { type: 'button', class: 'secondary small', 'aria-label': `Remove webhook receiver ${i + 1}`,
        onclick: () => { readAll(); hooks.splice(i, 1); draw(); } }, 'Remove receiver')))),
    actions(h('button', { type: 'button', class: 'secondary', onclick: () => {
      readAll(); hooks.push({ name: '', serviceUri: '', useCommonAlertSchema: true }); draw();
    } }, 'Add webhook receiver')));
    fill(chatBox, chats.map((r, i) => h('fieldset', { class: 'member' },
      h('legend', {}, `${r.kind === 'slack' ? 'Slack' : 'Teams'} receiver ${i + 1}`),
      r.disabled ? h('p', { class: 'form-alert' }, `Disabled: ${r.disabledReason || 'the receiver answered 410 Gone'}. Saving the group enables it again.`) : null,
      h('div', { class: 'form-grid' },
        field({ label: 'Receiver name', name: `${chatField(r, i)}.name`, value: r.name, required: true }),
        field({ label: 'Incoming webhook URL', name: `${chatField(r, i)}.webhookUrl`, type: 'url', value: r.webhookUrl,
          required: !r.existing, attrs: { autocomplete: 'off' }, placeholder: 'https://…',
          help: r.existing ? `Write-only (${r.shownAs || 'set'}). Empty keeps the current URL.` : 'Write-only: it is never shown again.' })),
      actions(h('button', { type: 'button', class: 'secondary small', 'aria-label': `Remove chat receiver ${i + 1}`,
        onclick: () => { readAll(); chats.splice(i, 1); draw(); } }, 'Remove receiver')))),
    actions(
      h('button', { type: 'button', class: 'secondary', onclick: () => { readAll(); chats.push({ kind: 'slack', name: '' }); draw(); } }, 'Add Slack receiver'),
      h('button', { type: 'button', class: 'secondary', onclick: () => { readAll(); chats.push({ kind: 'teams', name: '' }); draw(); } }, 'Add Teams receiver')));
  }

  form.append(
    group ? null : field({ label: 'Name', name: 'name', required: true, attrs: { maxlength: 128, autocomplete: 'off' } }),
    h('h3', {}, 'Email receivers'), emailBox,
    h('h3', {}, 'Webhook receivers'), hookBox,
    h('h3', {}, 'Slack and Teams receivers'), chatBox,
    formAlert(),
    actions(h('button', { type: 'submit' }, 'Save'), h('button', { type: 'button', class: 'secondary', onclick: () => onDone(false) }, 'Close')));
  draw();

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    submitting(form, async () => {
      const name = group ? group.name : value(form, 'name');
      if (!name) throw { target: 'name', message: 'Enter a name.' };
      const chatReceivers = (kind) => readChats().filter((r) => r.kind === kind)
        .map(({ name: receiver, webhookUrl }) => (webhookUrl ? { name: receiver, webhookUrl } : { name: receiver }));
      const body = {
        emailReceivers: readEmails(),
        // A receiver's secretFrom is kept by leaving it out, as its stored secret is.
        webhookReceivers: readHooks().map(({ existing, disabled, disabledReason, secretFrom, ...r }) => r),
        slackReceivers: chatReceivers('slack'),
        teamsReceivers: chatReceivers('teams'),
      };
      const saved = await api.put(path`/actionGroups/${name}`, body);
      announce(`Saved action group ${name}.`);
      // A generated secret is in this response only: show it before anything re-renders.
      const secrets = (saved.webhookReceivers || []).filter((r) => r.secret);
      if (secrets.length && secretsBox) {
        fill(secretsBox, h('section', { class: 'card', 'aria-label': 'New webhook secrets' },
          h('h2', {}, `Webhook secrets of ${name}`),
          secrets.map((r) => secretOnce(`Secret of webhook receiver ${r.name}`, r.secret,
            'Give it to the receiver to check signatures (Standard Webhooks). Shown only now; it is never returned again.'))));
      }
      onDone(true, secrets.length > 0);
    });
  });
  return form;
}

export { showError };
