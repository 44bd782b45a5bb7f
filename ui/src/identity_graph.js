// "Why is this one person?": the profile, the profiles merged into it and the identifiers
// that tied them together, drawn with cytoscape.
import cytoscape from 'cytoscape';

export function identityGraph(container, profile, merges) {
  const elements = [];
  const nodes = new Set();
  const node = (id, data) => {
    if (nodes.has(id)) return;
    nodes.add(id);
    elements.push({ data: { id, ...data } });
  };
  const edges = new Set();
  const edge = (source, target, data = {}) => {
    const id = `${source}->${target}`;
    if (edges.has(id)) return;
    edges.add(id);
    elements.push({ data: { id, source, target, ...data } });
  };
  // UUIDv7 ids share their leading (time) digits: the end tells them apart
  const profileNode = (id, live) => node(`p:${id}`, { label: `profile …${id.slice(-6)}`, kind: live ? 'live' : 'merged' });
  const identifierNode = (type, value) => {
    const id = `i:${type}:${value}`;
    node(id, { label: `${type}:${value}`, kind: 'identifier' });
    return id;
  };

  profileNode(profile.id, true);
  for (const m of merges) {
    profileNode(m.survivor, m.survivor === profile.id);
    profileNode(m.merged, false);
    // what the merged profile held before it was merged
    for (const i of m.merged_snapshot.identifiers || []) edge(identifierNode(i.type, i.value), `p:${m.merged}`);
    edge(`p:${m.merged}`, `p:${m.survivor}`, { label: m.identifier ? `${m.identifier.type}:${m.identifier.value}` : 'by an operator', kind: 'merge' });
  }
  // every identifier is the live profile's now; draw it on the profile that brought it
  for (const i of profile.identifiers) {
    const id = identifierNode(i.type, i.value);
    if (!elements.some((e) => e.data.source === id)) edge(id, `p:${profile.id}`);
  }

  container.dataset.nodes = nodes.size;
  return cytoscape({
    container,
    elements,
    // the live profile on top, the profiles merged into it below, what each held below them
    layout: { name: 'breadthfirst', directed: false, roots: `[id = ${JSON.stringify(`p:${profile.id}`)}]`, padding: 20, spacingFactor: 1.2 },
    wheelSensitivity: 0.3,
    style: [
      { selector: 'node', style: { label: 'data(label)', 'font-size': 11, 'text-valign': 'bottom', 'text-margin-y': 4, color: '#1f2933' } },
      { selector: 'node[kind = "live"]', style: { 'background-color': '#2563eb', width: 34, height: 34, 'font-weight': 'bold' } },
      { selector: 'node[kind = "merged"]', style: { 'background-color': '#93c5fd', width: 26, height: 26 } },
      { selector: 'node[kind = "identifier"]', style: { 'background-color': '#f59e0b', shape: 'round-rectangle', width: 12, height: 12 } },
      { selector: 'edge', style: { width: 1.5, 'line-color': '#cbd2d9', 'curve-style': 'bezier' } },
      { selector: 'edge[kind = "merge"]', style: { 'line-style': 'dashed', 'line-color': '#2563eb', 'target-arrow-shape': 'triangle',
        'target-arrow-color': '#2563eb', label: 'data(label)', 'font-size': 10, 'text-rotation': 'autorotate', 'text-background-color': '#fff',
        'text-background-opacity': 1 } },
    ],
  });
}
