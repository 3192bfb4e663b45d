// Target groups: the list, and "New target group" opening the members editor in place.
import { api } from '../api.js';
import { h, fill, link } from '../ui/dom.js';
import { table, row } from '../ui/table.js';
import { can } from '../roles.js';
import { groupEditor } from './targetGroupEditor.js';

export async function render(view, ctx) {
  const head = h('div', { class: 'page-head' }, h('h1', {}, 'Target groups'));
  const editorBox = h('div', {});
  if (can('putTargetGroup')) {
    const button = h('button', { type: 'button' }, 'New target group');
    button.addEventListener('click', () => {
      fill(editorBox, h('section', { class: 'card', 'aria-label': 'New target group' }, h('h2', {}, 'New target group'),
        groupEditor(ctx, null, (name) => ctx.navigate(`/targetGroups/${encodeURIComponent(name)}`))));
      editorBox.querySelector('[name="name"]').focus();
    });
    head.append(button);
  }
  const box = h('div', { class: 'card' }, h('p', { class: 'muted' }, 'Loading target groups…'));
  view.append(head, editorBox, box);
  const groups = await api.all('/targetGroups', {}, { signal: ctx.signal });
  fill(box, table({
    caption: 'Target groups',
    columns: ['Name', 'Members', 'Includes', 'Excludes'],
    rows: groups.map((g) => {
      const members = g.members || [];
      const inc = members.filter((m) => m.membershipType !== 'Exclude');
      const exc = members.filter((m) => m.membershipType === 'Exclude');
      return row([
        link(`/targetGroups/${encodeURIComponent(g.name)}`, g.name),
        String(members.length),
        describe(inc),
        describe(exc),
      ], { 'data-group': g.name });
    }),
    empty: 'No target groups yet.',
  }));
}

export function memberText(m) {
  if (m.type === 'SqlServer') return `server ${m.serverName}`;
  if (m.type === 'SqlElasticPool') return `pool ${m.elasticPoolName} on ${m.serverName}`;
  return `${m.serverName}/${m.databaseName}`;
}

function describe(list) {
  if (!list.length) return h('span', { class: 'muted' }, '—');
  const shown = list.slice(0, 3).map(memberText).join(', ');
  return list.length > 3 ? `${shown} and ${list.length - 3} more` : shown;
}
