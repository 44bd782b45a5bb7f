// The operations log (GET /operations): what operators did to identity, newest first.
import { api } from './api.js';
import { h, json, replace, when } from './dom.js';

export async function showOperations(view) {
  const list = h('tbody', { 'data-testid': 'operations' });
  const more = h('div');
  replace(view,
    h('h1', {}, 'Operations'),
    h('p', { class: 'hint' }, 'Merges, identifier removals and blocks, re-derivations, rebuilds and erasures done by an operator. The log names profiles (erasures not even those), never the identifiers’ values.'),
    h('table', { class: 'operations' },
      h('thead', {}, h('tr', {}, h('th', {}, 'when'), h('th', {}, 'kind'), h('th', {}, 'profiles'), h('th', {}, 'reason'), h('th', {}, 'result'))),
      list),
    more);
  await page(list, more, null);
}

async function page(list, more, after) {
  const { operations, next } = await api(after ? `/operations?limit=50&after=${after}` : '/operations?limit=50');
  if (!after && !operations.length) list.append(h('tr', {}, h('td', { colspan: 5, class: 'hint' }, 'None yet.')));
  for (const o of operations)
    list.append(h('tr', { 'data-testid': 'operation' },
      h('td', { class: 'when' }, when(o.at)),
      h('td', {}, h('strong', {}, o.kind)),
      h('td', {}, o.profiles.map((id) => h('div', {}, h('a', { href: `#/profiles/${encodeURIComponent(id)}` }, h('code', {}, id))))),
      h('td', {}, o.reason || ''),
      h('td', {}, json(o.result))));
  replace(more, next ? h('button', { class: 'more', type: 'button', onclick: () => page(list, more, next) }, 'Older operations') : null);
}
