// Correcting identity from a profile's page (SPEC 13): merge with another profile, remove or
// block an identifier, re-derive. Each asks for confirmation in place, runs one operation on
// the server and shows what the profile became; every one is listed under Operations.
import { api } from './api.js';
import { h, problem, replace } from './dom.js';
import { findProfile } from './profile.js';

// The card of the profile page. `reload` draws the page again after a change.
export function correctionsCard(profile, reload) {
  const outcome = h('div', { class: 'outcome', 'aria-live': 'polite', 'data-testid': 'correction-outcome' });
  const other = h('input', { type: 'text', name: 'other', placeholder: 'the other profile: an id or TYPE:VALUE', 'data-testid': 'merge-other' });
  const reason = h('input', { type: 'text', name: 'reason', placeholder: 'why (kept in the operations log)', 'data-testid': 'merge-reason' });
  const mergeForm = h('form', {
    class: 'inline',
    onsubmit: async (e) => {
      e.preventDefault();
      const query = other.value.trim();
      if (!query) return;
      try {
        const otherId = await findProfile(query);
        if (!otherId) return replace(outcome, h('p', { class: 'problem', role: 'alert' }, `No profile holds ${query}.`));
        confirmStep(outcome, `Merge profile ${otherId} with this one? The older survives; the merge is recorded with its reason.`, async () => {
          const survivor = await api(`/profiles/${encodeURIComponent(profile.id)}/merge`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ profile: otherId, reason: reason.value }),
          });
          return { profiles: [survivor] };
        }, reload);
      } catch (err) {
        replace(outcome, problem(err));
      }
    },
  }, other, reason, h('button', { type: 'submit' }, 'Merge…'));

  const identifierRows = profile.identifiers.map(({ type, value }) => {
    const path = `/profiles/${encodeURIComponent(profile.id)}/identifiers/${encodeURIComponent(`${type}:${value}`)}`;
    const ask = (block) => confirmStep(outcome,
      block ? `Block ${type}:${value}? It is taken from this profile, ignored in every event, past and future, until unblocked, and the profile is re-derived.`
        : `Remove ${type}:${value}? It is ignored in the events received so far, and the profile is re-derived: profiles joined only through it come apart.`,
      () => api(block ? `${path}?block=true` : path, { method: 'DELETE' }), reload);
    return h('tr', { 'data-testid': 'identifier-row' },
      h('td', {}, h('code', {}, `${type}:${value}`)),
      h('td', { class: 'actions' },
        h('button', { type: 'button', class: 'quiet dark', onclick: () => ask(false) }, 'Remove…'),
        h('button', { type: 'button', class: 'quiet dark', onclick: () => ask(true) }, 'Block…')));
  });

  const rederive = h('button', {
    type: 'button',
    'data-testid': 'rederive',
    onclick: () => confirmStep(outcome, 'Re-derive this profile from its events under the current workflows?',
      () => api(`/profiles/${encodeURIComponent(profile.id)}/rederive`, { method: 'POST' }), reload),
  }, 'Re-derive…');

  return h('section', { class: 'card', 'data-testid': 'corrections' },
    h('h2', {}, 'Correct this profile'),
    h('p', { class: 'hint' }, 'Each change is one operation, listed under ', h('a', { href: '#/operations' }, 'Operations'), '. Profile ids keep answering.'),
    h('h3', {}, 'Merge with another profile'), mergeForm,
    h('h3', {}, 'Identifiers'), h('table', { class: 'identifier-actions' }, h('tbody', {}, identifierRows)),
    h('h3', {}, 'Re-derive'), rederive,
    outcome,
    eraseSection(profile));
}

// "Erase this person" (SPEC 14), behind a typed confirmation: the profile's first identifier.
function eraseSection(profile) {
  const first = profile.identifiers[0];
  const expected = first ? `${first.type}:${first.value}` : profile.id;
  const box = h('div', { 'aria-live': 'polite', 'data-testid': 'erase-outcome' });
  const typed = h('input', {
    type: 'text', name: 'erase-confirm', autocomplete: 'off', placeholder: expected, 'data-testid': 'erase-confirm',
    oninput: () => { button.disabled = typed.value.trim() !== expected; },
  });
  const button = h('button', {
    type: 'button', class: 'danger', disabled: true, 'data-testid': 'erase',
    onclick: async () => {
      button.disabled = true;
      try {
        const { erased } = await api(`/profiles/${encodeURIComponent(profile.id)}`, { method: 'DELETE' });
        replace(box, h('p', { class: 'ok', 'data-testid': 'erased' },
          `Erased: ${erased.profiles} profiles, ${erased.identifiers} identifiers, ${erased.events} events, ${erased.merges} merge records, ` +
          `${erased.unattributed_events ?? 0} events of no profile that held their identifiers. ` +
          'Events that carry these identifiers from now on are not stored.'));
      } catch (err) {
        replace(box, problem(err));
        button.disabled = false;
      }
    },
  }, 'Erase this person');
  return [h('h3', {}, 'Erase this person'),
    h('p', { class: 'hint' }, 'Deletes this profile, every profile merged into it, their identifiers, events and merge records, for good. ',
      'Type ', h('code', {}, expected), ' to confirm.'),
    h('div', { class: 'inline' }, typed, button), box];
}

// Asks in `box` before running `action` (a promise of {"profiles": [...]}); shows the profiles
// it answers with, each a link, or the error.
function confirmStep(box, question, action, reload) {
  const confirm = h('button', {
    type: 'button',
    'data-testid': 'confirm',
    onclick: async () => {
      confirm.disabled = true;
      try {
        const { profiles } = await action();
        replace(box, h('div', { class: 'ok', 'data-testid': 'operation-result' },
          h('p', {}, profiles.length === 1 ? 'Done. The profile is now:' : `Done. The profile is now ${profiles.length} profiles:`),
          h('ul', {}, profiles.map((p) => h('li', {},
            h('a', { href: `#/profiles/${encodeURIComponent(p.id)}` }, h('code', {}, p.id)), ' ',
            p.identifiers.map((i) => h('span', { class: 'chip' }, `${i.type}:${i.value}`)),
            ` ${p.event_count} event${p.event_count === 1 ? '' : 's'}`))),
          h('button', { type: 'button', class: 'quiet dark', onclick: reload }, 'Show this profile again')));
      } catch (err) {
        replace(box, problem(err));
      }
    },
  }, 'Confirm');
  replace(box, h('div', { class: 'confirm', role: 'alertdialog' },
    h('p', {}, question), confirm, ' ', h('button', { type: 'button', class: 'quiet dark', onclick: () => replace(box) }, 'Cancel')));
  confirm.focus();
}
