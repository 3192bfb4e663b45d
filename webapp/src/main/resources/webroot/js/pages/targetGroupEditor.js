// A target group's members as one compact table, for groups of one member or 10,000: sortable columns,
// search, Include/Exclude chips and pages of 100. Admins edit in place (inputs named members[i].field, exactly as
// the API names a member's field in an error's target, i being the member's position in the group), remove
// rows, add one, or add many by pasting server,database lines or choosing a CSV file; bad lines are listed
// before anything is added, and nothing is saved until Save. Readers get the same table without controls.
import { api, path } from '../api.js';
import { h, fill, announce, uid } from '../ui/dom.js';
import { field, formAlert, value, submitting, confirmButton, actions } from '../ui/forms.js';
import { table, countedPager } from '../ui/table.js';
import { chips } from '../ui/chips.js';
import { count } from '../ui/progress.js';
import { parseMemberLines } from './memberLines.js';

const TOP = 100;
const BLANK = { type: 'SqlDatabase', membershipType: 'Include', serverName: '', databaseName: '', elasticPoolName: '',
  refreshCredential: '', engine: 'postgresql', trustServerCertificate: false };
const COLUMNS = [
  ['membershipType', 'Membership'], ['type', 'Type'], ['serverName', 'Server'], ['databaseName', 'Database'],
  ['elasticPoolName', 'Elastic pool'], ['refreshCredential', 'Refresh credential'], ['engine', 'Engine'],
  ['trustServerCertificate', 'Trust certificate'],
];
const TYPES = [['SqlDatabase', 'SqlDatabase'], ['SqlServer', 'SqlServer'], ['SqlElasticPool', 'SqlElasticPool']];

/** The members of a group: editable when onSaved is given (group null: a new group, with a name field). */
export function groupEditor(ctx, group, onSaved) {
  return membersView(ctx, group, { editable: true, onSaved });
}

/** The members of a group, read only. */
export function membersTable(ctx, group) {
  return membersView(ctx, group, { editable: false });
}

function membersView(ctx, group, { editable, onSaved }) {
  let members = (group?.members || []).map((m) => ({ ...BLANK, ...m }));
  if (editable && !group && !members.length) members = [{ ...BLANK }];
  const view = { search: '', membership: new Set(), sortKey: null, skip: 0 };
  const countsBox = h('p', { class: 'list-count', 'data-member-counts': '' });
  const chipsBox = h('div', {});
  const searchId = uid('member-search');
  const search = h('input', { id: searchId, type: 'search', name: 'memberSearch', placeholder: 'server, database or pool', autocomplete: 'off' });
  const tableBox = h('div', {});
  const bulkBox = h('div', {});

  let timer = null;
  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => { view.search = search.value.trim().toLowerCase(); view.skip = 0; draw(); }, 200);
  });
  ctx.onCleanup(() => clearTimeout(timer));

  /** Model positions in the order and filter the table shows. */
  function visible() {
    let positions = members.map((_, i) => i);
    if (view.membership.size) positions = positions.filter((i) => view.membership.has(members[i].membershipType || 'Include'));
    if (view.search) {
      positions = positions.filter((i) => [members[i].serverName, members[i].databaseName, members[i].elasticPoolName]
        .some((v) => String(v || '').toLowerCase().includes(view.search)));
    }
    if (view.sortKey) {
      const key = view.sortKey;
      positions.sort((a, b) => String(members[a][key] ?? '').localeCompare(String(members[b][key] ?? ''), undefined, { numeric: true }) || a - b);
    }
    return positions;
  }

  function draw() {
    const includes = members.filter((m) => (m.membershipType || 'Include') !== 'Exclude').length;
    fill(countsBox, `${count(members.length)} member${members.length === 1 ? '' : 's'}: `,
      h('span', { 'data-includes': String(includes) }, `${count(includes)} include${includes === 1 ? '' : 's'}`), ', ',
      h('span', { 'data-excludes': String(members.length - includes) }, `${count(members.length - includes)} exclude${members.length - includes === 1 ? '' : 's'}`));
    fill(chipsBox, chips({
      label: 'Show members by membership',
      values: [['Include', 'Include', includes], ['Exclude', 'Exclude', members.length - includes]],
      chosen: view.membership,
      onChange: (next) => { view.membership = next; view.skip = 0; draw(); },
    }));
    const positions = visible();
    if (view.skip >= positions.length) view.skip = Math.max(0, Math.floor((positions.length - 1) / TOP) * TOP);
    const page = positions.slice(view.skip, view.skip + TOP);
    const header = COLUMNS.map(([key, label]) => ({ label: sortButton(key, label) }));
    if (editable) header.push('Remove');
    const tbl = table({
      caption: 'Members',
      className: 'compact members',
      columns: header,
      rows: page.map((i) => (editable ? editRow(i) : readRow(i))),
      empty: members.length ? 'No member matches.' : 'No members yet.',
    });
    fill(tableBox, tbl, countedPager({ skip: view.skip, top: TOP, shown: page.length, total: positions.length,
      label: 'Member pages', go: (s) => { view.skip = s; draw(); } }));
  }

  function sortButton(key, label) {
    const b = h('button', { type: 'button', class: 'sort', 'aria-pressed': String(view.sortKey === key), title: `Sort by ${label.toLowerCase()}` }, label);
    b.addEventListener('click', () => { view.sortKey = view.sortKey === key ? null : key; view.skip = 0; draw(); });
    return b;
  }

  function readRow(i) {
    const m = members[i];
    return h('tr', { 'data-member': String(i), 'data-membership': m.membershipType },
      h('td', {}, membershipBadge(m.membershipType)),
      h('td', {}, m.type),
      h('th', { scope: 'row' }, m.serverName),
      h('td', {}, m.databaseName || h('span', { class: 'muted' }, '—')),
      h('td', {}, m.elasticPoolName || h('span', { class: 'muted' }, '—')),
      h('td', {}, m.refreshCredential || h('span', { class: 'muted' }, '—')),
      h('td', {}, m.engine || 'postgresql'),
      h('td', {}, m.trustServerCertificate ? 'Yes' : 'No'));
  }

  function editRow(i) {
    const m = members[i];
    const tr = h('tr', { 'data-member': String(i), 'data-membership': m.membershipType });
    const cell = (key, label, control) => {
      const id = uid('member');
      control.id = id;
      control.name = `members[${i}].${key}`;
      control.setAttribute('aria-describedby', `${id}-err`);
      const update = () => {
        m[key] = control.type === 'checkbox' ? control.checked : control.value;
        if (key === 'membershipType') tr.dataset.membership = control.value;
      };
      control.addEventListener('input', update);
      control.addEventListener('change', update);
      return h('td', { class: control.type === 'checkbox' ? 'check' : null },
        h('label', { for: id, class: 'visually-hidden' }, `${label} of member ${i + 1}`), control,
        h('p', { class: 'field-error', 'data-field': control.name, id: `${id}-err` }));
    };
    const select = (options, current) => h('select', {}, options.map(([v, l]) => h('option', { value: v, selected: v === current }, l)));
    const input = (current, attrs = {}) => h('input', { type: 'text', value: current ?? '', autocomplete: 'off', spellcheck: 'false', ...attrs });
    tr.append(
      cell('membershipType', 'Membership', select([['Include', 'Include'], ['Exclude', 'Exclude']], m.membershipType || 'Include')),
      cell('type', 'Type', select(TYPES, m.type)),
      cell('serverName', 'Server', input(m.serverName, { placeholder: 'host or host:port', required: true })),
      cell('databaseName', 'Database', input(m.databaseName)),
      cell('elasticPoolName', 'Elastic pool', input(m.elasticPoolName)),
      cell('refreshCredential', 'Refresh credential', input(m.refreshCredential)),
      cell('engine', 'Engine', select([['postgresql', 'postgresql'], ['sqlserver', 'sqlserver']], m.engine || 'postgresql')),
      cell('trustServerCertificate', 'Trust server certificate', h('input', { type: 'checkbox', checked: !!m.trustServerCertificate, value: 'true' })),
      h('td', {}, h('button', { type: 'button', class: 'secondary small', 'aria-label': `Remove member ${i + 1}`, onclick: () => {
        members.splice(i, 1);
        draw();
        form.querySelector('tbody select, tbody input')?.focus();
      } }, 'Remove member')));
    return tr;
  }

  const tools = h('div', { class: 'list-tools' }, chipsBox,
    h('div', { class: 'field' }, h('label', { for: searchId }, 'Search members'), search));
  if (!editable) {
    draw();
    return h('div', { class: 'members-view' }, countsBox, tools, tableBox);
  }

  const addButton = h('button', { type: 'button', class: 'secondary', onclick: () => {
    members.push({ ...BLANK });
    showPosition(members.length - 1);
    tableBox.querySelector(`tr[data-member="${members.length - 1}"] select`)?.focus();
  } }, 'Add member');
  const bulkButton = h('button', { type: 'button', class: 'secondary', 'aria-expanded': 'false', onclick: () => {
    const opening = !bulkBox.childElementCount;
    if (opening) fill(bulkBox, bulkPanel()); else fill(bulkBox);
    bulkButton.setAttribute('aria-expanded', String(opening));
    bulkBox.querySelector('textarea')?.focus();
  } }, 'Add members in bulk');

  /** Shows the page with this model position on it, with no search or filter hiding it. */
  function showPosition(i) {
    view.search = '';
    search.value = '';
    view.membership = new Set();
    const at = visible().indexOf(i);
    view.skip = Math.max(0, Math.floor(at / TOP) * TOP);
    draw();
  }

  function bulkPanel() {
    const textId = uid('bulk');
    const fileId = uid('bulk-file');
    const area = h('textarea', { id: textId, name: 'bulk', rows: 6, class: 'mono', spellcheck: 'false',
      placeholder: 'pg1.example.com:5432,tenant_001\npg1.example.com:5432,tenant_002' });
    const file = h('input', { id: fileId, type: 'file', name: 'bulkFile', accept: '.csv,text/csv,text/plain' });
    const result = h('div', { 'aria-live': 'polite' });
    const membership = field({ label: 'Add as', name: 'bulkMembershipType', type: 'select', options: ['Include', 'Exclude'] });
    const engine = field({ label: 'Engine', name: 'bulkEngine', type: 'select', options: ['postgresql', 'sqlserver'] });
    let parsed = { members: [], errors: [] };
    const check = () => {
      parsed = parseMemberLines(area.value, {
        existing: members, membershipType: value(membership, 'bulkMembershipType'), engine: value(engine, 'bulkEngine'),
      });
      const add = h('button', { type: 'button', disabled: !parsed.members.length, onclick: () => {
        members.push(...parsed.members);
        announce(`Added ${parsed.members.length} members; Save to keep them.`);
        fill(bulkBox);
        bulkButton.setAttribute('aria-expanded', 'false');
        showPosition(members.length - 1);
      } }, `Add ${parsed.members.length} member${parsed.members.length === 1 ? '' : 's'}`);
      fill(result,
        area.value.trim() ? h('p', { class: 'bulk-ok', 'data-valid': String(parsed.members.length) },
          `${count(parsed.members.length)} member${parsed.members.length === 1 ? '' : 's'} ready to add`,
          parsed.errors.length ? `; ${count(parsed.errors.length)} line${parsed.errors.length === 1 ? '' : 's'} cannot be added:` : '.') : null,
        parsed.errors.length ? h('ul', { class: 'bulk-errors', 'data-invalid': String(parsed.errors.length) },
          parsed.errors.map((e) => h('li', { 'data-line': String(e.line) }, `Line ${e.line}: ${e.message}`, e.text ? h('code', {}, ` ${e.text}`) : null))) : null,
        h('div', { class: 'actions' }, add,
          h('button', { type: 'button', class: 'secondary', onclick: () => { fill(bulkBox); bulkButton.setAttribute('aria-expanded', 'false'); bulkButton.focus(); } }, 'Close')));
    };
    let checkTimer = null;
    area.addEventListener('input', () => { clearTimeout(checkTimer); checkTimer = setTimeout(check, 200); });
    [membership, engine].forEach((f) => f.addEventListener('change', check));
    file.addEventListener('change', async () => {
      const chosen = file.files?.[0];
      if (!chosen) return;
      area.value = await chosen.text();
      check();
    });
    check();
    return h('div', { class: 'bulk', role: 'group', 'aria-label': 'Add members in bulk' },
      h('p', { class: 'help' }, 'One member a line: server,database (a SqlDatabase member). A third field Include or Exclude overrides “Add as”; a header line server,database and lines starting with # are skipped. Nothing is saved until Save.'),
      h('div', { class: 'form-grid' },
        h('div', { class: 'field wide' }, h('label', { for: textId }, 'Paste server,database lines'), area),
        h('div', { class: 'field' }, h('label', { for: fileId }, 'Or choose a CSV file'), file),
        membership, engine),
      result);
  }

  const form = h('form', { novalidate: true, class: 'group-editor' },
    group ? null : field({ label: 'Name', name: 'name', required: true, attrs: { maxlength: 128, autocomplete: 'off' } }),
    countsBox, tools,
    h('div', { class: 'actions' }, addButton, bulkButton),
    bulkBox,
    tableBox,
    formAlert(),
    actions(h('button', { type: 'submit' }, 'Save'),
      group && onSaved ? confirmButton('Delete', `Delete target group “${group.name}”?`, () => submitting(form, async () => {
        await api.del(path`/targetGroups/${group.name}`);
        announce(`Deleted ${group.name}.`);
        ctx.navigate('/targetGroups');
      })) : null));
  draw();

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const name = group ? group.name : value(form, 'name');
    submitting(form, async () => {
      if (!name) throw { target: 'name', message: 'Enter a name.' };
      try {
        const saved = await api.put(path`/targetGroups/${name}`, { members: members.map(compact) });
        announce(`Saved ${name}.`);
        onSaved(saved.name || name);
      } catch (error) {
        // The API names the member by its position: bring its row into view, so the message lands next to it.
        const at = /^members\[(\d+)\]/.exec(error?.target || '');
        if (at && Number(at[1]) < members.length) showPosition(Number(at[1]));
        throw error;
      }
    }).then(() => {
      const bad = form.querySelector('[aria-invalid="true"]');
      if (bad) bad.scrollIntoView({ block: 'center' });
    });
  });
  return form;
}

/** A member as the API takes it, defaults left out, so a group of 10,000 stays a small request. */
function compact(m) {
  const out = { type: m.type, serverName: m.serverName };
  if (m.membershipType === 'Exclude') out.membershipType = 'Exclude';
  for (const key of ['databaseName', 'elasticPoolName', 'refreshCredential']) {
    if (m[key]) out[key] = m[key];
  }
  if (m.engine && m.engine !== 'postgresql') out.engine = m.engine;
  if (m.trustServerCertificate) out.trustServerCertificate = true;
  return out;
}

function membershipBadge(membership) {
  return membership === 'Exclude'
    ? h('span', { class: 'badge tone-bad', 'data-membership': 'Exclude' }, 'Exclude')
    : h('span', { class: 'badge tone-ok', 'data-membership': 'Include' }, 'Include');
}

