// Layered layout with ELK: bases on the left, what is built on them to the right, as the instance graph's edges point.
// Runs in the page (a worker would need a blob: worker-src, which the strict CSP does not allow).
import ELK from 'elkjs/lib/elk.bundled.js';
import type { ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api';

export interface LayoutInputNode {
  id: string;
  width: number;
  height: number;
}

export interface LayoutInputEdge {
  id: string;
  from: string;
  to: string;
}

export interface PlacedNode {
  id: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PlacedEdge {
  id: string;
  /** Polyline through the route's start, bend and end points. */
  points: { x: number; y: number }[];
}

export interface GraphLayout {
  width: number;
  height: number;
  nodes: Map<string, PlacedNode>;
  edges: PlacedEdge[];
  ms: number;
}

let elk: InstanceType<typeof ELK> | undefined;

/** Above this many nodes, cheaper crossing minimisation and polyline routing keep a layout well under a second. */
const LARGE_GRAPH = 150;

export async function layoutGraph(nodes: readonly LayoutInputNode[], edges: readonly LayoutInputEdge[]): Promise<GraphLayout> {
  const started = performance.now();
  elk ??= new ELK();
  const large = nodes.length > LARGE_GRAPH;
  const known = new Set(nodes.map((n) => n.id));
  const root: ElkNode = {
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      'elk.layered.spacing.nodeNodeBetweenLayers': '60',
      'elk.spacing.nodeNode': '18',
      'elk.layered.thoroughness': large ? '1' : '7',
      'elk.edgeRouting': large ? 'POLYLINE' : 'ORTHOGONAL',
      'elk.padding': '[top=20,left=20,bottom=20,right=20]',
      // Packing many small components (one per raid or lvstore tree) costs more than it saves on big graphs.
      'elk.separateConnectedComponents': large ? 'false' : 'true',
    },
    children: nodes.map((n) => ({ id: n.id, width: n.width, height: n.height })),
    edges: edges.filter((e) => known.has(e.from) && known.has(e.to)).map((e): ElkExtendedEdge => ({ id: e.id, sources: [e.from], targets: [e.to] })),
  };
  const laid = await elk.layout(root);
  const placed = new Map<string, PlacedNode>();
  for (const child of laid.children ?? []) placed.set(child.id, { id: child.id, x: child.x ?? 0, y: child.y ?? 0, width: child.width ?? 0, height: child.height ?? 0 });
  const placedEdges: PlacedEdge[] = [];
  for (const edge of laid.edges ?? []) {
    const points: { x: number; y: number }[] = [];
    for (const section of edge.sections ?? []) {
      points.push(section.startPoint, ...(section.bendPoints ?? []), section.endPoint);
    }
    placedEdges.push({ id: edge.id, points });
  }
  return { width: laid.width ?? 0, height: laid.height ?? 0, nodes: placed, edges: placedEdges, ms: performance.now() - started };
}
