// Profiles: the latest ones, search as you type, lookup by identifier or id, and one profile's
// traits, identifiers, merges (as a timeline and as an identity graph) and events.
import { api, pagedEvents } from './api.js';
import { h, json, problem, replace, when } from './dom.js';
import { correctionsCard } from './corrections.js';
import { identityGraph } from './identity_graph.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// The id of the live profile a search names: TYPE:VALUE or a profile id; null when none.
export async function findProfile(query) {
  if (UUID.test(query)) {
    try {
      return (await api(`/profiles/${encodeURIComponent(query)}`)).id;
    } catch (e) {
      if (e.status === 404) return null;
      throw e;
    }
  }
  const found = await api(`/profiles?identifier=${encodeURIComponent(query)}`);
  return found.profiles.length ? found.profiles[0].id : null;
}

// The Profiles page: the latest profiles as a table, searched as you type (GET /profiles?q=,
// SPEC 8), a page at a time. A reply that comes after a later keystroke's is dropped.
export function showProfileSearch(view) {
  const input = h('input', { type: 'search', name: 'q', placeholder: 'First letters of an e-mail, a name, an id…',
    autocomplete: 'off', 'aria-label': 'Search profiles', 'data-testid': 'profile-search' });
  const list = h('div', { class: 'profile-list' });
  let asked = 0;
  const show = async () => {
    const q = input.value.trim();
    const mine = ++asked;
    const path = q.length >= 2 ? `/profiles?q=${encodeURIComponent(q)}&limit=25` : '/profiles?limit=25';
    try {
      const page = await api(path);
      if (mine !== asked) return;
      replace(list, profileTable(page.profiles, q), moreButton(list, path, page.next));
    } catch (e) {
      if (mine === asked) replace(list, problem(e));
    }
  };
  let timer;
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(show, 150);
  });
  replace(view,
    h('h1', {}, 'Profiles'),
    h('p', { class: 'hint' }, 'The most recently updated first. Type two letters or more to find people by the start of any ',
      'identifier (e-mail, Slack id, customer id) or of a word in their traits. The box at the top takes ',
      h('code', {}, 'TYPE:VALUE'), ' or a profile id.'),
    input, list);
  input.focus();
  show();
  return () => clearTimeout(timer);
}

// A name to show for a profile: its name trait, else first and last name, else none.
function displayName(traits = {}) {
  const name = traits.name ?? [traits.first_name, traits.last_name].filter(Boolean).join(' ');
  return typeof name === 'string' ? name : JSON.stringify(name);
}

function profileTable(profiles, q) {
  if (!profiles.length) return h('p', { class: 'hint', 'data-testid': 'no-profiles' }, q.length >= 2 ? `No profile matches ${q}.` : 'No profiles yet.');
  return h('table', { class: 'profiles', 'data-testid': 'profile-table' },
    h('thead', {}, h('tr', {}, h('th', {}, 'Identifiers'), h('th', {}, 'Name'), h('th', { class: 'num' }, 'Events'), h('th', {}, 'Updated'))),
    h('tbody', {}, profiles.map(profileRow)));
}

function profileRow(p) {
  const shown = p.identifiers.slice(0, 3).map(({ type, value }) => h('span', { class: 'chip' }, `${type}:${value}`));
  const more = p.identifiers.length > 3 ? ` +${p.identifiers.length - 3}` : '';
  return h('tr', { 'data-testid': 'profile-row', 'data-id': p.id },
    h('td', {}, h('a', { href: `#/profiles/${encodeURIComponent(p.id)}` }, shown.length ? shown : h('code', {}, short(p.id))), more),
    h('td', {}, displayName(p.traits)),
    h('td', { class: 'num' }, p.event_count),
    h('td', {}, when(p.updated_at)));
}

// "More" appends the next page's rows to the table above it.
function moreButton(list, path, next) {
  if (!next) return null;
  return h('button', { class: 'more', type: 'button', 'data-testid': 'more-profiles', onclick: async (e) => {
    const button = e.target;
    try {
      const page = await api(`${path}&after=${encodeURIComponent(next)}`);
      list.querySelector('tbody')?.append(...page.profiles.map(profileRow));
      button.replaceWith(moreButton(list, path, page.next) || '');
    } catch (err) {
      button.replaceWith(problem(err));
    }
  } }, 'More profiles');
}

export async function showProfile(view, requested) {
  replace(view, h('p', { class: 'loading' }, 'Loading…'));
  const profile = await api(`/profiles/${encodeURIComponent(requested)}`);
  const { merges } = await api(`/profiles/${encodeURIComponent(profile.id)}/merges`);
  const graphBox = h('div', { class: 'graph', 'data-testid': 'identity-graph' });
  const eventsBox = h('div', { class: 'events' });
  replace(view,
    h('h1', {}, 'Profile ', h('code', { 'data-testid': 'profile-id' }, profile.id)),
    profile.id !== requested ? h('p', { class: 'note' }, `${requested} answers for this profile (it was merged into it, or created for an identifier this profile holds).`) : null,
    h('p', { class: 'facts' },
      `created ${when(profile.created_at)} · updated ${when(profile.updated_at)} · `,
      h('span', { 'data-testid': 'event-count' }, `${profile.event_count} events`),
      ` · ${profile.aliases.length} merged profiles`),
    h('div', { class: 'columns' },
      h('section', { class: 'card' }, h('h2', {}, 'Identifiers'), identifiersBySystem(profile.identifiers),
        profile.aliases.length ? [h('h2', { class: 'spaced' }, 'Merged into this profile'),
          h('ul', { class: 'aliases', 'data-testid': 'aliases' }, profile.aliases.map((id) => h('li', {}, h('code', {}, id))))] : null),
      h('section', { class: 'card' }, h('h2', {}, 'Traits'), traitsTable(profile.traits))),
    h('section', { class: 'card' },
      h('h2', {}, 'Why this is one person'),
      h('p', { class: 'hint' }, 'Identifiers (small) and the profiles that held them (large); a dashed line is a merge, labelled with the identifier both held.'),
      graphBox),
    h('section', { class: 'card' }, h('h2', {}, 'Merge history'), timeline(profile, merges)),
    correctionsCard(profile, () => window.dispatchEvent(new HashChangeEvent('hashchange'))),
    h('section', { class: 'card' }, h('h2', {}, 'Events, newest first'), eventsBox));
  const graph = identityGraph(graphBox, profile, merges);
  await pagedEvents(eventsBox, `/profiles/${encodeURIComponent(profile.id)}/events?order=desc&limit=20`,
    { row: eventRow, empty: h('p', { class: 'hint' }, 'No events.'), more: 'Older events' });
  return () => graph.destroy();
}

function identifiersBySystem(identifiers) {
  const bySystem = new Map();
  for (const { type, value } of identifiers) bySystem.set(type, [...(bySystem.get(type) || []), value]);
  if (!bySystem.size) return h('p', { class: 'hint' }, 'None.');
  return h('dl', { class: 'identifiers', 'data-testid': 'identifiers' },
    [...bySystem].map(([type, values]) => [h('dt', {}, type), h('dd', {}, values.map((v) => h('span', { class: 'chip' }, v)))]));
}

function traitsTable(traits) {
  const entries = Object.entries(traits || {});
  if (!entries.length) return h('p', { class: 'hint' }, 'No traits yet.');
  return h('table', { class: 'traits' }, h('tbody', {}, entries.map(([k, v]) =>
    h('tr', {}, h('th', {}, k), h('td', {}, typeof v === 'object' ? json(v) : String(v))))));
}

function timeline(profile, merges) {
  if (!merges.length) return h('p', { class: 'hint' }, 'No merges: every identifier was first seen on this profile.');
  return h('ol', { class: 'timeline', 'data-testid': 'merge-timeline' }, merges.map((m) =>
    h('li', {},
      h('div', { class: 'when' }, when(m.at)),
      h('div', {},
        h('code', {}, short(m.merged)), ' merged into ', h('code', {}, short(m.survivor)),
        m.identifier
          ? [' because both had ', h('strong', { class: 'bridge' }, `${m.identifier.type}:${m.identifier.value}`),
            ' — event ', h('a', { href: '#', onclick: (e) => { e.preventDefault(); toggleEvent(e.target.closest('li'), m.event_id); } }, short(m.event_id))]
          : [' by an operator', m.reason ? [': ', h('em', {}, m.reason)] : null]),
      h('details', {}, h('summary', {}, 'The merged profile just before the merge'), json(m.merged_snapshot)))));
}

function short(id) {
  return id.length > 13 ? `${id.slice(0, 8)}…${id.slice(-4)}` : id;
}

function eventRow(e) {
  const row = h('div', { class: 'event', 'data-testid': 'event' },
    h('button', { class: 'event-line', type: 'button', 'aria-expanded': 'false', onclick: () => toggleEvent(row, e.id) },
      h('span', { class: 'when' }, when(e.received_at)), h('span', { class: 'source' }, e.source),
      h('span', {}, e.type), h('span', { class: `status ${e.status}` }, e.status)));
  return row;
}

// Opens (or closes) an event's payload, properties and trace under `host`.
export async function toggleEvent(host, eventId) {
  const open = host.querySelector(':scope > .event-detail');
  if (open) {
    open.remove();
    return;
  }
  const detail = h('div', { class: 'event-detail' }, h('p', { class: 'loading' }, 'Loading…'));
  host.append(detail);
  try {
    const e = await api(`/events/${encodeURIComponent(eventId)}`);
    replace(detail,
      h('p', { class: 'facts' }, `event ${e.id} · ${e.source} · ${e.type} · ${e.status}`),
      e.error ? h('p', { class: 'problem' }, e.error) : null,
      traceTable(e.trace),
      h('details', { open: true }, h('summary', {}, 'Payload'), json(e.payload)),
      h('details', {}, h('summary', {}, 'Properties'), json(e.properties)));
  } catch (err) {
    replace(detail, problem(err));
  }
}

export function traceTable(trace) {
  return h('table', { class: 'trace', 'data-testid': 'trace' },
    h('thead', {}, h('tr', {}, h('th', {}, 'node'), h('th', {}, 'plugin'), h('th', {}, 'port'), h('th', {}, 'µs'))),
    h('tbody', {}, (trace || []).map((t) => h('tr', {}, h('td', {}, t.node), h('td', {}, t.plugin), h('td', {}, t.port), h('td', { class: 'num' }, t.micros)))));
}
