// A run's progress from its summary's counts (GET …/summary, or an execution event's summary): one stacked
// bar of done (succeeded, failed, other) then running and waiting. The page never counts rows itself.
import { h } from './dom.js';

const number = new Intl.NumberFormat();

/** "1,234" */
export function count(n) {
  return number.format(n ?? 0);
}

/** Whole percent of targets that reached a final lifecycle; 0 for a run without targets yet. */
export function percentDone(targets) {
  if (!targets || !targets.total) return 0;
  return Math.floor((targets.done / targets.total) * 100);
}

/**
 * <div class="progress" role="progressbar" aria-valuenow="…" data-percent="…"> with its segments. The
 * value is the share of targets done, failed ones included: a run is at 100 % when nothing is left to run.
 */
export function progressBar(targets, { label = 'Targets done' } = {}) {
  const t = targets || { total: 0, done: 0 };
  const total = t.total || 0;
  const pct = percentDone(t);
  const failed = (t.failed || 0) + (t.timedOut || 0);
  const other = Math.max(0, (t.done || 0) - (t.succeeded || 0) - failed);
  const share = (n) => (total ? `${(n / total) * 100}%` : '0%');
  return h('div', {
    class: 'progress', role: 'progressbar', 'aria-label': label, 'aria-valuemin': '0', 'aria-valuemax': '100',
    'aria-valuenow': String(pct), 'aria-valuetext': `${pct}% done: ${count(t.done)} of ${count(total)} targets`,
    'data-percent': String(pct), title: `${pct}% done`,
  },
  h('span', { class: 'seg-ok', style: { width: share(t.succeeded || 0) } }),
  h('span', { class: 'seg-bad', style: { width: share(failed) } }),
  h('span', { class: 'seg-other', style: { width: share(other) } }),
  h('span', { class: 'seg-running', style: { width: share(t.inProgress || 0) } }),
  h('span', { class: 'seg-waiting', style: { width: share(t.waiting || 0) } }));
}

/** "42 targets a minute · about 3 min left", while a run is live and has a rate. */
export function rateText(summary) {
  if (!summary || !summary.throughputPerMinute) return '';
  const rate = `${count(Math.round(summary.throughputPerMinute))} targets a minute`;
  const left = summary.estimatedSecondsRemaining;
  if (left === null || left === undefined) return rate;
  const eta = left < 60 ? `${left} s` : left < 3600 ? `${Math.round(left / 60)} min` : `${(left / 3600).toFixed(1)} h`;
  const pending = summary.pendingSteps ? `, then ${summary.pendingSteps} more step${summary.pendingSteps === 1 ? '' : 's'}` : '';
  return `${rate} · about ${eta} left${pending}`;
}
