// Tables inside a horizontally scrolling, keyboard-focusable wrapper, with column headers scoped.
import { h } from './dom.js';

/**
 * table({caption, columns: ['Name', {label, className}], rows, empty})
 * rows are <tr> elements (see row()). The caption names the table for screen readers.
 */
export function table({ caption, columns, rows, empty = 'Nothing here yet.', captionVisible = false, className = '' }) {
  const body = h('tbody', {}, rows && rows.length ? rows
    : h('tr', { class: 'empty' }, h('td', { colspan: columns.length, class: 'muted' }, empty)));
  const tbl = h('table', { class: className },
    caption ? h('caption', { class: captionVisible ? '' : 'visually-hidden' }, caption) : null,
    h('thead', {}, h('tr', {}, columns.map((c) => {
      const col = typeof c === 'string' ? { label: c } : c;
      return h('th', { scope: 'col', class: col.className }, col.label);
    }))),
    body);
  // A scrollable region must be focusable to be scrolled by keyboard, and named to be announced.
  return h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': caption || 'Table' }, tbl);
}

/** A row whose first cell is the row header (th scope=row). */
export function row(cells, attrs = {}) {
  return h('tr', attrs, cells.map((c, i) => {
    const cell = c && c.cell ? c : { content: c };
    return h(i === 0 ? 'th' : 'td', { scope: i === 0 ? 'row' : undefined, class: cell.className, colspan: cell.colspan }, cell.content);
  }));
}

/** Prev/next paging for lists with $top/$skip; calls go(newSkip). */
export function pager({ skip, top, count, hasNext, go, label = 'Pages' }) {
  if (skip <= 0 && !hasNext) return null; // one page: nothing to page through
  const prev = h('button', { type: 'button', class: 'secondary', disabled: skip <= 0 }, 'Previous page');
  const next = h('button', { type: 'button', class: 'secondary', disabled: !hasNext }, 'Next page');
  prev.addEventListener('click', () => go(Math.max(0, skip - top)));
  next.addEventListener('click', () => go(skip + top));
  const from = count ? skip + 1 : 0;
  return h('nav', { class: 'pager', 'aria-label': label }, prev,
    h('span', { class: 'muted' }, count ? `${from}–${skip + count}` : 'none'), next);
}

/**
 * Previous/next paging for a list whose total is known: "101–200 of 2,000". Calls go(newSkip). Shown even
 * for one page, so the count is always there.
 */
export function countedPager({ skip, top, shown, total, go, label = 'Pages' }) {
  const prev = h('button', { type: 'button', class: 'secondary small', disabled: skip <= 0 }, 'Previous page');
  const next = h('button', { type: 'button', class: 'secondary small', disabled: skip + shown >= total }, 'Next page');
  prev.addEventListener('click', () => go(Math.max(0, skip - top)));
  next.addEventListener('click', () => go(skip + top));
  const number = new Intl.NumberFormat();
  const text = total ? `${number.format(skip + 1)}–${number.format(skip + shown)} of ${number.format(total)}` : 'none';
  return h('nav', { class: 'pager', 'aria-label': label }, prev, h('span', { class: 'muted', 'data-range': '' }, text), next);
}
