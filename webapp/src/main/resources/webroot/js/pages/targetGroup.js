// One target group: its members in one compact table (editable by admins, with bulk adding), and "Preview
// targets": the databases a run would hit right now.
import { api, path } from '../api.js';
import { h, fill, section, errorBox } from '../ui/dom.js';
import { can } from '../roles.js';
import { groupEditor, membersTable } from './targetGroupEditor.js';
import { renderPreview } from './job.js';

export async function render(view, ctx) {
  const name = ctx.params[0];
  view.append(h('h1', {}, name));
  const group = await api.get(path`/targetGroups/${name}`, { signal: ctx.signal });
  view.append(section('Members', can('putTargetGroup')
    ? groupEditor(ctx, group, () => ctx.rerender())
    : membersTable(ctx, group)));
  view.append(previewSection(ctx, name));
}

function previewSection(ctx, name) {
  const box = h('div', {});
  const button = h('button', { type: 'button', class: 'secondary' }, 'Preview targets');
  button.addEventListener('click', async () => {
    button.disabled = true;
    fill(box, h('p', { class: 'muted', role: 'status' }, 'Expanding the group…'));
    try {
      fill(box, renderPreview(await preview(name)));
    } catch (e) {
      fill(box, errorBox(e));
    } finally {
      button.disabled = false;
    }
  });
  return section('Targets', h('p', { class: 'help' }, 'The databases a run on this group would hit right now: servers and pools expanded, exclusions applied.'),
    h('div', { class: 'toolbar' }, button), box);
}

/** The group expanded as a starting step would expand it, shaped like one entry of a job's preview. */
async function preview(name) {
  return [await api.get(path`/targetGroups/${name}/targets/preview`)];
}
