// The bdev graph panel's page: two tabs (Graph, Runtime), a source picker (source tree / live socket / config file),
// refresh, filter, fit and export; everything it shows arrives by postMessage from the host and is drawn as text.
import { isGraphSourceKind, type GraphPanelError, type GraphPanelSettings, type GraphSourceKind, type GraphView, type GraphViewState, type HostToGraphView, type RuntimeView } from '../../src/core/graph/graphViewProtocol';
import { renderDetails } from './detailsPanel';
import { clear, custom, el } from './dom';
import { GraphCanvas } from './graphCanvas';
import { startLayoutEngine } from './layout';
import { renderRuntime } from './runtimePanel';
import { registerToolkit } from './toolkit/controls';
import { host } from './vscodeApi';

const SOURCE_LABELS: Record<GraphSourceKind, string> = {
  tree: 'Source tree (bdev modules)',
  live: 'Live target (RPC socket)',
  config: 'Saved config (save_config JSON)',
};

function restoredState(): GraphViewState {
  const saved = host.getState() as Partial<GraphViewState> | undefined;
  return {
    source: isGraphSourceKind(saved?.source) ? saved.source : 'tree',
    tab: saved?.tab === 'runtime' ? 'runtime' : 'graph',
    filter: typeof saved?.filter === 'string' ? saved.filter : '',
    selected: typeof saved?.selected === 'string' ? saved.selected : undefined,
    configPath: typeof saved?.configPath === 'string' ? saved.configPath : undefined,
  };
}

class GraphApp {
  private state = restoredState();
  private settings: GraphPanelSettings | undefined;
  private view: GraphView | undefined;
  private runtime: RuntimeView | undefined;
  /** Why the live source has no runtime to show (its last error), so a stale runtime is not shown as current. */
  private runtimeError: string | undefined;
  private readonly canvas: GraphCanvas;
  private readonly sourcePicker = custom('vscode-dropdown', { id: 'source', 'aria-label': 'Graph source' }, ...(['tree', 'live', 'config'] as const).map((s) => custom('vscode-option', { value: s }, SOURCE_LABELS[s])));
  private readonly refreshButton = custom('vscode-button', { id: 'refresh', appearance: 'secondary', title: 'Ask the source again' }, 'Refresh');
  private readonly pickConfigButton = custom('vscode-button', { id: 'pick-config', appearance: 'secondary' }, 'Choose config…');
  private readonly filterField = custom('vscode-text-field', { id: 'filter', placeholder: 'Filter by name or module', 'aria-label': 'Filter nodes by name or module' });
  private readonly matchCount = el('span', { class: 'match-count', 'aria-live': 'polite' });
  private readonly status = el('div', { class: 'status', id: 'status', 'aria-live': 'polite' });
  private readonly notes = el('div', { class: 'notes', id: 'notes' });
  private readonly errorBox = el('div', { class: 'error-box', id: 'error', role: 'alert', hidden: '' });
  private readonly details = el('aside', { class: 'details', id: 'details', 'aria-label': 'Node details' });
  private readonly runtimeContent = el('div', { class: 'runtime', id: 'runtime' });
  private readonly tabs: HTMLElement;

  constructor(root: HTMLElement) {
    this.canvas = new GraphCanvas({
      onSelect: (node) => {
        this.state.selected = node?.id;
        this.save();
        renderDetails(this.details, node, this.view);
      },
      onActivate: (node) => {
        const link = node.links[0];
        if (link) host.postMessage({ type: 'openSource', file: link.file, line: link.line });
      },
    });
    const fitButton = custom('vscode-button', { id: 'fit', appearance: 'secondary', title: 'Fit the graph in view (F)' }, 'Fit');
    const exportButton = custom('vscode-button', { id: 'export', appearance: 'secondary', title: 'Save the drawing as an SVG file' }, 'Export SVG');
    const toolbar = el('div', { class: 'toolbar' }, this.sourcePicker, this.refreshButton, this.pickConfigButton, this.filterField, this.matchCount, el('span', { class: 'spacer' }), fitButton, exportButton);
    const graphView = custom('vscode-panel-view', { id: 'view-graph' }, el('div', { class: 'graph-page' }, toolbar, this.status, this.errorBox, this.notes, el('div', { class: 'graph-main' }, el('div', { class: 'canvas-box' }, this.canvas.element), this.details)));
    const runtimeRefresh = custom('vscode-button', { appearance: 'secondary', id: 'runtime-refresh' }, 'Refresh');
    const runtimeView = custom('vscode-panel-view', { id: 'view-runtime' }, el('div', { class: 'runtime-page' }, el('div', { class: 'toolbar' }, runtimeRefresh), this.runtimeContent));
    this.tabs = custom(
      'vscode-panels',
      { activeid: this.state.tab === 'runtime' ? 'tab-runtime' : 'tab-graph', 'aria-label': 'Bdev graph views' },
      custom('vscode-panel-tab', { id: 'tab-graph' }, 'Graph'),
      custom('vscode-panel-tab', { id: 'tab-runtime' }, 'Runtime'),
      graphView,
      runtimeView,
    );
    // The page paints a loading line before this script is parsed; the app replaces it.
    root.replaceChildren(this.tabs);

    this.sourcePicker.setAttribute('value', this.state.source);
    this.filterField.setAttribute('value', this.state.filter);
    this.sourcePicker.addEventListener('change', () => {
      const value = (this.sourcePicker as HTMLElement & { value: string }).value;
      if (isGraphSourceKind(value) && value !== this.state.source) this.selectSource(value);
    });
    this.refreshButton.addEventListener('click', () => host.postMessage({ type: 'refresh' }));
    runtimeRefresh.addEventListener('click', () => host.postMessage({ type: 'refresh' }));
    this.pickConfigButton.addEventListener('click', () => host.postMessage({ type: 'pickConfig' }));
    this.filterField.addEventListener('input', () => this.applyFilter((this.filterField as HTMLElement & { value: string }).value));
    this.filterField.addEventListener('keydown', (event) => {
      if (event.key !== 'Enter') return;
      const first = this.canvas.firstMatch();
      if (first) this.canvas.select(first, true);
      this.canvas.element.focus();
    });
    fitButton.addEventListener('click', () => this.canvas.fit());
    exportButton.addEventListener('click', () => {
      const text = this.canvas.exportSvg();
      if (text) host.postMessage({ type: 'exportSvg', svg: text, suggestedName: `spdk-${this.state.source}-graph.svg` });
    });
    this.tabs.addEventListener('change', () => {
      const active = (this.tabs as HTMLElement & { activeid?: string }).activeid;
      this.state.tab = active === 'tab-runtime' ? 'runtime' : 'graph';
      this.save();
    });
    document.addEventListener('keydown', (event) => {
      if (event.key === '/' && !(event.target instanceof HTMLInputElement) && (event.target as Element | null)?.tagName !== 'VSCODE-TEXT-FIELD') {
        event.preventDefault();
        this.filterField.focus();
      }
    });
    window.addEventListener('message', (event: MessageEvent<HostToGraphView>) => this.onMessage(event.data));
    window.addEventListener('resize', () => this.canvas.fit());
    this.updateControls();
    renderDetails(this.details, undefined, undefined);
    renderRuntime(this.runtimeContent, undefined, 'Waiting for the host…');
    this.setStatus('Waiting for the host…');
    host.postMessage({ type: 'ready' });
    // While the host gathers the first graph: start ELK once the controls have painted (a hidden page may never
    // paint; its first graph then starts ELK itself).
    requestAnimationFrame(() => setTimeout(() => void startLayoutEngine(), 0));
  }

  private save(): void {
    host.setState(this.state);
  }

  private selectSource(source: GraphSourceKind): void {
    this.state.source = source;
    this.state.selected = undefined;
    this.save();
    this.view = undefined;
    this.updateControls();
    host.postMessage({ type: 'selectSource', source });
  }

  private updateControls(): void {
    this.pickConfigButton.hidden = this.state.source !== 'config';
    (this.sourcePicker as HTMLElement & { value: string }).value = this.state.source;
    this.renderRuntimeTab();
  }

  private renderRuntimeTab(): void {
    const why =
      this.state.source !== 'live'
        ? 'The runtime view (reactors, threads, pollers, io_channels) comes from a running target: choose "Live target (RPC socket)" as the source.'
        : this.settings && !this.settings.trusted
          ? 'Live access needs a trusted workspace.'
          : (this.runtimeError ?? 'No runtime data yet: refresh once the target answers.');
    renderRuntime(this.runtimeContent, this.state.source === 'live' ? this.runtime : undefined, why);
  }

  private applyFilter(text: string): void {
    this.state.filter = text;
    this.save();
    const count = this.canvas.setFilter(text);
    this.matchCount.textContent = text.trim() === '' ? '' : `${count} of ${this.canvas.nodeCount} match`;
  }

  private setStatus(text: string): void {
    this.status.textContent = text;
  }

  private showError(error: GraphPanelError | undefined): void {
    clear(this.errorBox);
    this.errorBox.hidden = !error;
    if (!error) return;
    this.errorBox.dataset.code = error.code;
    this.errorBox.append(el('strong', {}, error.title), el('p', {}, error.message));
    if (error.hint) this.errorBox.append(el('p', { class: 'hint' }, error.hint));
    const labels: Record<NonNullable<GraphPanelError['action']>, string> = { openSettings: 'Open RPC Settings', pickConfig: 'Choose Another Config…', manageTrust: 'Manage Workspace Trust', refresh: 'Try Again' };
    if (error.action) {
      const action = error.action;
      const button = custom('vscode-button', {}, labels[action]);
      button.addEventListener('click', () => host.postMessage(action === 'refresh' ? { type: 'refresh' } : { type: action }));
      this.errorBox.append(button);
    }
  }

  private onMessage(message: HostToGraphView): void {
    switch (message.type) {
      case 'settings':
        this.settings = message.settings;
        if (message.source !== this.state.source) {
          this.state.source = message.source;
          this.save();
        }
        this.state.configPath = message.settings.configPath;
        this.updateControls();
        this.renderNotes();
        break;
      case 'loading':
        if (message.source !== this.state.source) return;
        this.setStatus(message.message);
        document.body.classList.add('loading');
        break;
      case 'error':
        if (message.source !== this.state.source) return;
        document.body.classList.remove('loading');
        this.showError(message.error);
        this.setStatus(`${SOURCE_LABELS[message.source]}: ${message.error.title}`);
        if (message.source === 'live') {
          this.runtime = undefined;
          this.runtimeError = `${message.error.title}: ${message.error.message}`;
          this.renderRuntimeTab();
        }
        break;
      case 'graph':
        if (message.view.source !== this.state.source) return;
        void this.showGraph(message.view, message.at);
        break;
      case 'runtime':
        this.runtime = message.view;
        this.runtimeError = undefined;
        this.renderRuntimeTab();
        break;
    }
  }

  private renderNotes(): void {
    clear(this.notes);
    const s = this.settings;
    if (this.state.source === 'live' && s && !s.trusted) {
      this.notes.append(el('p', { class: 'note' }, 'Live access is off in Restricted Mode: connecting to an RPC socket named by this workspace\'s settings needs a trusted workspace.'));
      const trust = custom('vscode-button', { appearance: 'secondary' }, 'Manage Workspace Trust');
      trust.addEventListener('click', () => host.postMessage({ type: 'manageTrust' }));
      this.notes.append(trust);
    }
    const view = this.view;
    if (!view) return;
    if (view.skipped.length > 0) this.notes.append(el('p', { class: 'note' }, `Skipped (the target lacks them): ${view.skipped.map((m) => m.method).join(', ')}`));
    if (view.problems.length > 0) {
      const list = el('details', { class: 'problems' }, el('summary', {}, `${view.problems.length} problem${view.problems.length === 1 ? '' : 's'} in the data`), el('ul', {}, ...view.problems.map((p) => el('li', {}, p))));
      this.notes.append(list);
    }
  }

  private async showGraph(view: GraphView, at: string): Promise<void> {
    this.view = view;
    this.showError(undefined);
    const layoutMs = await this.canvas.render(view, this.state.selected);
    if (layoutMs === undefined || this.view !== view) return;
    document.body.classList.remove('loading');
    this.applyFilter(this.state.filter);
    renderDetails(this.details, view.nodes.find((n) => n.id === this.canvas.selectedId), view);
    const edges = view.edges.length;
    const what = view.source === 'tree' ? 'module graph of' : view.source === 'live' ? 'live graph of' : 'graph of config';
    this.setStatus(`${view.nodes.length} nodes, ${edges} edges: ${what} ${view.origin} (${at}; layout ${Math.round(layoutMs)} ms)`);
    this.renderNotes();
    this.canvas.element.dataset.renderedNodes = String(view.nodes.length);
    this.canvas.element.dataset.layoutMs = layoutMs.toFixed(1);
    document.body.dataset.firstGraphMs ??= performance.now().toFixed(1);
    document.body.dataset.rendered = String(Number(document.body.dataset.rendered ?? '0') + 1);
  }
}

registerToolkit();
new GraphApp(document.getElementById('app') ?? document.body);
