// Settings: the agent's tier (GET/PUT /agent) and, for admins, API tokens: create (the secret is shown
// once, with a copy button) and revoke.
import { api, path, session } from '../api.js';
import { on } from '../live.js';
import { h, fill, section, announce } from '../ui/dom.js';
import { time } from '../ui/format.js';
import { field, formAlert, value, submitting, confirmButton, actions, secretOnce } from '../ui/forms.js';
import { table, row } from '../ui/table.js';
import { can } from '../roles.js';

const TIERS = [['JA100', 'JA100: 100 targets at once'], ['JA200', 'JA200: 200 targets at once'], ['JA400', 'JA400: 400 targets at once'], ['JA800', 'JA800: 800 targets at once']];

export async function render(view, ctx) {
  view.append(h('h1', {}, 'Settings'));
  const tierBox = h('div', {});
  const tokensBox = h('div', {});
  view.append(section('Tier', tierBox));
  if (can('listTokens')) view.append(section('API tokens', tokensBox));

  const usage = h('p', { class: 'muted', role: 'status' });
  function drawUsage(agent) {
    usage.textContent = `${agent.targetsInProgress ?? 0} of ${agent.sku?.capacity ?? '?'} targets in progress, ${agent.queueDepth ?? 0} waiting.`;
  }
  ctx.onCleanup(on('agent', drawUsage));

  async function loadTier() {
    const agent = await api.get('/agent', { signal: ctx.signal });
    drawUsage(agent);
    if (!can('putAgent')) {
      fill(tierBox, h('p', {}, `The agent runs on tier ${agent.sku?.name}: at most ${agent.sku?.capacity} targets at once.`), usage);
      return;
    }
    const form = h('form', { novalidate: true },
      field({ label: 'Tier', name: 'sku.name', type: 'select', value: agent.sku?.name, options: TIERS,
        help: 'How many targets run at once, for every agent sharing the job database. Changes take effect at once.' }),
      formAlert(),
      actions(h('button', { type: 'submit' }, 'Save')));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      submitting(form, async () => {
        const saved = await api.put('/agent', { sku: { name: value(form, 'sku.name') } });
        drawUsage(saved);
        announce(`Tier is now ${saved.sku?.name}.`);
      });
    });
    fill(tierBox, form, usage);
  }

  async function loadTokens() {
    const tokens = await api.all('/tokens', {}, { signal: ctx.signal });
    const created = h('div', {});
    const form = h('form', { novalidate: true, class: 'token-form' },
      h('div', { class: 'form-grid' },
        field({ label: 'Token name', name: 'name', required: true, attrs: { maxlength: 128, autocomplete: 'off' } }),
        field({ label: 'Role', name: 'role', type: 'select', value: 'reader',
          options: [['reader', 'reader: read only'], ['operator', 'operator: also start, cancel, test, replay'], ['admin', 'admin: everything']] })),
      formAlert(),
      actions(h('button', { type: 'submit' }, 'Create token')));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      submitting(form, async () => {
        const token = await api.post('/tokens', { name: value(form, 'name') ?? '', role: value(form, 'role') });
        form.reset();
        await drawList();
        fill(created, secretOnce(`Token ${token.name} (${token.role})`, token.token,
          'Copy it now: only its hash is stored, so it is never shown again.'));
        created.querySelector('input').focus();
        announce(`Created token ${token.name}.`);
      });
    });
    const list = h('div', {});
    async function drawList(items) {
      const all = items || await api.all('/tokens');
      const me = session.me?.name;
      fill(list, table({
        caption: 'API tokens',
        columns: ['Name', 'Role', 'Created', 'Actions'],
        rows: all.map((t) => row([
          [t.name, t.name === me ? h('span', { class: 'muted' }, ' (this session)') : null],
          t.role,
          time(t.createdTime, { short: true }),
          can('revokeToken') ? confirmButton('Revoke', t.name === me ? 'Revoke the token you are signed in with?' : `Revoke token “${t.name}”?`, async () => {
            try {
              await api.del(path`/tokens/${t.name}`);
              announce(`Revoked ${t.name}.`);
              await drawList();
            } catch (err) {
              announce(err.message);
            }
          }, { className: 'danger small' }) : '—',
        ], { 'data-token': t.name })),
        empty: 'No tokens.',
      }));
    }
    await drawList(tokens);
    fill(tokensBox, h('h3', {}, 'Create token'), form, created, h('h3', {}, 'Tokens'), list);
  }

  await Promise.all([loadTier(), can('listTokens') ? loadTokens() : null]);
}
