// Layered layout with ELK: bases on the left, what is built on them to the right, as the instance graph's edges point.
// Runs in the page (a worker would need a blob: worker-src, which the strict CSP does not allow). ELK is started and
// warmed as soon as the page is up, not when the first graph arrives.
import type { ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api';
import type ElkConstructor from 'elkjs/lib/elk.bundled.js';

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

type Elk = InstanceType<typeof ElkConstructor>;
let elk: Promise<Elk> | undefined;

declare global {
  interface Window {
    /** Set by elk.js, ELK's UMD build, loaded by its own async script tag (#layout-engine). */
    ELK?: typeof ElkConstructor;
  }
}

/** ELK's constructor, once elk.js has run. */
function loadedElk(): Promise<typeof ElkConstructor> {
  return new Promise((resolve, reject) => {
    const ready = () => window.ELK && (resolve(window.ELK), true);
    if (ready()) return;
    const script = document.getElementById('layout-engine');
    if (!script) return reject(new Error('the page has no layout engine script (#layout-engine)'));
    script.addEventListener('load', () => ready() || reject(new Error('elk.js loaded but defined no ELK')));
    script.addEventListener('error', () => reject(new Error('elk.js could not be loaded')));
  });
}

/**
 * ELK, started and warmed once. Its 1.6 MB come in their own async script, which the browser fetches and compiles
 * beside the app's; `startLayoutEngine()`, called once the controls have painted, runs ELK's start-up and a tiny
 * layout through the same phases while the host is still gathering the first graph.
 */
export function startLayoutEngine(): Promise<Elk> {
  elk ??= loadedElk().then(async (ELK) => {
    performance.mark('elk-loaded');
    const engine = new ELK();
    // ELK's first run pays its start-up; the large graphs' option set is warmed next, after any graph already waiting.
    await engine.layout(rootOf(WARM_UP.nodes, WARM_UP.edges, options(false)));
    performance.mark('elk-ready');
    setTimeout(() => void engine.layout(rootOf(WARM_UP.nodes, WARM_UP.edges, options(true))).then(() => performance.mark('elk-warm-large')), 0);
    return engine;
  });
  return elk;
}

/** Above this many nodes, cheaper crossing minimisation and polyline routing keep a layout well under a second. */
const LARGE_GRAPH = 150;

function options(large: boolean): Record<string, string> {
  return {
    'elk.algorithm': 'layered',
    'elk.direction': 'RIGHT',
    'elk.layered.spacing.nodeNodeBetweenLayers': '60',
    'elk.spacing.nodeNode': '18',
    'elk.layered.thoroughness': large ? '1' : '7',
    'elk.edgeRouting': large ? 'POLYLINE' : 'ORTHOGONAL',
    'elk.padding': '[top=20,left=20,bottom=20,right=20]',
    // Each raid, lvstore or nvmf tree is its own component: laying them out one by one and packing them is cheaper
    // than one network-simplex layering and placement over the whole graph (and gives a wide, not a tall, drawing).
    'elk.separateConnectedComponents': 'true',
  };
}

function rootOf(nodes: readonly LayoutInputNode[], edges: readonly LayoutInputEdge[], layoutOptions: Record<string, string>): ElkNode {
  const known = new Set(nodes.map((n) => n.id));
  return {
    id: 'root',
    layoutOptions,
    children: nodes.map((n) => ({ id: n.id, width: n.width, height: n.height })),
    edges: edges.filter((e) => known.has(e.from) && known.has(e.to)).map((e): ElkExtendedEdge => ({ id: e.id, sources: [e.from], targets: [e.to] })),
  };
}

/** A base, a virtual bdev on it and an export of that: every phase the real graphs go through, in a few milliseconds. */
const WARM_UP: { nodes: LayoutInputNode[]; edges: LayoutInputEdge[] } = {
  nodes: ['base', 'member', 'raid', 'lvs', 'lvol', 'ns', 'lone'].map((id) => ({ id, width: 120, height: 44 })),
  edges: [
    { id: 'a', from: 'base', to: 'raid' },
    { id: 'b', from: 'member', to: 'raid' },
    { id: 'c', from: 'raid', to: 'lvs' },
    { id: 'd', from: 'lvs', to: 'lvol' },
    { id: 'e', from: 'lvol', to: 'ns' },
    { id: 'f', from: 'raid', to: 'ns' },
  ],
};

export async function layoutGraph(nodes: readonly LayoutInputNode[], edges: readonly LayoutInputEdge[]): Promise<GraphLayout> {
  const started = performance.now();
  const engine = await startLayoutEngine();
  const root = rootOf(nodes, edges, options(nodes.length > LARGE_GRAPH));
  const laid = await engine.layout(root);
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
