// Form controls with labels, help and a per-field error slot. A control's name is the API field it edits,
// exactly as the API names it in an error's "target", so the API's message lands next to the field.
import { h, uid, clear } from './dom.js';

function normalizeOptions(options) {
  return (options || []).map((o) => (Array.isArray(o) ? o : typeof o === 'object' ? [o.value, o.label] : [o, o]));
}

/**
 * field({label, name, type, value, options, help, required, placeholder, attrs})
 * type: text (default), textarea, select, checkbox, number, password, datetime-local, email, url.
 */
export function field(opts) {
  const { label, name, type = 'text', value, options, help, required, placeholder, attrs = {}, wide } = opts;
  const id = uid('fld');
  const errorId = `${id}-err`;
  const helpId = help ? `${id}-help` : null;
  const describedBy = [helpId, errorId].filter(Boolean).join(' ');
  const common = { id, name, required, placeholder, 'aria-describedby': describedBy, ...attrs };
  let control;
  if (type === 'textarea') {
    control = h('textarea', { ...common, rows: attrs.rows || 6, spellcheck: 'false' });
    control.value = value ?? '';
  } else if (type === 'select') {
    control = h('select', common, normalizeOptions(options).map(([v, l]) =>
      h('option', { value: v, selected: String(v) === String(value ?? '') }, l)));
  } else if (type === 'checkbox') {
    control = h('input', { ...common, type: 'checkbox', checked: !!value, value: 'true' });
  } else {
    control = h('input', { ...common, type, value: value ?? '' });
  }
  const labelEl = h('label', { for: id }, label, required ? h('span', { class: 'req', 'aria-hidden': 'true' }, ' *') : null);
  const error = h('p', { class: 'field-error', 'data-field': name, id: errorId });
  const helpEl = help ? h('p', { class: 'help', id: helpId }, help) : null;
  const cls = `field${type === 'checkbox' ? ' field-check' : ''}${wide ? ' wide' : ''}`;
  return type === 'checkbox'
    ? h('div', { class: cls }, control, labelEl, helpEl, error)
    : h('div', { class: cls }, labelEl, control, helpEl, error);
}

/** The form-level message area for errors that name no field of this form. */
export function formAlert() {
  return h('div', { class: 'form-alert', role: 'alert' });
}

/** The value of a control by its API name; checkboxes give booleans, empty text gives undefined. */
export function value(form, name) {
  const el = form.querySelector(`[name="${CSS.escape(name)}"]`);
  if (!el) return undefined;
  if (el.type === 'checkbox') return el.checked;
  const v = el.value;
  return v === '' ? undefined : v;
}

export function numberValue(form, name) {
  const v = value(form, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  return Number.isNaN(n) ? v : n; // a non-number goes to the API as is, so its message shows
}

export function clearErrors(form) {
  form.querySelectorAll('.field-error').forEach((el) => clear(el));
  form.querySelectorAll('[aria-invalid]').forEach((el) => el.removeAttribute('aria-invalid'));
  form.querySelectorAll('.form-alert').forEach((el) => clear(el));
}

/**
 * Shows an API error: next to the field its target names when this form has one, otherwise in the form's
 * alert. Focuses the offending field so keyboard and screen-reader users land on it.
 */
export function showError(form, error) {
  clearErrors(form);
  const target = error && error.target;
  const slot = target ? form.querySelector(`.field-error[data-field="${CSS.escape(target)}"]`) : null;
  if (slot) {
    slot.textContent = error.message;
    const control = form.querySelector(`[name="${CSS.escape(target)}"]`);
    if (control) {
      control.setAttribute('aria-invalid', 'true');
      control.focus();
    }
    return;
  }
  const alert = form.querySelector('.form-alert') || form.appendChild(formAlert());
  alert.textContent = target ? `${error.message} (${target})` : (error?.message || String(error));
}

/**
 * Runs the async action with the form's buttons disabled, showing API errors in the form.
 * Returns the action's result, or undefined when it failed.
 */
export async function submitting(form, action) {
  const buttons = [...form.querySelectorAll('button')];
  buttons.forEach((b) => { b.disabled = true; });
  form.setAttribute('aria-busy', 'true');
  clearErrors(form);
  try {
    return await action();
  } catch (e) {
    if (e.name !== 'AbortError') showError(form, e);
    return undefined;
  } finally {
    buttons.forEach((b) => { b.disabled = false; });
    form.removeAttribute('aria-busy');
  }
}

/**
 * A destructive action's button. Clicking it asks again in place (no modal, so keyboard focus stays
 * where it was): the prompt and the buttons "Confirm" and "Keep" replace it until one is chosen.
 */
export function confirmButton(text, prompt, onConfirm, { className = 'danger' } = {}) {
  const wrap = h('span', { class: 'confirm' });
  const button = h('button', { type: 'button', class: className }, text);
  const ask = () => {
    const keep = h('button', { type: 'button', class: 'secondary' }, 'Keep');
    const yes = h('button', { type: 'button', class: 'danger' }, 'Confirm');
    const box = h('span', { class: 'confirm-ask', role: 'group', 'aria-label': prompt }, h('span', { class: 'confirm-text' }, prompt), ' ', yes, ' ', keep);
    keep.addEventListener('click', () => { box.replaceWith(button); button.focus(); });
    yes.addEventListener('click', async () => {
      yes.disabled = true; keep.disabled = true;
      try {
        await onConfirm();
      } finally {
        if (box.isConnected) { box.replaceWith(button); }
      }
    });
    button.replaceWith(box);
    yes.focus();
  };
  button.addEventListener('click', ask);
  wrap.append(button);
  return wrap;
}

/** A button row at the end of a form. */
export function actions(...buttons) {
  return h('div', { class: 'actions' }, ...buttons);
}

/** A copy-to-clipboard button for a secret shown once. */
export function copyButton(getText, label = 'Copy') {
  const button = h('button', { type: 'button', class: 'secondary' }, label);
  button.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(getText());
      button.textContent = 'Copied';
    } catch {
      button.textContent = 'Select and copy';
    }
    setTimeout(() => { button.textContent = label; }, 2000);
  });
  return button;
}

/** A read-only secret with a copy button, shown once after it is issued. */
export function secretOnce(title, secret, note) {
  const id = uid('secret');
  const input = h('input', { id, type: 'text', readonly: true, value: secret, class: 'mono', spellcheck: 'false' });
  input.addEventListener('focus', () => input.select());
  return h('div', { class: 'secret-once', role: 'status' },
    h('label', { for: id }, title),
    h('div', { class: 'secret-row' }, input, copyButton(() => input.value)),
    h('p', { class: 'help' }, note || 'Shown only now; it is never returned again.'));
}
