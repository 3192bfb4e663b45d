// One job, in two tabs. Overview: its settings (read, and edited on demand), steps, a preview of the databases a
// run would hit, recent executions, and the version history with a diff between any two versions. Fleet state:
// who is behind (see jobFleet.js). Only one form with a Save button is shown at a time: "Edit settings" opens
// the job's form, and opening the step editor hides it.
import { api, path } from '../api.js';
import { h, fill, link, section, errorBox, announce, uid, executionRoute } from '../ui/dom.js';
import { time, lifecycleBadge, scheduleText, toLocalInput, fromLocalInput, duration, shortId } from '../ui/format.js';
import { field, formAlert, value, numberValue, submitting, confirmButton, actions } from '../ui/forms.js';
import { table, row } from '../ui/table.js';
import { renderDiff } from '../ui/diff.js';
import { canonicalJob } from './jobDefinition.js';
import { can } from '../roles.js';
import { fleetPanel } from './jobFleet.js';

export async function render(view, ctx) {
  const name = ctx.params[0];
  if (name === undefined) return renderNew(view, ctx);

  const { signal } = ctx;
  const title = h('h1', {}, name);
  const toolbar = h('div', { class: 'toolbar' });
  view.append(h('div', { class: 'page-head' }, title, toolbar));

  const [job, steps, versions, recent] = await Promise.all([
    api.get(path`/jobs/${name}`, { signal }),
    api.get(path`/jobs/${name}/steps`, { signal }).then((p) => p.value || []),
    api.get(path`/jobs/${name}/versions`, { signal }).then((p) => p.value || []),
    api.list(path`/jobs/${name}/executions`, { $top: 10 }, { signal }).then((p) => p.value || []).catch(() => []),
  ]);

  if (can('startJob')) {
    const start = h('button', { type: 'button' }, 'Start now');
    const startForm = h('form', { class: 'inline' }, start, formAlert());
    startForm.addEventListener('submit', (e) => e.preventDefault());
    start.addEventListener('click', () => submitting(startForm, async () => {
      const execution = await api.post(path`/jobs/${name}/start`);
      announce(`Started ${name}.`);
      ctx.navigate(executionRoute(name, execution.jobExecutionId));
    }));
    // A dry run runs every script inside a transaction that is rolled back: see what a change would do first.
    const dryRun = h('button', { type: 'button', title: 'Run every step inside a transaction that is rolled back' }, 'Dry run');
    dryRun.addEventListener('click', () => submitting(startForm, async () => {
      const execution = await api.post(path`/jobs/${name}/start`, { dryRun: true });
      announce(`Dry run of ${name} started.`);
      ctx.navigate(executionRoute(name, execution.jobExecutionId));
    }));
    start.after(dryRun);
    toolbar.append(startForm);
  }

  const overview = h('div', { role: 'tabpanel', id: 'tab-overview', 'aria-labelledby': 'tab-overview-button' });
  const fleet = h('div', { role: 'tabpanel', id: 'tab-fleet', 'aria-labelledby': 'tab-fleet-button' });
  const views = tabs(ctx, name, { overview, fleet });
  view.append(views.element, overview, fleet);

  // Job settings: read by default; admins open the form with "Edit settings".
  const settings = can('putJob') ? jobForm(ctx, job) : null;
  const settingsSection = settings ? section('Settings', settings) : null;
  if (settingsSection) settingsSection.hidden = true;
  const editSettings = settings ? h('button', { type: 'button', class: 'secondary', onclick: () => {
    closeEditor();
    settingsSection.hidden = false;
    editSettings.hidden = true;
    settings.querySelector('input:not([type="hidden"]), select, textarea')?.focus();
  } }, 'Edit settings') : null;
  if (settings) {
    settings.querySelector('.actions').append(h('button', { type: 'button', class: 'secondary', onclick: () => {
      settingsSection.hidden = true;
      editSettings.hidden = false;
      editSettings.focus();
    } }, 'Close'));
  }
  overview.append(summary(job, editSettings));
  if (settingsSection) overview.append(settingsSection);

  // Steps and their editor.
  const editorBox = h('div', {});
  const stepsSection = section('Steps', stepsTable(steps, (step) => openEditor(step)), editorBox);
  if (can('putJobStep')) {
    stepsSection.querySelector('h2').after(h('div', { class: 'toolbar' },
      h('button', { type: 'button', onclick: () => openEditor(null) }, 'Add step')));
  }
  overview.append(stepsSection);

  function closeEditor() {
    fill(editorBox);
  }

  function openEditor(step) {
    if (settingsSection) settingsSection.hidden = true;
    if (editSettings) editSettings.hidden = false;
    fill(editorBox, stepEditor(ctx, name, step, steps.length, closeEditor));
    editorBox.querySelector('input:not([readonly]), textarea, select')?.focus();
    editorBox.scrollIntoView({ block: 'nearest' });
  }

  overview.append(previewSection(name));
  overview.append(executionsSection(name, recent));
  overview.append(versionsSection(name, versions, job.version));
  if (ctx.query.tab === 'fleet') await views.loadFleet();
}

/**
 * Overview and Fleet state; the chosen tab is in the address (?tab=fleet), so it can be linked. The fleet state
 * loads when its tab is first shown.
 */
function tabs(ctx, name, panels) {
  const list = h('div', { class: 'tabs', role: 'tablist', 'aria-label': 'Job views' });
  const fleetShown = ctx.query.tab === 'fleet';
  let fleetLoaded = null;
  const buttons = [['overview', 'Overview'], ['fleet', 'Fleet state']].map(([key, text]) => {
    const selected = (key === 'fleet') === fleetShown;
    const b = h('button', { type: 'button', role: 'tab', id: `tab-${key}-button`, 'aria-controls': `tab-${key}`,
      'aria-selected': String(selected), tabindex: selected ? '0' : '-1' }, text);
    b.addEventListener('click', () => select(key));
    b.addEventListener('keydown', (e) => {
      if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') select(key === 'fleet' ? 'overview' : 'fleet', true);
    });
    list.append(b);
    return [key, b];
  });
  panels.overview.hidden = fleetShown;
  panels.fleet.hidden = !fleetShown;

  function select(key, focus = false) {
    for (const [k, b] of buttons) {
      b.setAttribute('aria-selected', String(k === key));
      b.tabIndex = k === key ? 0 : -1;
      if (k === key && focus) b.focus();
    }
    panels.overview.hidden = key !== 'overview';
    panels.fleet.hidden = key !== 'fleet';
    // The address follows without a new render, so the other tab keeps what it holds.
    history.replaceState(null, '', `#/jobs/${encodeURIComponent(name)}${key === 'fleet' ? '?tab=fleet' : ''}`);
    if (key === 'fleet') load();
  }

  function load() {
    if (!fleetLoaded) fleetLoaded = fleetPanel(ctx, name).then((panel) => panels.fleet.append(panel));
    return fleetLoaded;
  }
  return { element: list, loadFleet: load };
}

function summary(job, editButton) {
  const last = job.lastExecution;
  return h('section', { class: 'card', 'aria-label': 'Summary' },
    scheduleOff(job.schedule) ? h('p', { class: 'warning-box schedule-warning', role: 'status' }, SCHEDULE_OFF) : null,
    h('dl', { class: 'kv' },
    h('dt', {}, 'Description'), h('dd', {}, job.description || h('span', { class: 'muted' }, 'none')),
    h('dt', {}, 'Schedule'), h('dd', {}, scheduleText(job.schedule)),
    h('dt', {}, 'Overlap policy'), h('dd', {}, job.overlapPolicy || 'SkipTargets'),
    h('dt', {}, 'Current version'), h('dd', {}, String(job.version ?? '—')),
    h('dt', {}, 'Last execution'), h('dd', {}, last
      ? [h('a', { href: `#${executionRoute(job.name, last.jobExecutionId)}` }, lifecycleBadge(last.lifecycle)), ' ', time(last.createTime)]
      : h('span', { class: 'muted' }, 'never run')),
    h('dt', {}, 'Next run'), h('dd', {}, job.nextRunTime ? time(job.nextRunTime) : h('span', { class: 'muted' }, 'not scheduled'))),
    editButton ? h('div', { class: 'actions' }, editButton) : null);
}

const SCHEDULE_OFF = 'This schedule will not run until you enable it.';

/** A Recurring or Cron schedule left disabled, as Elastic Jobs leaves new schedules: it never fires. */
function scheduleOff(schedule) {
  return !!schedule && (schedule.type === 'Recurring' || schedule.type === 'Cron') && !schedule.enabled;
}

function renderNew(view, ctx) {
  view.append(h('h1', {}, 'New job'));
  if (!can('putJob')) {
    view.append(h('p', {}, 'Your role may not create jobs.'));
    return;
  }
  view.append(h('section', { class: 'card', 'aria-label': 'New job' }, jobForm(ctx, null)));
  view.querySelector('[name="name"]').focus();
}

/** The job's own fields. PUT /jobs/{name} creates or replaces them (steps are separate). */
function jobForm(ctx, job) {
  const s = job?.schedule || { type: 'Once', enabled: false };
  const form = h('form', { novalidate: true, class: 'job-form' },
    h('div', { class: 'form-grid' },
      job ? null : field({ label: 'Name', name: 'name', required: true, wide: true, attrs: { maxlength: 128, autocomplete: 'off' } }),
      field({ label: 'Description', name: 'description', value: job?.description, wide: true, attrs: { maxlength: 512 } }),
      field({ label: 'Overlap policy', name: 'overlapPolicy', type: 'select', value: job?.overlapPolicy || 'SkipTargets',
        options: [['SkipTargets', 'SkipTargets: skip targets still busy'], ['SkipExecution', 'SkipExecution: skip the whole run']],
        help: 'What a new run does while an earlier one is still active.' })),
    h('fieldset', {}, h('legend', {}, 'Schedule'),
      h('div', { class: 'form-grid' },
        field({ label: 'Schedule type', name: 'schedule.type', type: 'select', value: s.type || 'Once',
          options: [['Once', 'Once: at the start time'], ['Recurring', 'Recurring: every interval'], ['Cron', 'Cron: a cron expression']] }),
        field({ label: 'Enabled', name: 'schedule.enabled', type: 'checkbox', value: s.enabled, help: 'A disabled schedule never starts the job; Start now still does.' }),
        forTypes(['Recurring'], field({ label: 'Interval', name: 'schedule.interval', value: s.type === 'Recurring' ? s.interval : '', placeholder: 'PT15M',
          help: 'An ISO-8601 duration such as PT15M, PT2H, P1D, P1W, P1M.' })),
        forTypes(['Cron'], field({ label: 'Cron expression', name: 'schedule.cronExpression', value: s.cronExpression, placeholder: '0 8 * * 1-5',
          help: 'Five fields: minute, hour, day of month, month, day of week.' })),
        forTypes(['Cron'], field({ label: 'Time zone', name: 'schedule.timeZone', value: s.timeZone, placeholder: 'UTC',
          help: 'An IANA zone such as Europe/Berlin.' })),
        forTypes(['Once', 'Recurring', 'Cron'], field({ label: 'Start time', name: 'schedule.startTime', type: 'datetime-local', value: toLocalInput(s.startTime),
          help: 'In your time zone; empty means any time.' })),
        forTypes(['Recurring', 'Cron'], field({ label: 'End time', name: 'schedule.endTime', type: 'datetime-local', value: toLocalInput(s.endTime),
          help: 'In your time zone; empty means never.' }))),
      h('p', { class: 'warning-box schedule-warning', role: 'status', hidden: true }, SCHEDULE_OFF)),
    formAlert(),
    actions(h('button', { type: 'submit' }, 'Save'),
      job && can('deleteJob') ? confirmButton('Delete', `Delete job “${job.name}” and its history?`, () => deleteJob(ctx, form, job.name)) : null));

  // Only the chosen type's fields show, and only they are sent.
  const shown = (name) => !form.querySelector(`[name="${CSS.escape(name)}"]`)?.closest('[data-schedule-types]')?.hidden;
  const syncSchedule = () => {
    const type = value(form, 'schedule.type');
    form.querySelectorAll('[data-schedule-types]').forEach((el) => {
      el.hidden = !el.dataset.scheduleTypes.split(' ').includes(type);
    });
    form.querySelector('.schedule-warning').hidden = !scheduleOff({ type, enabled: value(form, 'schedule.enabled') });
  };
  form.querySelector('[name="schedule.type"]').addEventListener('change', syncSchedule);
  form.querySelector('[name="schedule.enabled"]').addEventListener('change', syncSchedule);
  syncSchedule();

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    submitting(form, async () => {
      const name = job ? job.name : value(form, 'name');
      if (!name) throw { target: 'name', message: 'Enter a name.' };
      const when = (field) => (shown(field) ? value(form, field) : undefined);
      const schedule = {
        type: value(form, 'schedule.type'),
        enabled: value(form, 'schedule.enabled'),
        interval: when('schedule.interval'),
        cronExpression: when('schedule.cronExpression'),
        timeZone: when('schedule.timeZone'),
        startTime: fromLocalInput(when('schedule.startTime')),
        endTime: fromLocalInput(when('schedule.endTime')),
      };
      Object.keys(schedule).forEach((k) => schedule[k] === undefined && delete schedule[k]);
      const body = { description: value(form, 'description') ?? '', overlapPolicy: value(form, 'overlapPolicy'), schedule };
      await api.put(path`/jobs/${name}`, body);
      announce(job ? `Saved ${name}.` : `Created ${name}.`);
      if (job) ctx.rerender(); else ctx.navigate(`/jobs/${encodeURIComponent(name)}`);
    });
  });
  return form;
}

async function deleteJob(ctx, form, name) {
  await submitting(form, async () => {
    try {
      await api.del(path`/jobs/${name}`);
    } catch (e) {
      // A running job is kept unless forced; say so rather than cancelling its runs silently.
      if (e.status === 409) throw { message: `${e.message} Cancel its active executions first.` };
      throw e;
    }
    announce(`Deleted ${name}.`);
    ctx.navigate('/jobs');
  });
}

function stepsTable(steps, edit) {
  const editable = can('putJobStep');
  return table({
    caption: 'Steps',
    columns: ['Step', 'Name', 'Target group', 'Credential', 'Script', 'Options', editable ? 'Actions' : null].filter(Boolean),
    rows: steps.map((s) => row([
      String(s.stepId),
      s.name,
      s.targetGroup ? link(`/targetGroups/${encodeURIComponent(s.targetGroup)}`, s.targetGroup) : '—',
      s.credential || h('span', { class: 'muted' }, 'refresh credential'),
      h('details', {}, h('summary', {}, firstLine(s.action?.value)), h('pre', { class: 'code' }, s.action?.value || '')),
      optionsText(s),
      editable ? h('button', { type: 'button', class: 'secondary small', onclick: () => edit(s), 'aria-label': `Edit step ${s.name}` }, 'Edit') : null,
    ].filter((c) => c !== null), { 'data-step': s.name })),
    empty: 'No steps yet.',
  });
}

function firstLine(text) {
  const line = String(text || '').split(/\r?\n/).find((l) => l.trim()) || '';
  return line.length > 60 ? `${line.slice(0, 60)}…` : line || '(empty)';
}

/** Marks a schedule field as belonging to some schedule types; the others hide it. */
function forTypes(types, fieldElement) {
  fieldElement.dataset.scheduleTypes = types.join(' ');
  return fieldElement;
}

function optionsText(s) {
  const o = s.executionOptions || {};
  const parts = [];
  if (o.timeoutSeconds) parts.push(`timeout ${o.timeoutSeconds} s`);
  if (o.retryAttempts !== undefined) parts.push(o.retryAttempts === 0 ? 'no retries' : `${o.retryAttempts} ${o.retryAttempts === 1 ? 'retry' : 'retries'}`);
  if (s.maxParallelism) parts.push(`max ${s.maxParallelism} at once`);
  if (s.output) parts.push(`output → ${s.output.tableName}`);
  return parts.join(', ') || '—';
}

/** Create or replace a step (PUT /jobs/{job}/steps/{step}); each change makes a new job version. */
function stepEditor(ctx, jobName, step, stepCount, close) {
  const o = step?.executionOptions || {};
  const out = step?.output || {};
  const groupsList = uid('groups');
  const credsList = uid('creds');
  const groupsDatalist = h('datalist', { id: groupsList });
  const credsDatalist = h('datalist', { id: credsList });
  // Suggestions only: the fields stay free text, so the API's own check names an unknown group.
  api.all('/targetGroups', {}, { signal: ctx.signal }, 1000)
    .then((gs) => gs.forEach((g) => groupsDatalist.append(h('option', { value: g.name }))))
    .catch(() => {});
  api.all('/credentials', {}, { signal: ctx.signal }, 1000)
    .then((cs) => cs.forEach((c) => credsDatalist.append(h('option', { value: c.name }))))
    .catch(() => {});

  const form = h('form', { novalidate: true, class: 'step-editor card', 'aria-labelledby': 'step-editor-title' },
    h('h3', { id: 'step-editor-title' }, step ? `Edit step ${step.name}` : 'Add step'),
    groupsDatalist, credsDatalist,
    h('div', { class: 'form-grid' },
      field({ label: 'Step name', name: 'name', value: step?.name, required: true, attrs: { readonly: !!step, maxlength: 128, autocomplete: 'off' },
        help: step ? 'A step keeps its name; add a new step to rename.' : null }),
      field({ label: 'Step number', name: 'stepId', type: 'number', value: step?.stepId ?? '', attrs: { min: 1 },
        help: step ? null : `Empty adds it last (step ${stepCount + 1}); an existing number shifts that step and later ones.` }),
      field({ label: 'Target group', name: 'targetGroup', value: step?.targetGroup, required: true, attrs: { list: groupsList, autocomplete: 'off' } }),
      field({ label: 'Credential', name: 'credential', value: step?.credential, attrs: { list: credsList, autocomplete: 'off' },
        help: 'Empty uses each target’s refresh credential.' }),
      field({ label: 'Script', name: 'action.value', type: 'textarea', value: step?.action?.value, required: true, wide: true,
        attrs: { rows: 8, class: 'mono' }, help: 'Variables such as $(job_execution_id) are substituted first.' })),
    h('fieldset', {}, h('legend', {}, 'Execution options'),
      h('div', { class: 'form-grid' },
        field({ label: 'Timeout (seconds)', name: 'executionOptions.timeoutSeconds', type: 'number', value: o.timeoutSeconds, attrs: { min: 1 } }),
        field({ label: 'Retry attempts', name: 'executionOptions.retryAttempts', type: 'number', value: o.retryAttempts, attrs: { min: 0 } }),
        field({ label: 'Initial retry interval (seconds)', name: 'executionOptions.initialRetryIntervalSeconds', type: 'number', value: o.initialRetryIntervalSeconds, attrs: { min: 1 } }),
        field({ label: 'Maximum retry interval (seconds)', name: 'executionOptions.maximumRetryIntervalSeconds', type: 'number', value: o.maximumRetryIntervalSeconds, attrs: { min: 1 } }),
        field({ label: 'Retry backoff multiplier', name: 'executionOptions.retryIntervalBackoffMultiplier', type: 'number', value: o.retryIntervalBackoffMultiplier, attrs: { min: 1, step: 'any' } }),
        field({ label: 'Max parallelism', name: 'maxParallelism', type: 'number', value: step?.maxParallelism, attrs: { min: 1 },
          help: 'At most this many targets of the step at once.' }))),
    h('fieldset', {}, h('legend', {}, 'Output (optional)'),
      h('p', { class: 'help' }, 'Writes the first result set to a table; leave the table name empty for no output.'),
      h('div', { class: 'form-grid' },
        field({ label: 'Output server', name: 'output.serverName', value: out.serverName }),
        field({ label: 'Output database', name: 'output.databaseName', value: out.databaseName }),
        field({ label: 'Output schema', name: 'output.schemaName', value: out.schemaName }),
        field({ label: 'Output table', name: 'output.tableName', value: out.tableName }),
        field({ label: 'Output credential', name: 'output.credential', value: out.credential, attrs: { list: credsList, autocomplete: 'off' } }),
        field({ label: 'Output engine', name: 'output.engine', type: 'select', value: out.engine || 'postgresql', options: ['postgresql', 'sqlserver'] }))),
    formAlert(),
    actions(
      h('button', { type: 'submit' }, 'Save'),
      h('button', { type: 'button', class: 'secondary', onclick: close }, 'Close'),
      step && can('deleteJobStep') ? confirmButton('Delete', `Delete step “${step.name}”?`, () => submitting(form, async () => {
        await api.del(path`/jobs/${jobName}/steps/${step.name}`);
        announce(`Deleted step ${step.name}.`);
        ctx.rerender();
      })) : null));

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    submitting(form, async () => {
      const stepName = step ? step.name : value(form, 'name');
      if (!stepName) throw { target: 'name', message: 'Enter a step name.' };
      const body = {
        stepId: numberValue(form, 'stepId'),
        targetGroup: value(form, 'targetGroup') ?? '',
        credential: value(form, 'credential') ?? null,
        action: { ...(step?.action?.type ? { type: step.action.type } : {}), value: value(form, 'action.value') ?? '' },
        maxParallelism: numberValue(form, 'maxParallelism') ?? null,
      };
      if (body.stepId === undefined) delete body.stepId;
      const options = {};
      for (const k of ['timeoutSeconds', 'retryAttempts', 'initialRetryIntervalSeconds', 'maximumRetryIntervalSeconds', 'retryIntervalBackoffMultiplier']) {
        const v = numberValue(form, `executionOptions.${k}`);
        if (v !== undefined) options[k] = v;
      }
      if (Object.keys(options).length) body.executionOptions = options;
      const outputFields = ['serverName', 'databaseName', 'schemaName', 'tableName', 'credential'];
      if (outputFields.some((k) => value(form, `output.${k}`) !== undefined)) {
        body.output = { engine: value(form, 'output.engine') };
        for (const k of outputFields) {
          const v = value(form, `output.${k}`);
          if (v !== undefined) body.output[k] = v;
        }
      } else {
        body.output = null;
      }
      await api.put(path`/jobs/${jobName}/steps/${stepName}`, body);
      announce(`Saved step ${stepName}.`);
      ctx.rerender();
    });
  });
  return form;
}

/** GET /jobs/{name}/targets/preview: per step, the databases a run would hit now. */
function previewSection(jobName) {
  const box = h('div', {});
  const button = h('button', { type: 'button', class: 'secondary' }, 'Preview targets');
  button.addEventListener('click', async () => {
    button.disabled = true;
    fill(box, h('p', { class: 'muted', role: 'status' }, 'Expanding target groups…'));
    try {
      const result = await api.get(path`/jobs/${jobName}/targets/preview`);
      fill(box, renderPreview(result.value || []));
    } catch (e) {
      fill(box, errorBox(e));
    } finally {
      button.disabled = false;
    }
  });
  return section('Targets', h('p', { class: 'help' }, 'The databases each step would run on right now: its target group expanded as a starting step expands it.'),
    h('div', { class: 'toolbar' }, button), box);
}

/** Each member with its own status: the databases it listed, why it could not be listed, or excluded. */
function memberStatuses(entry) {
  return table({
    caption: `Members of ${entry.targetGroup || 'the group'}`,
    columns: ['Member', 'Server', 'Status', 'Databases or error'],
    rows: entry.members.map((m) => row([
      `${m.membershipType} ${m.type}${m.databaseName ? ` ${m.databaseName}` : ''}${m.elasticPoolName ? ` ${m.elasticPoolName}` : ''}`,
      m.serverName,
      m.status,
      m.status === 'Failed' ? h('span', { class: 'error-text' }, m.error) : m.status === 'Listed' ? String(m.databases) : '—',
    ], { 'data-member-status': m.status })),
    empty: 'No members.',
  });
}

export function renderPreview(entries) {
  if (!entries.length) return h('p', { class: 'muted', role: 'status' }, 'No steps, so no targets.');
  return h('div', { role: 'status' }, entries.map((entry) => h('div', {},
    h('h3', {}, entry.stepName ? `Step ${entry.stepId}: ${entry.stepName}` : `Target group ${entry.targetGroup || ''}`,
      entry.targetGroup && entry.stepName ? h('span', { class: 'muted' }, ` (group ${entry.targetGroup})`) : null),
    entry.members ? memberStatuses(entry) : null,
    (entry.merged || []).length ? h('p', { class: 'muted' }, 'Merged, as the same server: ',
      entry.merged.map((m) => `${m.serverName} = ${m.sameAs}`).join('; '), '.') : null,
    table({
      caption: `Targets of ${entry.stepName || entry.targetGroup || 'the group'}`,
      columns: ['Server', 'Database', 'Engine', 'TLS mode', 'Authentication', 'Credential'],
      rows: (entry.targets || []).map((t) => row([t.serverName, t.databaseName || '—', t.engine || '—',
        t.sslMode || '—', t.authentication || '—', t.authentication && t.authentication !== 'SqlLogin' ? 'not used' : (t.credential || '—')],
        { 'data-target': `${t.serverName}/${t.databaseName}` })),
      empty: 'No databases.',
    }))));
}

function executionsSection(jobName, recent) {
  return section('Recent executions',
    table({
      caption: `Recent executions of ${jobName}`,
      columns: ['Execution', 'Version', 'Lifecycle', 'Created', 'Duration'],
      rows: recent.map((x) => row([
        link(executionRoute(jobName, x.jobExecutionId), shortId(x.jobExecutionId), { class: 'mono', title: x.jobExecutionId }),
        String(x.jobVersion ?? '—'),
        lifecycleBadge(x.lifecycle),
        time(x.createTime, { short: true }),
        duration(x.startTime, x.endTime),
      ], { 'data-execution': x.jobExecutionId })),
      empty: 'Never run.',
    }),
    h('p', {}, h('a', { href: `#/executions?job=${encodeURIComponent(jobName)}` }, 'All executions of this job')));
}

/** Versions with a line diff between any two (the steps of each version, rendered canonically). */
function versionsSection(jobName, versions, current) {
  const numbers = versions.map((v) => v.version).sort((a, b) => a - b);
  const box = h('div', {});
  const sec = section('Versions',
    table({
      caption: 'Versions',
      columns: ['Version', 'Created'],
      rows: [...versions].sort((a, b) => b.version - a.version).map((v) => row([
        v.version === current ? `${v.version} (current)` : String(v.version), time(v.createdTime)])),
      empty: 'No versions.',
    }), box);
  if (numbers.length < 2) {
    box.append(h('p', { class: 'muted' }, 'A diff needs two versions; each step change makes one.'));
    return sec;
  }
  const opts = numbers.map((n) => [n, `Version ${n}`]);
  const form = h('form', { novalidate: true, class: 'diff-form' },
    h('div', { class: 'form-grid' },
      field({ label: 'Compare version', name: 'fromVersion', type: 'select', options: opts, value: numbers[numbers.length - 2] }),
      field({ label: 'With version', name: 'toVersion', type: 'select', options: opts, value: numbers[numbers.length - 1] })),
    formAlert(),
    actions(h('button', { type: 'submit', class: 'secondary' }, 'Show diff')));
  const out = h('div', {});
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    submitting(form, async () => {
      const from = Number(value(form, 'fromVersion'));
      const to = Number(value(form, 'toVersion'));
      const [a, b] = await Promise.all([from, to].map((v) => api.get(path`/jobs/${jobName}/versions/${v}/steps`).then((p) => p.value || [])));
      fill(out, await renderDiff(canonicalJob(jobName, from, a), canonicalJob(jobName, to, b), { label: `Version ${from} to version ${to}` }));
    });
  });
  box.append(form, out);
  return sec;
}
