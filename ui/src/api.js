// The console's only way to the server: weft's JSON API (SPEC 8) with the token the user gave,
// kept for this browser tab only (sessionStorage), and /metrics, which needs no token.
import { h } from './dom.js';

const KEY = 'weft.api-token';

export const token = {
  get: () => sessionStorage.getItem(KEY) || '',
  set: (value) => (value ? sessionStorage.setItem(KEY, value) : sessionStorage.removeItem(KEY)),
};

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export async function api(path, options = {}) {
  const headers = { Accept: 'application/json', ...(options.headers || {}) };
  if (token.get()) headers.Authorization = `Bearer ${token.get()}`;
  let response;
  try {
    response = await fetch(path, { ...options, headers });
  } catch (e) {
    throw new ApiError(0, 'unreachable', `weft does not answer (${e.message})`);
  }
  const text = await response.text();
  let body;
  try {
    body = text ? JSON.parse(text) : {};
  } catch {
    body = { error: 'bad_response', message: text.slice(0, 200) };
  }
  if (!response.ok) throw new ApiError(response.status, body.error, body.message || response.statusText);
  return body;
}

export async function metrics() {
  const response = await fetch('/metrics');
  if (!response.ok) throw new ApiError(response.status, 'metrics', `GET /metrics answered ${response.status}`);
  return response.text();
}

// Fills `box` with a paged list of events (SPEC 8's {"events", "next"}): `path` without its
// cursor, `row` draws one event, `empty` is shown when there are none, `more` labels the button
// that loads the next page.
export async function pagedEvents(box, path, { row, empty, more }, after = null) {
  const page = await api(after ? `${path}&after=${after}` : path);
  box.querySelector(':scope > .more')?.remove();
  if (!after && !page.events.length) box.append(empty);
  for (const e of page.events) box.append(row(e));
  if (page.next)
    box.append(h('button', { class: 'more', type: 'button', onclick: () => pagedEvents(box, path, { row, empty, more }, page.next) }, more));
}
