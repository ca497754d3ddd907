// Graphviz DOT for an instance graph. Every id and label is a quoted DOT string, never an HTML label, so a bdev
// named `<img src=x onerror=...>` or `a" -> "b` stays text.
import type { InstanceGraph, InstanceNodeKind } from './instanceGraphTypes';

/** A DOT quoted string: backslash and quote escaped, line breaks as DOT's \n, other control characters replaced. */
export function dotQuote(text: string): string {
  const escaped = text
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\r\n|\r|\n/g, '\\n')
    .replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g, '\ufffd');
  return `"${escaped}"`;
}

const SHAPE: Record<InstanceNodeKind, string> = {
  bdev: 'box',
  lvstore: 'folder',
  nvmf_subsystem: 'component',
  nvmf_namespace: 'note',
  transport_address: 'ellipse',
  nvme_controller: 'box3d',
  vhost_controller: 'component',
  ublk_disk: 'cylinder',
};

export function instanceGraphToDot(graph: InstanceGraph): string {
  const lines = [
    `digraph ${dotQuote(`spdk ${graph.source.kind} ${graph.source.origin}`)} {`,
    '  rankdir=LR;',
    '  node [fontname="sans-serif", fontsize=10];',
    '  edge [fontname="sans-serif", fontsize=8];',
  ];
  for (const node of graph.nodes) {
    const subtitle = [node.kind === 'bdev' ? node.module || 'bdev' : node.kind, node.claimType ? `claimed ${node.claimType}` : '', node.missing ? 'missing' : '']
      .filter(Boolean)
      .join(', ');
    const label = `${node.name}\n${subtitle}`;
    const attributes = [`label=${dotQuote(label)}`, `shape=${SHAPE[node.kind]}`];
    if (node.missing) attributes.push('style=dashed');
    lines.push(`  ${dotQuote(node.id)} [${attributes.join(', ')}];`);
  }
  for (const edge of graph.edges) {
    lines.push(`  ${dotQuote(edge.from)} -> ${dotQuote(edge.to)} [label=${dotQuote(edge.index === undefined ? edge.kind : `${edge.kind} ${edge.index}`)}];`);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
