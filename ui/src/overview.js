// The overview: what this weft process has done since it started, and the last minutes as
// charts, from GET /stats (the server samples its counters every few seconds and keeps ten
// minutes of them, so the charts have a history the moment the page opens).
import uPlot from 'uplot';
import { api } from './api.js';
import { h, problem, replace } from './dom.js';

const sum = (object) => Object.values(object || {}).reduce((a, b) => a + b, 0);

// Per-second rates of `value(sample)` between consecutive samples.
function rates(samples, value) {
  const out = [];
  for (let i = 1; i < samples.length; ++i) {
    const dt = (Date.parse(samples[i].at) - Date.parse(samples[i - 1].at)) / 1000;
    out.push(dt > 0 ? Math.max(0, value(samples[i]) - value(samples[i - 1])) / dt : 0);
  }
  return out;
}

export async function showOverview(view) {
  const tiles = h('div', { class: 'tiles', 'data-testid': 'tiles' });
  const status = h('div');
  const boxes = {
    events: h('div', { class: 'chart', 'data-testid': 'chart-events' }),
    merges: h('div', { class: 'chart', 'data-testid': 'chart-merges' }),
    queue: h('div', { class: 'chart', 'data-testid': 'chart-queue' }),
  };
  const first = await api('/stats');
  replace(view,
    h('h1', {}, 'Overview'),
    h('p', { class: 'hint' }, `Counts since this weft process started; rates over the last ${span(first)}, sampled every ${first.period_seconds} s by the server.`),
    status, tiles,
    h('div', { class: 'columns three' },
      h('section', { class: 'card' }, h('h2', {}, 'Events per second, by source'), boxes.events),
      h('section', { class: 'card' }, h('h2', {}, 'Merges and refused merges per second'), boxes.merges),
      h('section', { class: 'card' }, h('h2', {}, 'Ingest queue depth'), boxes.queue)));
  let plots = [];
  let sources = '';
  const draw = (stats) => {
    const samples = stats.samples;
    const now = samples[samples.length - 1];
    const statusTotal = (name) => Object.values(now.events).reduce((n, byStatus) => n + (byStatus[name] || 0), 0);
    replace(tiles,
      tile('live profiles', now.profiles),
      tile('events stored', statusTotal('processed')),
      tile('dead letters', statusTotal('failed'), '#/dead-letters'),
      tile('merges', now.merges),
      tile('refused merges', now.merges_refused),
      tile('queue', now.queue));
    const names = Object.keys(now.events).sort();
    if (names.join() !== sources) {  // a source showed up: new series
      sources = names.join();
      for (const p of plots) p.destroy();
      plots = [];
    }
    const times = samples.slice(1).map((s) => Date.parse(s.at) / 1000);
    const data = [
      [times, ...names.map((source) => rates(samples, (s) => sum(s.events[source])))],
      [times, rates(samples, (s) => s.merges), rates(samples, (s) => s.merges_refused)],
      [times, samples.slice(1).map((s) => s.queue)],
    ];
    if (!plots.length) {
      plots = [chart(boxes.events, names, data[0]), chart(boxes.merges, ['merges', 'refused'], data[1]), chart(boxes.queue, ['queued'], data[2])];
    } else {
      plots.forEach((p, i) => p.setData(data[i]));
    }
  };
  draw(first);
  const timer = setInterval(async () => {
    try {
      draw(await api('/stats'));
      replace(status);
    } catch (e) {
      replace(status, problem(e));
    }
  }, first.period_seconds * 1000);
  return () => {
    clearInterval(timer);
    for (const p of plots) p.destroy();
  };
}

// How much time the samples cover, for people.
function span(stats) {
  const s = stats.samples;
  const seconds = Math.max(stats.period_seconds, (Date.parse(s[s.length - 1].at) - Date.parse(s[0].at)) / 1000);
  return seconds < 120 ? `${Math.round(seconds)} s` : `${Math.round(seconds / 60)} minutes`;
}

function tile(label, value, href) {
  const body = [h('div', { class: 'value' }, Math.round(value).toLocaleString()), h('div', { class: 'label' }, label)];
  return href ? h('a', { class: 'tile', href }, body) : h('div', { class: 'tile' }, body);
}

const WINDOW_SECONDS = 600;
const COLOURS = ['#2563eb', '#f59e0b', '#16a34a', '#dc2626', '#7c3aed', '#0891b2', '#db2777'];

function chart(container, names, data) {
  return new uPlot({
    width: Math.max(260, container.clientWidth || 320),
    height: 160,
    // the last ten minutes, however few samples there are yet
    scales: { x: { time: true, range: (u, min, max) => [max - WINDOW_SECONDS, max] } },
    series: [{}, ...names.map((name, i) => ({ label: name, stroke: COLOURS[i % COLOURS.length], width: 1.5, points: { show: true, size: 4 } }))],
    axes: [{ values: (u, ticks) => ticks.map((t) => new Date(t * 1000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })) }, { size: 48 }],
  }, data, container);
}
