// Each source's workflow as a node graph: nodes with their plugin, one edge per port to where
// it routes, labelled with how many events took it (weft_node_port_total, refreshed live).
import cytoscape from 'cytoscape';
import { api, metrics } from './api.js';
import { h, problem, replace } from './dom.js';
import { parseMetrics, total } from './metrics.js';

const OUTCOMES = { next: null, stop: 'stored', drop: 'dropped', reject: 'rejected', fail: 'failed' };

// When the workflows were last reloaded (SIGHUP, POST /admin/reload), and whether it worked.
function lastReload(reload) {
  if (!reload) return h('p', { class: 'hint', 'data-testid': 'last-reload' }, 'Not reloaded since this weft started.');
  const when = new Date(reload.at).toLocaleString();
  if (reload.result === 'ok') return h('p', { class: 'hint', 'data-testid': 'last-reload' }, `Last reloaded ${when}.`);
  return h('div', { class: 'problem', 'data-testid': 'last-reload' },
    h('p', {}, `The reload of ${when} was refused; the workflows below are still the ones before it:`),
    h('ul', {}, reload.errors.map((e) => h('li', {}, h('code', {}, e)))));
}

export async function showWorkflows(view) {
  const { sources, last_reload: reload } = await api('/sources');
  const boxes = sources.map((source) => h('div', { class: 'graph wide', 'data-testid': `workflow-${source.id}` }));
  replace(view, h('h1', {}, 'Workflows'),
    h('p', { class: 'hint' }, 'One graph per source: each node with its plugin; each edge is a port, labelled with the events that left by it since this weft started.'),
    lastReload(reload),
    sources.map((source, i) => h('section', { class: 'card' },
      h('h2', {}, source.name || source.id, ' ', h('code', {}, `/collect/${source.id}`), source.signed ? h('span', { class: 'chip' }, 'signed') : null),
      h('p', { class: 'hint' }, source.file), boxes[i])));
  // cytoscape measures its container: draw once the cards are in the page
  const graphs = sources.map((source, i) => workflowGraph(boxes[i], source));
  const status = h('p', { class: 'hint' });
  view.append(status);
  const refresh = async () => {
    try {
      const samples = parseMetrics(await metrics());
      for (const g of graphs) g.update(samples);
      status.textContent = `counts as of ${new Date().toLocaleTimeString()}`;
    } catch (e) {
      replace(status, problem(e));
    }
  };
  await refresh();
  const timer = setInterval(refresh, 2000);
  return () => {
    clearInterval(timer);
    for (const g of graphs) g.cy.destroy();
  };
}

function workflowGraph(container, source) {
  const elements = [];
  const ends = new Set();
  const edges = new Map();  // "node->target": the ports that lead there (one edge, one label)
  source.nodes.forEach((node, index) => {
    elements.push({ data: { id: node.id, label: `${node.id}\n${node.plugin}`, kind: index === 0 ? 'trigger' : 'node' } });
    for (const [port, to] of Object.entries(node.routes)) {
      let target = to;
      if (to in OUTCOMES) target = to === 'next' ? (source.nodes[index + 1]?.id ?? 'stored') : OUTCOMES[to];
      if (!source.nodes.some((n) => n.id === target)) ends.add(target);
      const id = `${node.id}->${target}`;
      if (!edges.has(id)) edges.set(id, { id, source: node.id, target, node: node.id, ports: [], kind: port === 'error' ? 'error' : 'route' });
      edges.get(id).ports.push(port);
    }
  });
  // Nodes in a row in their file's order, "stored" at the end, the other outcomes under the
  // first node that leads to them; an edge that skips nodes arcs over them.
  const column = new Map(source.nodes.map((n, i) => [n.id, i]));
  column.set('stored', source.nodes.length);
  for (const edge of edges.values()) if (!column.has(edge.target)) column.set(edge.target, column.get(edge.source) + 0.5);
  for (const end of ends) elements.push({ data: { id: end, label: end, kind: `end ${end}` } });
  for (const edge of edges.values())
    elements.push({ data: { ...edge, label: edge.ports.join(', '), arc: Number.isInteger(column.get(edge.target)) ? column.get(edge.target) - column.get(edge.source) : 0 } });
  const position = (id) => ({ x: column.get(id) * 230, y: Number.isInteger(column.get(id)) ? 0 : 110 });
  const cy = cytoscape({
    container,
    elements,
    layout: { name: 'preset', positions: (node) => position(node.id()), fit: true, padding: 24 },
    maxZoom: 1.1,
    userZoomingEnabled: false,
    style: [
      { selector: 'node', style: { label: 'data(label)', 'text-wrap': 'wrap', 'font-size': 10, 'text-valign': 'center', color: '#fff',
        shape: 'round-rectangle', width: 160, height: 36, 'background-color': '#334e68' } },
      { selector: 'node[kind = "trigger"]', style: { 'background-color': '#2563eb' } },
      { selector: 'node[kind ^= "end"]', style: { shape: 'ellipse', width: 70, height: 28, 'background-color': '#9aa5b1' } },
      { selector: 'node[kind = "end stored"]', style: { 'background-color': '#16a34a' } },
      { selector: 'node[kind = "end failed"]', style: { 'background-color': '#dc2626' } },
      { selector: 'edge', style: { width: 1.5, 'curve-style': 'bezier', 'target-arrow-shape': 'triangle', label: 'data(label)', 'font-size': 9,
        'text-background-color': '#fff', 'text-background-opacity': 1, 'line-color': '#9aa5b1', 'target-arrow-color': '#9aa5b1' } },
      { selector: 'edge[arc > 1], edge[arc < 0]', style: { 'curve-style': 'unbundled-bezier', 'control-point-distances': -50, 'control-point-weights': 0.5 } },
      { selector: 'edge[?used]', style: { width: 3, 'line-color': '#2563eb', 'target-arrow-color': '#2563eb' } },
      // errors only where some happened: every node has an error port
      { selector: 'edge[kind = "error"]', style: { 'line-style': 'dashed', 'line-color': '#dc2626', 'target-arrow-color': '#dc2626' } },
      { selector: 'edge[kind = "error"][!used], node[kind = "end failed"][!used]', style: { display: 'none' } },
    ],
  });
  container.dataset.nodes = cy.nodes().length;
  return {
    cy,
    update(samples) {
      let events = 0;
      cy.edges().forEach((edge) => {
        const counts = edge.data('ports').map((port) => [port, total(samples, 'weft_node_port_total', { workflow: source.id, node: edge.data('node'), port })]);
        const sum = counts.reduce((n, [, c]) => n + c, 0);
        events += sum;
        // the ports events took, or (none yet) where the edge comes from
        const taken = counts.filter(([, c]) => c > 0);
        edge.data({ label: taken.length ? taken.map(([port, c]) => `${port} ${c}`).join(', ') : edge.data('ports').join(', '), used: sum > 0 });
      });
      container.dataset.events = events;
      cy.$('node[kind = "end failed"]').data('used', cy.$('edge[kind = "error"][?used]').length > 0);
    },
  };
}
