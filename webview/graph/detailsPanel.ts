// The side panel for the selected node: what it is, its key fields and driver_specific as text, and the ways out
// to the code ("Open source": module struct, fn_table, function) and to the book ("Read chapter").
import type { GraphView, GraphViewNode } from '../../src/core/graph/graphViewProtocol';
import type { JsonValue } from '../../src/core/graph/instanceGraphTypes';
import { clear, custom, el } from './dom';
import { host } from './vscodeApi';

/** Fields worth a line of their own, in this order; everything else goes into the JSON block below. */
const KEY_FIELDS = ['productName', 'driverSpecificKey', 'state', 'claimed', 'claimType', 'block_size', 'num_blocks', 'uuid', 'missingReason', 'role', 'variable', 'meaning'];

function formatValue(value: JsonValue): string {
  return typeof value === 'string' ? value : JSON.stringify(value, null, 2);
}

export function renderDetails(panel: HTMLElement, node: GraphViewNode | undefined, view: GraphView | undefined): void {
  clear(panel);
  if (!node || !view) {
    panel.append(el('p', { class: 'hint' }, 'Select a node to see its details. Arrow keys move along edges; Enter opens its source.'));
    return;
  }
  panel.append(el('h2', { class: 'details-name' }, node.label), el('p', { class: 'details-subtitle' }, node.subtitle));
  const actions = el('div', { class: 'details-actions' });
  for (const link of node.links) {
    const button = custom('vscode-button', { appearance: 'secondary', title: `${link.file}:${link.line}` }, `Open ${link.label}`);
    button.addEventListener('click', () => host.postMessage({ type: 'openSource', file: link.file, line: link.line }));
    actions.append(button);
  }
  if (node.topic) {
    const topic = node.topic;
    const read = custom('vscode-button', { appearance: 'secondary' }, 'Read chapter');
    read.addEventListener('click', () => host.postMessage({ type: 'openTopic', topic }));
    actions.append(read);
  }
  if (actions.childElementCount > 0) panel.append(actions);
  if (node.links.length === 0 && node.kind !== 'bdev') panel.append(el('p', { class: 'hint' }, `No source link: ${node.module ? `module "${node.module}" is not a bdev module in the indexed tree` : 'the data does not name a module'}.`));

  const fields = el('dl', { class: 'details-fields' });
  const row = (key: string, value: string) => fields.append(el('dt', {}, key), el('dd', {}, value));
  if (node.label !== node.name) row('name', node.name);
  row('kind', node.kind.replace(/_/g, ' '));
  if (node.module) row('module', node.module);
  if (node.aliases.length > 0) row('aliases', node.aliases.join(', '));
  for (const key of KEY_FIELDS) {
    const value = node.details[key];
    if (value !== undefined && typeof value !== 'object') row(key, formatValue(value));
  }
  const incoming = view.edges.filter((e) => e.to === node.id);
  const outgoing = view.edges.filter((e) => e.from === node.id);
  const nameOf = (id: string) => view.nodes.find((n) => n.id === id)?.label ?? id;
  if (incoming.length > 0) row('built on', incoming.map((e) => `${nameOf(e.from)} (${e.kind})`).join(', '));
  if (outgoing.length > 0) row('base of', outgoing.map((e) => `${nameOf(e.to)} (${e.kind})`).join(', '));
  panel.append(fields);

  const rest = Object.entries(node.details).filter(([key, value]) => !(KEY_FIELDS.includes(key) && typeof value !== 'object'));
  for (const [key, value] of rest) {
    // A list of sentences (what a module consumes and exports, its hooks) reads better as a list than as JSON.
    const lines = Array.isArray(value) && value.every((v) => typeof v === 'string') ? (value as string[]) : undefined;
    panel.append(el('h3', {}, key.replace(/_/g, ' ')), lines ? el('ul', { class: 'details-list' }, ...lines.map((line) => el('li', {}, line))) : el('pre', { class: 'details-json' }, formatValue(value)));
  }
  const evidence = [...incoming, ...outgoing];
  if (evidence.length > 0) {
    panel.append(el('h3', {}, 'edge evidence'), el('ul', { class: 'details-evidence' }, ...evidence.map((e) => el('li', {}, `${nameOf(e.from)} → ${nameOf(e.to)}: ${e.evidence}`))));
  }
}
