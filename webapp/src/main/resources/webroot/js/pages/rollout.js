// What the execution page shows of fleetjobs' own run controls: a step's rollout waves (done, running, waiting,
// each with its failures against the error budget), why a run paused, Resume and Abort, and what a dry run saw
// on a target. The rules live in the job database; this draws what the API says.
import { api, path } from '../api.js';
import { h, announce } from '../ui/dom.js';
import { badge } from '../ui/format.js';
import { submitting } from '../ui/forms.js';
import { table, row } from '../ui/table.js';
import { can } from '../roles.js';

const WAVE_TONE = { Done: 'ok', Running: 'info', Waiting: 'muted', Canceled: 'warn' };

/** The waves of a step that runs with a rollout, or null. */
export function rolloutPanel(step) {
  const rollout = step.rollout;
  if (!rollout) return null;
  const definition = rollout.definition || {};
  return h('div', { class: 'rollout', 'data-rollout': step.stepName },
    h('p', { class: 'rollout-summary' },
      `Rollout: wave ${rollout.currentWave} of ${rollout.waveCount} released · `,
      h('strong', {}, `${rollout.failedTargets} failed`), ` against ${budgetText(definition.errorBudget)}`,
      definition.betweenWaves ? ` · between waves: ${definition.betweenWaves}` : ''),
    table({
      caption: `Waves of step ${step.stepId}: ${step.stepName}`,
      columns: ['Wave', 'State', { label: 'Targets', className: 'num' }, { label: 'Succeeded', className: 'num' },
        { label: 'Failed', className: 'num' }, { label: 'Running', className: 'num' },
        { label: 'Waiting', className: 'num' }, { label: 'Canceled', className: 'num' }],
      rows: (rollout.waves || []).map((w) => row([
        `Wave ${w.wave}`,
        badge(w.state, WAVE_TONE[w.state] || 'muted', { 'data-wave-state': w.state }),
        num(w.targets), num(w.succeeded), num(w.failed, w.failed > 0 ? 'bad' : ''), num(w.running), num(w.waiting),
        num(w.canceled),
      ], { 'data-wave': String(w.wave) })),
      empty: 'No waves planned yet.',
    }));
}

/** Resume and Abort for a paused execution, for roles that may use them. */
export function pausedButtons(x, toolbar, refresh) {
  if (x.lifecycle !== 'Paused') return [];
  const buttons = [];
  if (can('resumeJobExecution')) {
    buttons.push(h('button', { type: 'button', onclick: () => submitting(toolbar, async () => {
      await api.post(path`/jobs/${x.jobName}/executions/${x.jobExecutionId}/resume`);
      announce('Resumed.');
      await refresh();
    }) }, 'Resume'));
  }
  if (can('abortJobExecution')) {
    buttons.push(h('button', { type: 'button', class: 'danger', onclick: () => submitting(toolbar, async () => {
      await api.post(path`/jobs/${x.jobName}/executions/${x.jobExecutionId}/abort`);
      announce('Aborted: what had not run is canceled.');
      await refresh();
    }) }, 'Abort'));
  }
  return buttons;
}

/** The execution summary's lines for a dry run and a pause. */
export function summaryLines(x) {
  return [
    x.dryRun ? [h('dt', {}, 'Dry run'), h('dd', {}, badge('Dry run', 'warn', { 'data-dry-run': 'true' }),
      ' every script ran inside a transaction that was rolled back; nothing was changed or written')] : null,
    x.pausedReason ? [h('dt', {}, 'Paused because'), h('dd', { class: 'paused-reason' }, x.pausedReason)] : null,
  ];
}

/** What a dry run saw on a target: each statement's rows, then the first rows of its first result set. */
export function dryRunResult(result) {
  if (!result) return null;
  const set = result.resultSet;
  return h('div', { class: 'dry-run-result' },
    table({
      caption: 'Statements (rolled back)',
      columns: [{ label: 'Statement', className: 'num' }, { label: 'Line', className: 'num' }, 'Command',
        { label: 'Rows', className: 'num' }],
      rows: (result.statements || []).map((s) => row([num(s.statement), num(s.line), s.command || '', num(s.rows)])),
      empty: 'No statement ran.',
    }),
    set ? table({
      caption: `First rows (${set.rows.length} shown)`,
      columns: set.columns.map((c) => c.name),
      rows: set.rows.map((values) => row(values.map((v) => (v === null ? 'NULL' : String(v))))),
      empty: 'The result set was empty.',
    }) : null);
}

function budgetText(budget) {
  if (!budget) return 'no error budget';
  const parts = [];
  if (budget.maxFailedTargets !== undefined) parts.push(`at most ${budget.maxFailedTargets} failed`);
  if (budget.maxFailedPercent !== undefined) parts.push(`at most ${budget.maxFailedPercent}% failed`);
  return parts.length ? `a budget of ${parts.join(' and ')}` : 'no error budget';
}

function num(value, tone = '') {
  return { cell: true, content: String(value ?? 0), className: tone ? `num tone-text-${tone}` : 'num' };
}
