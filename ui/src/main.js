// The console's shell: a hash router over six views, the search box and the API token.
import { ApiError, token } from './api.js';
import { h, problem, replace } from './dom.js';
import { showDeadLetters } from './dead_letters.js';
import { showDestinations } from './destinations.js';
import { showOverview } from './overview.js';
import { showOperations } from './operations.js';
import { findProfile, showProfile, showProfileSearch } from './profile.js';
import { showWorkflows } from './workflows.js';

const view = document.getElementById('view');
let leave = () => {};  // the current view's clean-up (timers, graphs)

// Each view draws into a fresh element of its own: one that finishes loading after the user
// moved on draws into an element no longer on the page.
const routes = [
  [/^#?\/?$/, 'overview', (host) => showOverview(host)],
  [/^#\/profiles\/?$/, 'profiles', (host) => showProfileSearch(host)],
  [/^#\/profiles\/(.+)$/, 'profiles', (host, m) => showProfile(host, decodeURIComponent(m[1]))],
  [/^#\/workflows\/?$/, 'workflows', (host) => showWorkflows(host)],
  [/^#\/dead-letters\/?$/, 'dead-letters', (host) => showDeadLetters(host)],
  [/^#\/operations\/?$/, 'operations', (host) => showOperations(host)],
  [/^#\/destinations\/?$/, 'destinations', (host) => showDestinations(host)],
];

// Replaces the current view with a message or form of the shell's own.
function showOwn(...children) {
  leave();
  leave = () => {};
  replace(view, ...children);
}

async function route() {
  leave();
  leave = () => {};
  const host = h('div');
  replace(view, host);
  const current = () => host.isConnected;
  const hash = location.hash || '#/';
  for (const [pattern, nav, show] of routes) {
    const m = hash.match(pattern);
    if (!m) continue;
    for (const a of document.querySelectorAll('[data-nav]')) a.classList.toggle('active', a.dataset.nav === nav);
    try {
      const cleanup = (await show(host, m)) || (() => {});
      if (current()) leave = cleanup;
      else cleanup();
    } catch (e) {
      if (current()) replace(host, e instanceof ApiError && e.status === 401 ? tokenForm(e) : problem(e));
    }
    return;
  }
  showOwn(h('h1', {}, 'Not here'), h('p', {}, 'No such page. ', h('a', { href: '#/' }, 'Back to the overview.')));
}

// Shown when the API refused for want of a token (api.token_env is set on the server); `retry`
// runs what was refused again once a token is given.
function tokenForm(error, retry = route) {
  const input = h('input', { type: 'password', name: 'token', placeholder: 'the value of api.token_env', autocomplete: 'off' });
  return h('form', {
    class: 'card token',
    onsubmit: (e) => {
      e.preventDefault();
      token.set(input.value.trim());
      input.dataset.used = 'true';  // a fresh form appears if this one is refused too
      retry();
    },
  },
  h('h1', {}, 'This weft needs an API token'),
  h('p', {}, error.message),
  h('p', {}, 'It is kept in this tab only and sent as Authorization: Bearer.'),
  input, h('button', { type: 'submit' }, 'Use it'));
}

document.getElementById('token-button').addEventListener('click', () => {
  showOwn(tokenForm({ message: token.get() ? 'A token is set for this tab; enter another, or leave it empty to clear it.' : 'No token is set for this tab.' }));
});

async function search() {
  const query = document.getElementById('search-input').value.trim();
  if (!query) return;
  try {
    const id = await findProfile(query);
    const target = `#/profiles/${encodeURIComponent(id)}`;
    if (id && location.hash !== target) location.hash = target;
    else if (id) route();  // the same profile again: no hashchange
    else showOwn(h('h1', {}, 'No profile found'), h('p', { class: 'problem', role: 'alert' }, `No profile holds ${query}.`));
  } catch (err) {
    showOwn(err instanceof ApiError && err.status === 401 ? tokenForm(err, search) : problem(err));
  }
}

document.getElementById('search').addEventListener('submit', (e) => {
  e.preventDefault();
  search();
});

window.addEventListener('hashchange', route);
route();
