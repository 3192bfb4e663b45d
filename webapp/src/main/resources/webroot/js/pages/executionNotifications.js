// Execution notifications (/executionNotifications): which action groups are told when runs of some jobs (or of
// every job) end or pause. The list, and for admins an editor (jobs, end states, action groups) and Delete;
// readers and operators see the list only. Control names are the API's fields (jobs, endStates, actionGroups), so
// a refusal lands by its field.
import { api, path } from '../api.js';
import { h, fill, link, announce, errorBox, uid } from '../ui/dom.js';
import { field, formAlert, value, submitting, actions, confirmButton } from '../ui/forms.js';
import { table, row } from '../ui/table.js';
import { can } from '../roles.js';

const EVERY_JOB = '*';
const END_STATES = [['Succeeded', 'Succeeded'], ['Failed', 'Failed'], ['TimedOut', 'Timed out'],
  ['Canceled', 'Canceled'], ['Paused', 'Paused (a rollout)']];

export async function render(view, ctx) {
  const { signal } = ctx;
  const admin = can('putExecutionNotification');
  const editorBox = h('div', {});
  const listBox = h('div', {});
  const head = h('div', { class: 'page-head' }, h('h1', {}, 'Execution notifications'),
    admin ? h('div', { class: 'toolbar' }, h('button', { type: 'button', onclick: () => open(null) }, 'New execution notification')) : null);
  view.append(head,
    h('p', { class: 'help' }, 'When a run of the named jobs ends or pauses in one of the chosen states, each action group is told through '
      + 'the delivery log, with the counts per lifecycle, the top failure groups, the duration and links to the run and its failed targets.'),
    editorBox,
    h('section', { class: 'card', 'aria-labelledby': 'notices-title' }, h('h2', { id: 'notices-title' }, 'Notifications'), listBox));

  let jobNames = [];
  let groupNames = [];
  const close = () => fill(editorBox);

  async function open(notification) {
    // The choices are read when the editor opens, so a job or group made meanwhile is offered.
    [jobNames, groupNames] = await Promise.all([
      api.all('/jobs', {}, { signal }).then((jobs) => jobs.map((j) => j.name)),
      api.all('/actionGroups', {}, { signal }).then((groups) => groups.map((g) => g.name)),
    ]);
    const title = notification ? `Edit execution notification ${notification.name}` : 'New execution notification';
    fill(editorBox, h('section', { class: 'card', 'aria-label': title }, h('h2', {}, title),
      editor(notification, jobNames, groupNames, (saved) => { close(); if (saved) load(); })));
    editorBox.querySelector('input')?.focus();
    editorBox.scrollIntoView({ block: 'start' });
  }

  const load = async () => {
    try {
      const notices = await api.all('/executionNotifications', {}, { signal });
      fill(listBox, table({
        caption: 'Execution notifications',
        columns: ['Name', 'Jobs', 'End states', 'Action groups', 'Description', admin ? 'Actions' : null].filter(Boolean),
        rows: notices.map((n) => row([
          n.name,
          (n.jobs || []).includes(EVERY_JOB) ? h('span', {}, 'every job')
            : (n.jobs || []).map((job, i) => [i ? ', ' : '', link(path`/jobs/${job}`, job)]),
          (n.endStates || []).map(stateLabel).join(', '),
          (n.actionGroups || []).join(', '),
          n.description || h('span', { class: 'muted' }, '—'),
          admin ? h('div', { class: 'actions' },
            h('button', { type: 'button', class: 'secondary small', 'aria-label': `Edit execution notification ${n.name}`,
              onclick: () => open(n).catch((e) => fill(editorBox, errorBox(e))) }, 'Edit'),
            can('deleteExecutionNotification') ? confirmButton('Delete', `Delete execution notification “${n.name}”?`, async () => {
              try {
                await api.del(path`/executionNotifications/${n.name}`);
                announce(`Deleted execution notification ${n.name}.`);
                close();
                load();
              } catch (e) {
                fill(editorBox, errorBox(e));
              }
            }, { className: 'danger small' }) : null) : null,
        ].filter((x) => x !== null), { 'data-execution-notification': n.name })),
        empty: 'No execution notifications yet.',
      }));
    } catch (e) {
      if (e.name !== 'AbortError') fill(listBox, errorBox(e));
    }
  };
  await load();
}

function stateLabel(state) {
  return (END_STATES.find(([value]) => value === state) || [state, state])[1];
}

/** Checkboxes that all carry one API field's name, with that field's error slot. */
function choices(legend, name, options, chosen, empty) {
  return h('fieldset', { 'data-choices': name }, h('legend', {}, legend),
    options.length ? options.map(([optionValue, label]) => {
      const id = uid(name);
      return h('div', { class: 'field field-check' },
        h('input', { type: 'checkbox', id, name, value: optionValue, checked: chosen.has(optionValue) }), h('label', { for: id }, label));
    }) : h('p', { class: 'muted' }, empty),
    h('p', { class: 'field-error', 'data-field': name }));
}

function checked(form, name) {
  return [...form.querySelectorAll(`input[name="${name}"]:checked`)].map((c) => c.value);
}

function editor(notification, jobNames, groupNames, onDone) {
  const form = h('form', { novalidate: true, class: 'notice-editor' });
  const jobs = new Set(notification?.jobs || []);
  const states = new Set(notification?.endStates || ['Failed', 'TimedOut']);
  const groups = new Set(notification?.actionGroups || []);
  // Names it holds that are gone (a deleted job) stay offered, so a save does not drop them unseen.
  const union = (known, held) => [...new Set([...known, ...held])].filter((n) => n !== EVERY_JOB).sort();
  const stateOptions = [...END_STATES, ...[...states].filter((s) => !END_STATES.some(([v]) => v === s)).map((s) => [s, s])];
  const jobChoices = choices('Jobs', 'jobs', [[EVERY_JOB, 'Every job, now and later'], ...union(jobNames, jobs).map((j) => [j, j])],
    jobs, 'No jobs yet.');
  const every = jobChoices.querySelector(`input[value="${EVERY_JOB}"]`);
  const syncEvery = () => jobChoices.querySelectorAll(`input[name="jobs"]:not([value="${EVERY_JOB}"])`)
    .forEach((box) => { box.disabled = every.checked; });
  every.addEventListener('change', syncEvery);
  syncEvery();

  form.append(
    h('div', { class: 'form-grid' },
      notification ? null : field({ label: 'Name', name: 'name', required: true, attrs: { maxlength: 128, autocomplete: 'off' } }),
      field({ label: 'Description', name: 'description', value: notification?.description, wide: !notification })),
    h('div', { class: 'choice-columns' },
      jobChoices,
      choices('End states', 'endStates', stateOptions, states, ''),
      choices('Action groups to notify', 'actionGroups', union(groupNames, groups).map((g) => [g, g]), groups,
        'No action groups yet: create one on the Alerts page.')),
    formAlert(),
    actions(h('button', { type: 'submit' }, 'Save'), h('button', { type: 'button', class: 'secondary', onclick: () => onDone(false) }, 'Close')));

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    submitting(form, async () => {
      const name = notification ? notification.name : value(form, 'name');
      if (!name) throw { target: 'name', message: 'Enter a name.' };
      const chosenJobs = every.checked ? [EVERY_JOB] : checked(form, 'jobs');
      if (!chosenJobs.length) throw { target: 'jobs', message: 'Choose every job or at least one job.' };
      const body = {
        description: value(form, 'description') ?? '',
        jobs: chosenJobs,
        endStates: checked(form, 'endStates'),
        actionGroups: checked(form, 'actionGroups'),
      };
      await api.put(path`/executionNotifications/${name}`, body);
      announce(`Saved execution notification ${name}.`);
      onDone(true);
    });
  });
  return form;
}
