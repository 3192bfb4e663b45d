// Credentials: names and usernames only. The password is write-only: it can be set or replaced, never read.
import { api, path } from '../api.js';
import { h, fill, announce } from '../ui/dom.js';
import { time } from '../ui/format.js';
import { field, formAlert, value, submitting, confirmButton, actions } from '../ui/forms.js';
import { table, row } from '../ui/table.js';
import { can } from '../roles.js';

export async function render(view, ctx) {
  const head = h('div', { class: 'page-head' }, h('h1', {}, 'Credentials'));
  const editorBox = h('div', {});
  if (can('putCredential')) {
    head.append(h('button', { type: 'button', onclick: () => openEditor(null) }, 'New credential'));
  }
  const box = h('div', { class: 'card' }, h('p', { class: 'muted' }, 'Loading credentials…'));
  view.append(head, h('p', { class: 'muted' }, 'Passwords are sealed by the agent and never shown again; Set password replaces one.'), editorBox, box);

  /** One editor at a time: a new credential, or a new password for an existing one. */
  function openEditor(cred) {
    const form = h('form', { novalidate: true },
      h('div', { class: 'form-grid' },
        cred ? null : field({ label: 'Name', name: 'name', required: true, attrs: { maxlength: 128, autocomplete: 'off' } }),
        field({ label: 'Username', name: 'username', value: cred?.username, required: true, attrs: { autocomplete: 'off' } }),
        field({ label: cred ? 'New password' : 'Password', name: 'password', type: 'password', required: true,
          attrs: { autocomplete: 'new-password' }, help: 'Write-only: stored sealed, never returned.' })),
      formAlert(),
      actions(h('button', { type: 'submit' }, 'Save'),
        h('button', { type: 'button', class: 'secondary', onclick: () => fill(editorBox) }, 'Close')));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      submitting(form, async () => {
        const name = cred ? cred.name : value(form, 'name');
        if (!name) throw { target: 'name', message: 'Enter a name.' };
        await api.put(path`/credentials/${name}`, { username: value(form, 'username') ?? '', password: value(form, 'password') ?? '' });
        announce(cred ? `Password of ${name} replaced.` : `Created ${name}.`);
        ctx.rerender();
      });
    });
    const title = cred ? `Set password of ${cred.name}` : 'New credential';
    fill(editorBox, h('section', { class: 'card', 'aria-label': title }, h('h2', {}, title), form));
    form.querySelector('input:not([readonly])').focus();
  }

  /** Tries the credential on a server or on every database of a group, and lists each result. */
  function openTester(cred) {
    const results = h('div', { role: 'status' });
    const form = h('form', { novalidate: true },
      h('p', { class: 'help' }, 'Connects once to the server (its postgres or master database) or to each database the group expands to now.'),
      h('div', { class: 'form-grid' },
        field({ label: 'Target group', name: 'targetGroup', help: 'Or leave empty and name a server.' }),
        field({ label: 'Server', name: 'serverName', help: 'host or host:port' }),
        field({ label: 'Engine', name: 'engine', value: 'postgresql', type: 'select', options: ['postgresql', 'sqlserver'] })),
      formAlert(),
      actions(h('button', { type: 'submit' }, 'Test'),
        h('button', { type: 'button', class: 'secondary', onclick: () => fill(editorBox) }, 'Close')),
      results);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      submitting(form, async () => {
        const group = value(form, 'targetGroup');
        const body = group ? { targetGroup: group } : { serverName: value(form, 'serverName'), engine: value(form, 'engine') };
        const answer = await api.post(path`/credentials/${cred.name}/test`, body);
        const failed = answer.value.filter((r) => !r.succeeded).length;
        fill(results, h('p', {}, `${answer.value.length - failed} of ${answer.value.length} signed in.`), table({
          caption: `Test of ${cred.name}`,
          columns: ['Server', 'Database', 'Result', 'SQLSTATE', 'Message', 'ms'],
          rows: answer.value.map((r) => row([r.serverName, r.databaseName || '—', r.succeeded ? 'OK' : 'Failed',
            r.sqlState || '—', r.message || '', String(r.latencyMs)], { 'data-test-result': r.succeeded ? 'ok' : 'failed' })),
          empty: 'Nothing to test.',
        }));
      });
    });
    const title = `Test ${cred.name}`;
    fill(editorBox, h('section', { class: 'card', 'aria-label': title }, h('h2', {}, title), form));
  }

  const creds = await api.all('/credentials', {}, { signal: ctx.signal });
  const admin = can('putCredential');
  fill(box, table({
    caption: 'Credentials',
    columns: ['Name', 'Username', 'Created', 'Updated', admin ? 'Actions' : null].filter(Boolean),
    rows: creds.map((c) => row([
      c.name,
      c.username,
      time(c.createdTime, { short: true }),
      time(c.updatedTime, { short: true }),
      admin ? h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'secondary small', onclick: () => openEditor(c) }, 'Set password'),
        can('testCredential') ? h('button', { type: 'button', class: 'secondary small', onclick: () => openTester(c) }, 'Test') : null,
        can('deleteCredential') ? confirmButton('Delete', `Delete credential “${c.name}”?`, async () => {
          try {
            await api.del(path`/credentials/${c.name}`);
            announce(`Deleted ${c.name}.`);
            ctx.rerender();
          } catch (e) {
            // 409 names the step that still uses it: show it where the reader is looking.
            announce(e.message);
            const rowEl = box.querySelector(`tr[data-credential="${CSS.escape(c.name)}"] td:last-child`);
            rowEl?.append(h('p', { class: 'form-alert', role: 'alert' }, e.message));
          }
        }, { className: 'danger small' }) : null) : null,
    ].filter((x) => x !== null), { 'data-credential': c.name })),
    empty: 'No credentials yet.',
  }));
}
