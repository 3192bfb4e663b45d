// Line diffs with jsdiff from its WebJar, imported only when a diff is asked for.
import { h } from './dom.js';

const DIFF_URL = new URL('webjars/diff/5.1.0/lib/index.mjs', document.baseURI).href;

/** A <pre> with one line per row, marked added / removed / unchanged. */
export async function renderDiff(before, after, { label = 'Differences' } = {}) {
  const { diffLines } = await import(DIFF_URL);
  const parts = diffLines(before, after);
  const lines = [];
  let added = 0;
  let removed = 0;
  for (const part of parts) {
    const kind = part.added ? 'add' : part.removed ? 'del' : 'same';
    const text = part.value.endsWith('\n') ? part.value.slice(0, -1) : part.value;
    for (const line of text.split('\n')) {
      if (kind === 'add') added += 1;
      if (kind === 'del') removed += 1;
      // Screen readers get the change in words, sighted users the +/− gutter and colour.
      lines.push(h('span', { class: kind },
        kind === 'same' ? null : h('span', { class: 'visually-hidden' }, kind === 'add' ? 'added: ' : 'removed: '),
        line));
    }
  }
  const summary = added || removed ? `${added} line(s) added, ${removed} removed.` : 'No differences.';
  return h('div', {}, h('p', { class: 'muted', role: 'status' }, summary),
    h('pre', { class: 'diff', 'aria-label': label, tabindex: '0' }, lines));
}
