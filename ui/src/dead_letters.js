// Dead letters: events a node failed on, with their error and trace, and a button that runs
// one again through its source's current workflow (POST /events/{id}/replay).
import { api, pagedEvents } from './api.js';
import { h, json, problem, replace, when } from './dom.js';
import { traceTable } from './profile.js';

export async function showDeadLetters(view) {
  const list = h('div', { 'data-testid': 'dead-letters' });
  replace(view,
    h('h1', {}, 'Dead letters'),
    h('p', { class: 'hint' }, 'Events a node failed on. They are stored with their payload; once the workflow or plugin is fixed (and weft restarted), replay runs them again.'),
    list);
  await pagedEvents(list, '/events?status=failed&limit=50',
    { row: deadLetter, empty: h('p', { class: 'hint', 'data-testid': 'no-dead-letters' }, 'None: every event went through.'), more: 'More' });
}

function deadLetter(e) {
  const outcome = h('div', { class: 'outcome', 'aria-live': 'polite' });
  const button = h('button', {
    type: 'button',
    onclick: async () => {
      button.disabled = true;
      replace(outcome, h('p', { class: 'loading' }, 'Replaying…'));
      try {
        const answer = await api(`/events/${encodeURIComponent(e.id)}/replay`, { method: 'POST' });
        if (answer.status === 'processed') {
          replace(outcome, h('p', { class: 'ok', 'data-testid': 'replay-outcome' }, 'Processed. ',
            answer.profile_id ? h('a', { href: `#/profiles/${answer.profile_id}` }, 'Open its profile') : null));
        } else {
          replace(outcome, h('p', { class: 'problem', 'data-testid': 'replay-outcome' }, `Failed again: ${answer.error}`));
          button.disabled = false;
        }
      } catch (err) {
        replace(outcome, problem(err));
        button.disabled = false;
      }
    },
  }, 'Replay');
  return h('section', { class: 'card dead-letter', 'data-testid': 'dead-letter' },
    h('h2', {}, h('span', { class: 'source' }, e.source), ' ', e.type, ' ', h('span', { class: 'when' }, when(e.received_at))),
    h('p', { class: 'problem' }, e.error),
    h('p', { class: 'facts' }, h('code', {}, e.id)),
    traceTable(e.trace),
    h('details', {}, h('summary', {}, 'Payload'), json(e.payload)),
    button, outcome);
}
