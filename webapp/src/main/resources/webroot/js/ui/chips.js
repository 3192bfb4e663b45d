// Filter chips: one toggle button per value (a lifecycle, a fleet state) with its count, plus "All". The
// chosen values are a Set; the caller redraws its list on change. Chips carry data-chip="<value>".
import { h } from './dom.js';
import { count } from './progress.js';

/**
 * chips({label, values: [[value, text, n]], chosen: Set, onChange(chosenSet)})
 * Values with no items are left out unless chosen, so the row stays short.
 */
export function chips({ label, values, chosen, onChange }) {
  const list = h('div', { class: 'chips', role: 'group', 'aria-label': label });
  const all = h('button', { type: 'button', class: 'chip', 'data-chip': 'all', 'aria-pressed': String(!chosen.size) }, 'All');
  all.addEventListener('click', () => onChange(new Set()));
  list.append(all);
  for (const [value, text, n] of values) {
    if (!n && !chosen.has(value)) continue;
    const on = chosen.has(value);
    const chip = h('button', { type: 'button', class: 'chip', 'data-chip': value, 'aria-pressed': String(on) },
      text, h('span', { class: 'n' }, count(n)));
    chip.addEventListener('click', () => {
      const next = new Set(chosen);
      if (next.has(value)) next.delete(value); else next.add(value);
      onChange(next);
    });
    list.append(chip);
  }
  return list;
}
