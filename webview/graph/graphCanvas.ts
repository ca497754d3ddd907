// The graph as SVG: nodes placed by ELK, edges as arrows from base to what is built on it; pan (drag), zoom (wheel,
// +/-), fit, a filter that dims what does not match, keyboard moves along edges, and a standalone SVG for export.
import type { GraphView, GraphViewNode } from '../../src/core/graph/graphViewProtocol';
import { svg } from './dom';
import { layoutGraph, type GraphLayout } from './layout';

const NODE_HEIGHT = 44;
const MIN_WIDTH = 110;
const MAX_WIDTH = 320;
/** One per source (tree, live, config): switching back and forth lays nothing out again. */
const KEPT_LAYOUTS = 3;

let measureContext: CanvasRenderingContext2D | null | undefined;

/** Width of a label in the page's font, so long bdev names and NQNs fit their box. */
function textWidth(text: string, font: string): number {
  measureContext ??= document.createElement('canvas').getContext('2d');
  if (!measureContext) return text.length * 7.5;
  measureContext.font = font;
  return measureContext.measureText(text).width;
}

/** A CSS class fragment from SPDK text: only [a-z0-9_-] survive. */
function token(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9_-]/g, '_');
}

export interface GraphCanvasEvents {
  onSelect(node: GraphViewNode | undefined): void;
  onActivate(node: GraphViewNode): void;
}

export class GraphCanvas {
  readonly element: SVGSVGElement;
  private readonly viewport: SVGGElement;
  private view: GraphView | undefined;
  private layout: GraphLayout | undefined;
  private nodeElements = new Map<string, SVGGElement>();
  private edgeElements: { from: string; to: string; element: SVGGElement }[] = [];
  private byId = new Map<string, GraphViewNode>();
  private selected: string | undefined;
  private matches = new Set<string>();
  private scale = 1;
  private tx = 0;
  private ty = 0;
  private generation = 0;
  /** Recent layouts by the boxes and edges they placed, oldest first. */
  private readonly layouts = new Map<string, GraphLayout>();

  constructor(private readonly events: GraphCanvasEvents) {
    this.element = svg('svg', { class: 'graph', role: 'application', 'aria-label': 'bdev graph: arrow keys move along edges, Enter opens details, F fits, + and - zoom', tabindex: '0' });
    const marker = svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: '10', refY: '5', markerWidth: '8', markerHeight: '8', orient: 'auto-start-reverse' }, svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'arrowhead' }));
    this.viewport = svg('g', { class: 'viewport' });
    this.element.append(svg('defs', {}, marker), this.viewport);
    this.installPanZoom();
    this.element.addEventListener('keydown', (event) => this.onKey(event));
  }

  get nodeCount(): number {
    return this.view?.nodes.length ?? 0;
  }

  /** Lays out and draws a graph; resolves with the layout time, or undefined if a newer graph replaced it meanwhile. */
  async render(view: GraphView, keepSelection: string | undefined): Promise<number | undefined> {
    const generation = ++this.generation;
    const font = getComputedStyle(document.body).font || '13px sans-serif';
    const sizes = view.nodes.map((n) => ({
      id: n.id,
      width: Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, Math.max(textWidth(n.label, `600 ${font}`), textWidth(n.subtitle, font)) + 24)),
      height: NODE_HEIGHT,
    }));
    const edges = view.edges.map((e, i) => ({ id: `e${i}`, from: e.from, to: e.to }));
    // A refresh that changed no box or edge (the live timer, a source picked again, the page shown again) keeps its
    // layout: only the drawing (names, states, details) is redone.
    const key = JSON.stringify([sizes, edges]);
    let layout = this.layouts.get(key);
    const kept = layout !== undefined;
    if (layout) {
      this.layouts.delete(key);
      layout = { ...layout, ms: 0 };
    } else layout = await layoutGraph(sizes, edges);
    this.layouts.set(key, layout);
    while (this.layouts.size > KEPT_LAYOUTS) this.layouts.delete(this.layouts.keys().next().value!);
    if (generation !== this.generation) return undefined;
    this.view = view;
    this.layout = layout;
    this.element.dataset.layout = kept ? 'kept' : 'elk';
    this.byId = new Map(view.nodes.map((n) => [n.id, n]));
    this.draw();
    this.selected = keepSelection && this.byId.has(keepSelection) ? keepSelection : undefined;
    this.markSelection();
    this.fit();
    return layout.ms;
  }

  private draw(): void {
    const view = this.view!;
    const layout = this.layout!;
    this.viewport.replaceChildren();
    this.nodeElements.clear();
    this.edgeElements = [];
    const edgeLayer = svg('g', { class: 'edges' });
    const nodeLayer = svg('g', { class: 'nodes' });
    layout.edges.forEach((placed) => {
      const edge = view.edges[Number(placed.id.slice(1))];
      if (!edge || placed.points.length < 2) return;
      const d = placed.points.map((p, i) => `${i === 0 ? 'M' : 'L'} ${p.x.toFixed(1)} ${p.y.toFixed(1)}`).join(' ');
      const title = `${this.byId.get(edge.from)?.label ?? edge.from} → ${this.byId.get(edge.to)?.label ?? edge.to}: ${edge.kind} (${edge.evidence})`;
      const group = svg('g', { class: `edge edge-${token(edge.kind)}`, 'data-from': edge.from, 'data-to': edge.to, 'data-kind': edge.kind }, svg('title', {}, title), svg('path', { d, 'marker-end': 'url(#arrow)' }));
      edgeLayer.append(group);
      this.edgeElements.push({ from: edge.from, to: edge.to, element: group });
    });
    for (const node of view.nodes) {
      const p = layout.nodes.get(node.id);
      if (!p) continue;
      const group = svg(
        'g',
        {
          class: `node kind-${token(node.kind)}${node.module ? ` module-${token(node.module)}` : ''}${node.missing ? ' missing' : ''}`,
          transform: `translate(${p.x.toFixed(1)} ${p.y.toFixed(1)})`,
          'data-id': node.id,
          role: 'button',
          'aria-label': `${node.label}, ${node.subtitle}`,
        },
        svg('title', {}, [node.name, ...node.aliases].join('\n')),
        svg('rect', { width: p.width, height: p.height, rx: 4, ry: 4 }),
        svg('text', { x: 10, y: 18, class: 'name' }, clip(node.label, p.width)),
        svg('text', { x: 10, y: 35, class: 'subtitle' }, clip(node.subtitle, p.width)),
      );
      group.addEventListener('click', (event) => {
        event.stopPropagation();
        this.select(node.id);
        this.element.focus({ preventScroll: true });
      });
      group.addEventListener('dblclick', () => this.events.onActivate(node));
      nodeLayer.append(group);
      this.nodeElements.set(node.id, group);
    }
    this.viewport.append(edgeLayer, nodeLayer);
    this.applyFilterClasses();
  }

  /** Dims nodes and edges the filter does not match; returns how many nodes match ('' matches all). */
  setFilter(text: string): number {
    const needle = text.trim().toLowerCase();
    this.matches = new Set(
      (this.view?.nodes ?? [])
        .filter((n) => needle === '' || [n.name, n.label, n.module, n.kind, n.subtitle, ...n.aliases].some((s) => s.toLowerCase().includes(needle)))
        .map((n) => n.id),
    );
    this.applyFilterClasses();
    return this.matches.size;
  }

  firstMatch(): string | undefined {
    return this.view?.nodes.find((n) => this.matches.has(n.id))?.id;
  }

  private applyFilterClasses(): void {
    const all = this.matches.size === 0 || this.matches.size === this.nodeElements.size;
    for (const [id, element] of this.nodeElements) element.classList.toggle('dimmed', !all && !this.matches.has(id));
    for (const e of this.edgeElements) e.element.classList.toggle('dimmed', !all && !(this.matches.has(e.from) && this.matches.has(e.to)));
  }

  select(id: string | undefined, reveal = false): void {
    this.selected = id && this.byId.has(id) ? id : undefined;
    this.markSelection();
    if (reveal && this.selected) this.reveal(this.selected);
    this.events.onSelect(this.selected ? this.byId.get(this.selected) : undefined);
  }

  get selectedId(): string | undefined {
    return this.selected;
  }

  private markSelection(): void {
    for (const [id, element] of this.nodeElements) element.classList.toggle('selected', id === this.selected);
    for (const e of this.edgeElements) e.element.classList.toggle('adjacent', this.selected !== undefined && (e.from === this.selected || e.to === this.selected));
  }

  /** Arrow keys follow edges: right to what is built on the node, left to its bases; up/down to the nearest node above/below. */
  private onKey(event: KeyboardEvent): void {
    const key = event.key;
    if (key === '+' || key === '=') this.zoomBy(1.2);
    else if (key === '-') this.zoomBy(1 / 1.2);
    else if (key === 'f' || key === 'F') this.fit();
    else if (key === 'Enter' && this.selected) this.events.onActivate(this.byId.get(this.selected)!);
    else if (key === 'Escape') this.select(undefined);
    else if (key.startsWith('Arrow')) {
      const next = this.neighbour(key);
      if (next) this.select(next, true);
    } else return;
    event.preventDefault();
  }

  private neighbour(key: string): string | undefined {
    const layout = this.layout;
    if (!layout || !this.view) return undefined;
    const order = this.view.nodes.map((n) => n.id).filter((id) => layout.nodes.has(id));
    if (!this.selected) return order.find((id) => this.matches.size === 0 || this.matches.has(id)) ?? order[0];
    const here = layout.nodes.get(this.selected)!;
    const centre = (id: string) => {
      const p = layout.nodes.get(id)!;
      return { x: p.x + p.width / 2, y: p.y + p.height / 2 };
    };
    const c = centre(this.selected);
    let candidates: string[];
    if (key === 'ArrowRight') candidates = this.edgeElements.filter((e) => e.from === this.selected).map((e) => e.to);
    else if (key === 'ArrowLeft') candidates = this.edgeElements.filter((e) => e.to === this.selected).map((e) => e.from);
    else {
      const down = key === 'ArrowDown';
      candidates = order.filter((id) => id !== this.selected && (down ? centre(id).y > here.y + here.height / 2 : centre(id).y < here.y + here.height / 2));
    }
    const distance = (id: string) => {
      const p = centre(id);
      return Math.abs(p.y - c.y) + Math.abs(p.x - c.x) * (key === 'ArrowUp' || key === 'ArrowDown' ? 2 : 0.5);
    };
    return candidates.filter((id) => layout.nodes.has(id)).sort((a, b) => distance(a) - distance(b))[0];
  }

  private installPanZoom(): void {
    let drag: { x: number; y: number; tx: number; ty: number } | undefined;
    this.element.addEventListener('pointerdown', (event) => {
      if ((event.target as Element).closest('.node')) return;
      drag = { x: event.clientX, y: event.clientY, tx: this.tx, ty: this.ty };
      this.element.setPointerCapture(event.pointerId);
      this.element.classList.add('panning');
    });
    this.element.addEventListener('pointermove', (event) => {
      if (!drag) return;
      this.tx = drag.tx + event.clientX - drag.x;
      this.ty = drag.ty + event.clientY - drag.y;
      this.applyTransform();
    });
    const end = () => {
      drag = undefined;
      this.element.classList.remove('panning');
    };
    this.element.addEventListener('pointerup', end);
    this.element.addEventListener('pointercancel', end);
    this.element.addEventListener('click', (event) => {
      if (event.target === this.element) this.select(undefined);
    });
    this.element.addEventListener(
      'wheel',
      (event) => {
        event.preventDefault();
        const rect = this.element.getBoundingClientRect();
        this.zoomBy(Math.exp(-event.deltaY / 400), event.clientX - rect.left, event.clientY - rect.top);
      },
      { passive: false },
    );
  }

  zoomBy(factor: number, cx?: number, cy?: number): void {
    const rect = this.element.getBoundingClientRect();
    const x = cx ?? rect.width / 2;
    const y = cy ?? rect.height / 2;
    const next = Math.min(4, Math.max(0.05, this.scale * factor));
    const k = next / this.scale;
    this.tx = x - (x - this.tx) * k;
    this.ty = y - (y - this.ty) * k;
    this.scale = next;
    this.applyTransform();
  }

  fit(): void {
    const layout = this.layout;
    if (!layout) return;
    const rect = this.element.getBoundingClientRect();
    const width = rect.width || 800;
    const height = rect.height || 600;
    this.scale = Math.min(1.5, Math.max(0.05, Math.min(width / Math.max(1, layout.width), height / Math.max(1, layout.height))));
    this.tx = (width - layout.width * this.scale) / 2;
    this.ty = (height - layout.height * this.scale) / 2;
    this.applyTransform();
  }

  private reveal(id: string): void {
    const p = this.layout?.nodes.get(id);
    if (!p) return;
    const rect = this.element.getBoundingClientRect();
    const left = p.x * this.scale + this.tx;
    const top = p.y * this.scale + this.ty;
    const right = left + p.width * this.scale;
    const bottom = top + p.height * this.scale;
    if (left >= 0 && top >= 0 && right <= rect.width && bottom <= rect.height) return;
    this.tx = rect.width / 2 - (p.x + p.width / 2) * this.scale;
    this.ty = rect.height / 2 - (p.y + p.height / 2) * this.scale;
    this.applyTransform();
  }

  private applyTransform(): void {
    this.viewport.setAttribute('transform', `translate(${this.tx.toFixed(1)} ${this.ty.toFixed(1)}) scale(${this.scale.toFixed(4)})`);
  }

  /** The drawing as a standalone SVG file: theme colours resolved into attributes, no transform, no script. */
  exportSvg(): string | undefined {
    const layout = this.layout;
    if (!layout) return undefined;
    const copy = this.viewport.cloneNode(true) as SVGGElement;
    copy.removeAttribute('transform');
    copy.removeAttribute('class');
    // Resolve CSS variables now: outside the webview the theme's custom properties do not exist.
    const originals = this.viewport.querySelectorAll<SVGElement>('rect, path, text');
    const copies = copy.querySelectorAll<SVGElement>('rect, path, text');
    originals.forEach((original, i) => {
      const style = getComputedStyle(original);
      const target = copies[i];
      target.setAttribute('fill', style.fill);
      target.setAttribute('stroke', style.stroke);
      target.setAttribute('stroke-width', style.strokeWidth);
      target.setAttribute('opacity', style.opacity);
      if (original.tagName === 'text') target.setAttribute('font-family', style.fontFamily), target.setAttribute('font-size', style.fontSize), target.setAttribute('font-weight', style.fontWeight);
      if (style.strokeDasharray && style.strokeDasharray !== 'none') target.setAttribute('stroke-dasharray', style.strokeDasharray);
    });
    for (const element of copy.querySelectorAll('[class]')) element.removeAttribute('class');
    const arrow = this.element.querySelector('.arrowhead');
    const defs = this.element.querySelector('defs')!.cloneNode(true) as SVGDefsElement;
    if (arrow) defs.querySelector('.arrowhead')?.setAttribute('fill', getComputedStyle(arrow).fill);
    for (const element of defs.querySelectorAll('[class]')) element.removeAttribute('class');
    const background = getComputedStyle(document.body).backgroundColor;
    const out = svg('svg', { xmlns: 'http://www.w3.org/2000/svg', width: Math.ceil(layout.width), height: Math.ceil(layout.height), viewBox: `0 0 ${Math.ceil(layout.width)} ${Math.ceil(layout.height)}` });
    out.append(defs, svg('rect', { width: '100%', height: '100%', fill: background }), copy);
    return `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(out)}\n`;
  }
}

/** Shortens a label to its box (the full text stays in the node's title and the details panel). */
function clip(text: string, width: number): string {
  const max = Math.max(8, Math.floor((width - 16) / 6.5));
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
