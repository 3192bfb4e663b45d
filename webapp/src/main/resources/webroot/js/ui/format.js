// Times, durations, badges and schedules, rendered the same way on every page.
import { h } from './dom.js';

const local = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
const localShort = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });

/** "2026-11-25 10:00:00 UTC" for the tooltip, so the UTC time is one hover away. */
export function utcText(date) {
  return `${date.toISOString().replace('T', ' ').replace(/\.\d+Z$/, '').replace('Z', '')} UTC`;
}

/** <time datetime="ISO UTC" title="… UTC">local time</time>, or a dash when there is no time. */
export function time(iso, { short = false } = {}) {
  if (!iso) return h('span', { class: 'muted' }, '—');
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return h('span', {}, String(iso));
  // Far-future placeholder times (schedule endTime 9999-…) read better as "never".
  if (date.getUTCFullYear() >= 9999) return h('time', { datetime: date.toISOString(), title: utcText(date) }, 'never');
  if (date.getUTCFullYear() <= 1) return h('time', { datetime: iso, title: `${iso} UTC` }, 'any time');
  return h('time', { datetime: date.toISOString(), title: utcText(date) }, (short ? localShort : local).format(date));
}

export function durationMs(ms) {
  if (ms === null || ms === undefined || Number.isNaN(ms)) return '—';
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s % 60)} s`;
  const hours = Math.floor(m / 60);
  return `${hours} h ${m % 60} min`;
}

/** Duration between two ISO times; a running one counts to now. */
export function duration(start, end) {
  if (!start) return '—';
  const to = end ? new Date(end) : new Date();
  return durationMs(to - new Date(start));
}

const LIFECYCLE_TONE = {
  Succeeded: 'ok', SucceededWithSkipped: 'ok', Failed: 'bad', TimedOut: 'bad', Canceled: 'warn',
  Skipped: 'muted', Created: 'info', InProgress: 'info', WaitingForRetry: 'warn',
  WaitingForChildJobExecutions: 'info', Paused: 'warn',
};

/** <span class="badge" data-lifecycle="Succeeded">Succeeded</span> */
export function lifecycleBadge(lifecycle) {
  if (!lifecycle) return h('span', { class: 'muted' }, '—');
  return h('span', { class: `badge tone-${LIFECYCLE_TONE[lifecycle] || 'muted'}`, 'data-lifecycle': lifecycle }, lifecycle);
}

export function badge(text, tone = 'muted', attrs = {}) {
  return h('span', { class: `badge tone-${tone}`, ...attrs }, text);
}

export function severityBadge(severity) {
  const sev = typeof severity === 'number' ? `Sev${severity}` : (severity || '');
  const tone = { Sev0: 'bad', Sev1: 'bad', Sev2: 'warn', Sev3: 'info', Sev4: 'muted' }[sev] || 'muted';
  return h('span', { class: `badge tone-${tone}`, 'data-severity': sev }, sev);
}

export function conditionBadge(condition) {
  return h('span', { class: `badge tone-${condition === 'Fired' ? 'bad' : 'ok'}`, 'data-condition': condition }, condition);
}

const UNIT = { M: 'minute', H: 'hour', D: 'day', W: 'week', S: 'second' };
/** "every 15 minutes", "once", "cron 0 8 * * 1-5 (Europe/Berlin)", with "(disabled)" when off. */
export function scheduleText(schedule) {
  if (!schedule) return '—';
  let text;
  if (schedule.type === 'Cron') text = `cron ${schedule.cronExpression || ''}${schedule.timeZone ? ` (${schedule.timeZone})` : ''}`;
  else if (schedule.type === 'Once') text = 'once';
  else {
    const m = /^P(?:T)?(\d+)([SMHDW])$/.exec(schedule.interval || '');
    if (m) {
      const isMonth = /^P\d+M$/.test(schedule.interval);
      const unit = isMonth ? 'month' : UNIT[m[2]];
      text = `every ${m[1] === '1' ? unit : `${m[1]} ${unit}s`}`;
    } else text = `every ${schedule.interval || '?'}`;
  }
  return schedule.enabled ? text : `${text} (disabled)`;
}

export function shortId(id) {
  return id ? String(id).slice(0, 8) : '—';
}

/** ISO string (UTC) -> value for <input type="datetime-local"> in the browser's zone. */
export function toLocalInput(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime()) || d.getUTCFullYear() <= 1 || d.getUTCFullYear() >= 9999) return '';
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** <input type="datetime-local"> value (browser zone) -> ISO UTC, or undefined when empty. */
export function fromLocalInput(value) {
  if (!value) return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/**
 * A target's message without the executor's "Attempt 2 of step 1 failed on target (server …, database …): "
 * preamble, for a place that names the target already.
 */
export function withoutAttemptPreamble(message) {
  return String(message ?? '').replace(/^Attempt \d+ of step \d+ failed on target \(server '[^']*', database '[^']*'\): /, '');
}
