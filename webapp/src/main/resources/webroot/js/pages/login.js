// Sign in with an API token: GET /me verifies it and tells the name and role the UI follows.
import { request, session } from '../api.js';
import { stop as stopLive } from '../live.js';
import { h } from '../ui/dom.js';
import { field, formAlert, submitting, showError, actions } from '../ui/forms.js';

export async function render(view, ctx) {
  if (session.token) session.clear(); // landing here means signing in afresh
  stopLive();
  document.getElementById('main-nav').hidden = true;
  document.getElementById('session').hidden = true;
  const form = h('form', { class: 'card login-card', novalidate: true },
    field({ label: 'API token', name: 'token', type: 'password', required: true,
      help: 'An admin, operator or reader token, such as the one the agent printed on its first start.',
      attrs: { autocomplete: 'off', spellcheck: 'false' } }),
    formAlert(),
    actions(h('button', { type: 'submit' }, 'Sign in')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const token = form.elements.token.value.trim();
    if (!token) {
      showError(form, { target: 'token', message: 'Enter an API token.' });
      return;
    }
    submitting(form, async () => {
      let me;
      try {
        me = await request('GET', '/me', { token });
      } catch (err) {
        if (err.status === 401) throw { target: 'token', message: 'This token is not valid, or it was revoked.' };
        throw err;
      }
      session.save(token, me);
      ctx.signedIn();
    });
  });
  view.append(h('h1', {}, 'Sign in to fleetjobs'), form);
  form.elements.token.focus();
}
