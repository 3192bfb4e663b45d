// A tiny element builder. Text always goes in through textContent (never innerHTML), so object names
// from the API cannot inject markup, however hostile.

/**
 * h('a', {href: '#/jobs', class: 'x', dataset: {k: 'v'}, onclick: fn}, 'text', child, [more])
 * Attributes that are false, null or undefined are left out; true sets a boolean attribute.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key === 'style' && typeof value === 'object') Object.assign(el.style, value);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'value' && ('value' in el)) el.value = value;
    else if (key === 'checked' || key === 'selected' || key === 'open') el[key] = !!value;
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

export function append(parent, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

/** Replaces an element's children. */
export function fill(el, ...children) {
  clear(el);
  return append(el, children);
}

let announceTimer;
/** Says a status message through the page's polite live region (and shows it briefly). */
export function announce(message) {
  const region = document.getElementById('announcer');
  const toast = document.getElementById('toast');
  if (region) {
    // Clearing first makes screen readers repeat an identical message.
    region.textContent = '';
    requestAnimationFrame(() => { region.textContent = message; });
  }
  if (toast) {
    toast.textContent = message;
    toast.classList.add('show');
    clearTimeout(announceTimer);
    announceTimer = setTimeout(() => toast.classList.remove('show'), 4000);
  }
}

let ids = 0;
export function uid(prefix = 'f') { ids += 1; return `${prefix}-${ids}`; }

/** A link inside the app. */
/**
 * The route of an execution's page. With its job, the page sends every request at once; without it (old links), it
 * asks for the execution first to learn the job.
 */
export function executionRoute(jobName, id) {
  return jobName ? `/jobs/${encodeURIComponent(jobName)}/executions/${id}` : `/executions/${id}`;
}

export function link(route, text, attrs = {}) {
  return h('a', { href: `#${route}`, ...attrs }, text);
}

export function section(title, ...children) {
  const id = uid('sec');
  return h('section', { 'aria-labelledby': id, class: 'card' }, h('h2', { id }, title), ...children);
}

/** Shows "Loading…" until the promise settles, then what render returns; errors are shown in place. */
export function loading(text = 'Loading…') {
  return h('p', { class: 'muted loading' }, text);
}

export function errorBox(error) {
  return h('p', { class: 'error-box', role: 'alert' }, error?.message || String(error));
}

export function emptyRow(colspan, text) {
  return h('tr', {}, h('td', { colspan, class: 'muted' }, text));
}
