// Destinations (SPEC 17): each destination's state and counts, its failed messages with the
// answer that failed them, and buttons to send them again, to enable and to disable.
import { api } from './api.js';
import { h, problem, replace, when } from './dom.js';

export async function showDestinations(view) {
  const list = h('div', { 'data-testid': 'destinations' }, h('p', { class: 'loading' }, 'Loading…'));
  replace(view,
    h('h1', {}, 'Destinations'),
    h('p', { class: 'hint' }, 'The endpoints weft sends profiles and events to. A failed message has used every attempt of its schedule; retrying sends it again from the first.'),
    list);
  await refresh(list);
}

async function refresh(list) {
  try {
    const { destinations } = await api('/destinations');
    if (destinations.length === 0) {
      replace(list, h('p', { class: 'hint', 'data-testid': 'no-destinations' }, 'None: add YAML files to the destinations folder (docs/destinations.md).'));
      return;
    }
    const cards = [];
    for (const d of destinations) cards.push(await destinationCard(d, () => refresh(list)));
    replace(list, ...cards);
  } catch (err) {
    replace(list, problem(err));
  }
}

async function destinationCard(d, again) {
  const outcome = h('div', { class: 'outcome', 'aria-live': 'polite' });
  const act = (label, path, testid) => {
    const button = h('button', {
      type: 'button',
      'data-testid': testid,
      onclick: async () => {
        button.disabled = true;
        try {
          await api(path, { method: 'POST' });
          await again();
        } catch (err) {
          replace(outcome, problem(err));
          button.disabled = false;
        }
      },
    }, label);
    return button;
  };
  const base = `/destinations/${encodeURIComponent(d.id)}`;
  const failed = d.failed > 0 ? (await api(`${base}/messages?status=failed&limit=20`)).messages : [];
  return h('section', { class: 'card destination', 'data-testid': 'destination' },
    h('h2', {}, d.id, ' ', h('span', { class: `state ${d.state}`, 'data-testid': 'destination-state' }, d.state)),
    h('p', { class: 'facts' }, h('code', {}, d.url)),
    h('p', { class: 'facts', 'data-testid': 'destination-counts' },
      `${d.pending} pending · ${d.failed} failed · ${d.delivered} delivered`,
      d.oldest_pending_age_s !== null ? ` · oldest pending ${d.oldest_pending_age_s} s` : ''),
    d.last_error ? h('p', { class: 'problem' }, `Last error ${when(d.last_error.at)}: ${d.last_error.message}`) : null,
    h('div', { class: 'actions' },
      d.state === 'enabled' ? act('Disable', `${base}/disable`, 'disable') : act('Enable', `${base}/enable`, 'enable'),
      d.failed > 0 ? act('Retry every failed message', `${base}/retry-failed`, 'retry-failed') : null),
    failed.length ? h('ul', { class: 'failed-messages' }, ...failed.map((m) => failedMessage(base, m, again))) : null,
    outcome);
}

function failedMessage(base, m, again) {
  const last = m.attempts[m.attempts.length - 1];
  const button = h('button', {
    type: 'button',
    'data-testid': 'retry-message',
    onclick: async () => {
      button.disabled = true;
      await api(`${base}/messages/${encodeURIComponent(m.id)}/retry`, { method: 'POST' });
      await again();
    },
  }, 'Retry');
  return h('li', { 'data-testid': 'failed-message' },
    h('code', {}, m.id), ' ', m.type, ' ', h('span', { class: 'when' }, when(m.created_at)), ' ',
    last ? h('span', { class: 'problem', 'data-testid': 'failed-response' },
      `${m.attempts.length} ${m.attempts.length === 1 ? 'attempt' : 'attempts'}; last: ${last.status ?? last.error ?? ''} ${last.response}`) : null,
    ' ', button);
}
