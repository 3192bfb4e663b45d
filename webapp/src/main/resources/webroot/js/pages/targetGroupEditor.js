// The members editor of a target group, shared by "New target group" and the group page. Inputs are
// named members[i].field, exactly as the API names a member's field in an error's target.
import { api, path } from '../api.js';
import { h, fill, announce } from '../ui/dom.js';
import { field, formAlert, value, submitting, confirmButton, actions } from '../ui/forms.js';
import { can } from '../roles.js';

const BLANK = { type: 'SqlDatabase', membershipType: 'Include', serverName: '', databaseName: '', elasticPoolName: '', refreshCredential: '', engine: 'postgresql', trustServerCertificate: false };

/** onSaved(name) runs after a successful PUT; group null means a new group (with a name field). */
export function groupEditor(ctx, group, onSaved) {
  let members = (group?.members || []).map((m) => ({ ...BLANK, ...m }));
  if (!group && !members.length) members = [{ ...BLANK }];
  const list = h('div', { class: 'members' });

  function readMembers() {
    return members.map((_, i) => {
      const m = {};
      for (const k of ['type', 'membershipType', 'serverName', 'databaseName', 'elasticPoolName', 'refreshCredential', 'engine', 'trustServerCertificate']) {
        const v = value(form, `members[${i}].${k}`);
        if (v !== undefined) m[k] = v;
      }
      return m;
    });
  }

  function draw() {
    fill(list, members.map((m, i) => h('fieldset', { class: 'member', 'data-member': String(i) },
      h('legend', {}, `Member ${i + 1}`),
      h('div', { class: 'form-grid' },
        field({ label: 'Type', name: `members[${i}].type`, type: 'select', value: m.type,
          options: [['SqlDatabase', 'SqlDatabase: one database'], ['SqlServer', 'SqlServer: every database of a server'], ['SqlElasticPool', 'SqlElasticPool: every database of a pool']] }),
        field({ label: 'Membership', name: `members[${i}].membershipType`, type: 'select', value: m.membershipType, options: ['Include', 'Exclude'] }),
        field({ label: 'Server', name: `members[${i}].serverName`, value: m.serverName, required: true, placeholder: 'host or host:port' }),
        field({ label: 'Database', name: `members[${i}].databaseName`, value: m.databaseName, help: 'SqlDatabase members.' }),
        field({ label: 'Elastic pool', name: `members[${i}].elasticPoolName`, value: m.elasticPoolName, help: 'SqlElasticPool members.' }),
        field({ label: 'Refresh credential', name: `members[${i}].refreshCredential`, value: m.refreshCredential,
          help: 'Lists the databases of a server or pool.' }),
        field({ label: 'Engine', name: `members[${i}].engine`, type: 'select', value: m.engine || 'postgresql', options: ['postgresql', 'sqlserver'] }),
        field({ label: 'Trust server certificate', name: `members[${i}].trustServerCertificate`, type: 'checkbox', value: m.trustServerCertificate,
          help: 'sqlserver members only: stay encrypted, but accept a certificate no trusted authority signed (self-signed).' })),
      can('putTargetGroup') ? actions(h('button', { type: 'button', class: 'secondary small', 'aria-label': `Remove member ${i + 1}`, onclick: () => {
        members = readMembers();
        members.splice(i, 1);
        draw();
        (list.querySelector('fieldset:last-child select') || addButton).focus();
      } }, 'Remove member')) : null)));
  }

  const addButton = h('button', { type: 'button', class: 'secondary', onclick: () => {
    members = readMembers();
    members.push({ ...BLANK });
    draw();
    list.querySelector('fieldset:last-child select')?.focus();
  } }, 'Add member');

  const form = h('form', { novalidate: true, class: 'group-editor' },
    group ? null : field({ label: 'Name', name: 'name', required: true, attrs: { maxlength: 128, autocomplete: 'off' } }),
    list,
    h('div', { class: 'actions' }, addButton),
    formAlert(),
    actions(h('button', { type: 'submit' }, 'Save'),
      group && can('deleteTargetGroup') ? confirmButton('Delete', `Delete target group “${group.name}”?`, () => submitting(form, async () => {
        await api.del(path`/targetGroups/${group.name}`);
        announce(`Deleted ${group.name}.`);
        ctx.navigate('/targetGroups');
      })) : null));
  draw();

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    submitting(form, async () => {
      const name = group ? group.name : value(form, 'name');
      if (!name) throw { target: 'name', message: 'Enter a name.' };
      const saved = await api.put(path`/targetGroups/${name}`, { members: readMembers() });
      announce(`Saved ${name}.`);
      onSaved(saved.name || name);
    });
  });
  return form;
}
