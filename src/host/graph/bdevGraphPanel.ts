// "SPDK Lens: Show Bdev Graph": one webview panel drawing the module graph of the open SPDK tree, the live graph and
// runtime of a running target (RPC socket, trusted workspaces only), or the graph a saved config builds. Data goes to
// the page only by postMessage; the page keeps its own state, and a serializer brings the panel back after a reload.
import * as vscode from 'vscode';
import { buildConfigGraph, parseSpdkConfig } from '../../core/graph/configGraph';
import { gatherLiveBundle, gatherRuntimeBundle } from '../../core/graph/gatherLive';
import { describeGraphError, instanceGraphView, moduleGraphView, runtimeView } from '../../core/graph/graphView';
import { isGraphSourceKind, type GraphPanelError, type GraphPanelSettings, type GraphSourceKind, type GraphViewState, type GraphViewToHost, type HostToGraphView } from '../../core/graph/graphViewProtocol';
import { buildLiveGraph } from '../../core/graph/liveGraph';
import { moduleGraphOf } from '../../core/graph/moduleGraph';
import { pollerNameRegistrations } from '../../core/graph/pollerNames';
import { buildRuntimeModel } from '../../core/graph/runtimeModel';
import { BOOK_TOPICS } from '../../core/knowledge/contextKinds';
import { SpdkRpcClient } from '../../core/rpc/spdkRpcClient';
import { COMMAND } from '../../shared/commandIds';
import type { LensConfig } from '../config';
import type { WorkspaceIndex } from '../workspaceIndex';
import { graphPageHtml, newNonce } from './graphPageHtml';

const VIEW_TYPE = 'spdkLens.bdevGraph';
/** Per call; a target that takes longer than this to list its bdevs is stalled, not busy. */
const LIVE_TIMEOUT_MS = 10_000;

/** Where the built page script, ELK and the stylesheet are (dist/webview). */
function webviewRootOf(context: vscode.ExtensionContext): vscode.Uri {
  return vscode.Uri.joinPath(context.extensionUri, 'dist', 'webview');
}

/** Scripts on; the page may load only the built webview files and media/. */
function graphWebviewOptions(context: vscode.ExtensionContext): vscode.WebviewOptions {
  return { enableScripts: true, localResourceRoots: [webviewRootOf(context), vscode.Uri.joinPath(context.extensionUri, 'media')] };
}

function timeNow(): string {
  return new Date().toLocaleTimeString();
}

class BdevGraphPanel implements vscode.Disposable {
  private source: GraphSourceKind;
  private configUri: vscode.Uri | undefined;
  /** The last message per source, re-sent when the page reloads (hide/show) instead of asking again. */
  private readonly lastMessages = new Map<GraphSourceKind, HostToGraphView[]>();
  private readonly disposables: vscode.Disposable[] = [];
  private loading: AbortController | undefined;
  private timer: NodeJS.Timeout | undefined;
  private treeReload: NodeJS.Timeout | undefined;
  private disposed = false;

  constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly context: vscode.ExtensionContext,
    private readonly workspace: WorkspaceIndex,
    private readonly config: LensConfig,
    private readonly log: vscode.LogOutputChannel,
    private readonly onDispose: () => void,
    state: Partial<GraphViewState> | undefined,
  ) {
    this.source = isGraphSourceKind(state?.source) ? state.source : 'tree';
    if (typeof state?.configPath === 'string' && state.configPath) this.configUri = vscode.Uri.file(state.configPath);
    panel.webview.options = graphWebviewOptions(context);
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((message: GraphViewToHost) => void this.onMessage(message)),
      panel.onDidChangeViewState(() => this.armTimer()),
      workspace.onDidChange(() => {
        // Labels changed (an edit, a re-index): the module graph may have too; coalesce bursts of file updates.
        this.lastMessages.delete('tree');
        if (this.source !== 'tree') return;
        clearTimeout(this.treeReload);
        this.treeReload = setTimeout(() => void this.load(), 500);
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => {
        this.postSettings();
        if (this.source === 'live') void this.load();
      }),
    );
    this.render();
  }

  /** A fresh page (and nonce); the page asks for its data with 'ready'. */
  private render(): void {
    const webview = this.panel.webview;
    const webviewRoot = webviewRootOf(this.context);
    webview.html = graphPageHtml({
      cspSource: webview.cspSource,
      nonce: newNonce(),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(webviewRoot, 'graph.js')).toString(),
      layoutEngineUri: webview.asWebviewUri(vscode.Uri.joinPath(webviewRoot, 'elk.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(webviewRoot, 'graph.css')).toString(),
    });
  }

  reveal(): void {
    this.panel.reveal();
  }

  /** After a settings change (this.config holds the new values). */
  configChanged(previous: LensConfig): void {
    if (previous.rpcAddress === this.config.rpcAddress && previous.graphRefreshSeconds === this.config.graphRefreshSeconds) return;
    this.postSettings();
    this.armTimer();
    if (previous.rpcAddress !== this.config.rpcAddress && this.source === 'live') void this.load();
  }

  /** Shows a saved config (from the explorer, the active editor, or an open dialog). */
  async showConfig(uri: vscode.Uri): Promise<void> {
    this.configUri = uri;
    await this.selectSource('config');
  }

  private settings(): GraphPanelSettings {
    const settings: GraphPanelSettings = { trusted: vscode.workspace.isTrusted, address: this.config.rpcAddress, refreshSeconds: this.config.graphRefreshSeconds };
    if (this.configUri) settings.configPath = this.configUri.fsPath;
    return settings;
  }

  private postSettings(): void {
    this.post({ type: 'settings', settings: this.settings(), source: this.source });
  }

  private post(message: HostToGraphView): void {
    if (this.disposed) return;
    if (message.type === 'graph' || message.type === 'error' || message.type === 'runtime') {
      const source = message.type === 'graph' ? message.view.source : message.type === 'error' ? message.source : 'live';
      const kept = (this.lastMessages.get(source) ?? []).filter((m) => (message.type === 'runtime' ? m.type !== 'runtime' : m.type === 'runtime'));
      this.lastMessages.set(source, [...kept, message]);
    }
    void this.panel.webview.postMessage(message);
  }

  private async selectSource(source: GraphSourceKind): Promise<void> {
    this.source = source;
    this.postSettings();
    this.armTimer();
    await this.load();
  }

  private async onMessage(message: GraphViewToHost): Promise<void> {
    switch (message.type) {
      case 'ready': {
        this.postSettings();
        const cached = this.lastMessages.get(this.source);
        if (cached && cached.length > 0) for (const m of cached) void this.panel.webview.postMessage(m);
        else await this.load();
        this.armTimer();
        return;
      }
      case 'selectSource':
        if (isGraphSourceKind(message.source)) await this.selectSource(message.source);
        return;
      case 'refresh':
        await this.load();
        return;
      case 'pickConfig': {
        const picked = await pickConfigFile(this.configUri);
        if (picked) await this.showConfig(picked);
        return;
      }
      case 'openSettings':
        await vscode.commands.executeCommand('workbench.action.openSettings', 'spdkLens.rpc.address');
        return;
      case 'manageTrust':
        await vscode.commands.executeCommand('workbench.trust.manage');
        return;
      case 'openSource':
        if (typeof message.file === 'string' && typeof message.line === 'number') await vscode.commands.executeCommand(COMMAND.openLocation, message.file, message.line);
        return;
      case 'openTopic':
        if (typeof message.topic === 'string' && message.topic in BOOK_TOPICS) await vscode.commands.executeCommand(COMMAND.openBookTopic, message.topic);
        return;
      case 'exportSvg':
        await this.exportSvg(message.svg, message.suggestedName);
        return;
    }
  }

  private async exportSvg(svg: unknown, suggestedName: unknown): Promise<void> {
    if (typeof svg !== 'string' || !svg.startsWith('<?xml')) return;
    const name = typeof suggestedName === 'string' && /^[\w.-]+\.svg$/.test(suggestedName) ? suggestedName : 'spdk-graph.svg';
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const target = await vscode.window.showSaveDialog({ defaultUri: folder ? vscode.Uri.joinPath(folder, name) : undefined, filters: { 'SVG image': ['svg'] }, title: 'Export the bdev graph as SVG' });
    if (!target) return;
    try {
      await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(svg));
      void vscode.window.showInformationMessage(`SPDK Lens: bdev graph saved to ${target.fsPath}`);
    } catch (error) {
      void vscode.window.showErrorMessage(`SPDK Lens: could not save ${target.fsPath}: ${(error as Error).message}`);
    }
  }

  /** Refreshes the live graph every spdkLens.graph.refreshSeconds while the panel is visible. */
  private armTimer(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    const refreshSeconds = this.config.graphRefreshSeconds;
    if (this.disposed || this.source !== 'live' || refreshSeconds === 0 || !this.panel.visible || !vscode.workspace.isTrusted) return;
    this.timer = setInterval(() => {
      if (!this.loading) void this.load(true);
    }, refreshSeconds * 1000);
  }

  private async load(quiet = false): Promise<void> {
    this.loading?.abort();
    const abort = new AbortController();
    this.loading = abort;
    const source = this.source;
    try {
      if (source === 'tree') await this.loadTree();
      else if (source === 'live') await this.loadLive(abort.signal, quiet);
      else await this.loadConfig();
    } catch (error) {
      if (abort.signal.aborted) return;
      this.log.warn(`bdev graph (${source}): ${(error as Error).message}`);
      this.post({ type: 'error', source, error: describeGraphError(error) });
    } finally {
      if (this.loading === abort) this.loading = undefined;
    }
  }

  private async loadTree(): Promise<void> {
    const index = this.workspace.ready;
    if (!index) {
      const state = this.workspace.state;
      const error: GraphPanelError =
        state === 'no_root'
          ? { code: 'no_index', title: 'No SPDK tree', message: 'No folder of this workspace holds include/spdk/thread.h, so there are no bdev modules to draw.', hint: 'Open an SPDK checkout, or set spdkLens.root; a live target or a saved config can still be drawn.' }
          : { code: 'no_index', title: state === 'indexing' || state === 'idle' ? 'Indexing…' : 'No index', message: state === 'indexing' || state === 'idle' ? 'The SPDK tree is being indexed; the module graph appears when it is ready.' : `The index is ${state.replace('_', ' ')}${this.workspace.lastError ? `: ${this.workspace.lastError}` : ''}.`, action: 'refresh' };
      this.post({ type: 'loading', source: 'tree', message: error.message });
      if (state !== 'indexing' && state !== 'idle') this.post({ type: 'error', source: 'tree', error });
      return;
    }
    const view = moduleGraphView(moduleGraphOf(index), this.workspace.root ?? index.root);
    this.post({ type: 'graph', view, at: timeNow() });
  }

  private async loadLive(signal: AbortSignal, quiet: boolean): Promise<void> {
    if (!vscode.workspace.isTrusted) {
      this.post({
        type: 'error',
        source: 'live',
        error: { code: 'untrusted', title: 'Restricted Mode', message: 'Connecting to an SPDK target is off until you trust this workspace: its settings choose the RPC address, and a target answers with whatever it holds.', action: 'manageTrust' },
      });
      return;
    }
    const address = this.config.rpcAddress;
    if (!quiet) this.post({ type: 'loading', source: 'live', message: `Asking ${address}…` });
    const client = new SpdkRpcClient(address, { timeoutMs: LIVE_TIMEOUT_MS });
    try {
      const [bundle, runtime] = await Promise.all([gatherLiveBundle(client, { signal }), gatherRuntimeBundle(client, { signal })]);
      if (signal.aborted) return;
      const index = this.workspace.ready;
      const modules = index ? index.bdevModules() : [];
      this.post({ type: 'graph', view: instanceGraphView(buildLiveGraph(bundle), modules), at: timeNow() });
      const model = buildRuntimeModel(runtime);
      this.post({ type: 'runtime', view: runtimeView(model, (name) => index?.functionsNamed(name) ?? [], index ? pollerNameRegistrations(index.model) : []), at: timeNow() });
    } finally {
      client.close();
    }
  }

  private async loadConfig(): Promise<void> {
    const uri = this.configUri;
    if (!uri) {
      this.post({ type: 'error', source: 'config', error: { code: 'no_config', title: 'No config chosen', message: 'Choose a JSON file written by rpc.py save_config (or given to spdk_tgt --json).', action: 'pickConfig' } });
      return;
    }
    this.post({ type: 'loading', source: 'config', message: `Reading ${uri.fsPath}…` });
    let bytes: Uint8Array;
    try {
      bytes = await vscode.workspace.fs.readFile(uri);
    } catch (error) {
      this.post({ type: 'error', source: 'config', error: { code: 'unreadable', title: 'Cannot read the config', message: `${uri.fsPath}: ${(error as Error).message}`, action: 'pickConfig' } });
      return;
    }
    // An open editor's unsaved text wins over the file on disk.
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    const text = open ? open.getText() : new TextDecoder().decode(bytes);
    const graph = buildConfigGraph(parseSpdkConfig(text, uri.fsPath), uri.fsPath);
    const index = this.workspace.ready;
    this.post({ type: 'graph', view: instanceGraphView(graph, index ? index.bdevModules() : []), at: timeNow() });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.loading?.abort();
    clearInterval(this.timer);
    clearTimeout(this.treeReload);
    for (const d of this.disposables) d.dispose();
    this.panel.dispose();
    this.onDispose();
  }
}

async function pickConfigFile(current: vscode.Uri | undefined): Promise<vscode.Uri | undefined> {
  const picked = await vscode.window.showOpenDialog({
    canSelectMany: false,
    defaultUri: current ?? vscode.workspace.workspaceFolders?.[0]?.uri,
    filters: { 'SPDK config (JSON)': ['json'], 'All files': ['*'] },
    openLabel: 'Show Bdev Graph',
    title: 'A config written by rpc.py save_config',
  });
  return picked?.[0];
}

/** What the command table (commands.ts) and the settings listener (extension.ts) reach the graph panel by. */
export interface BdevGraphCommands {
  disposables: vscode.Disposable[];
  show(): void;
  /** The graph of a saved config: `uri`, else the active .json editor, else one the user picks. */
  showConfig(uri?: unknown): Promise<void>;
  configChanged(previous: LensConfig): void;
}

/** The panel (one at a time) and its serializer. */
export function registerBdevGraph(context: vscode.ExtensionContext, workspace: WorkspaceIndex, config: LensConfig, log: vscode.LogOutputChannel): BdevGraphCommands {
  let current: BdevGraphPanel | undefined;
  const adopt = (panel: vscode.WebviewPanel, state: Partial<GraphViewState> | undefined): BdevGraphPanel => {
    current?.dispose();
    const created = new BdevGraphPanel(panel, context, workspace, config, log, () => {
      if (current === created) current = undefined;
    }, state);
    current = created;
    return created;
  };
  const open = (): BdevGraphPanel => {
    if (current) {
      current.reveal();
      return current;
    }
    const panel = vscode.window.createWebviewPanel(VIEW_TYPE, 'SPDK Bdev Graph', vscode.ViewColumn.Active, graphWebviewOptions(context));
    return adopt(panel, undefined);
  };
  return {
    show: () => void open(),
    showConfig: async (uri?: unknown) => {
      const editor = vscode.window.activeTextEditor?.document;
      const target = uri instanceof vscode.Uri ? uri : editor && /\.json$/i.test(editor.uri.path) ? editor.uri : await pickConfigFile(undefined);
      if (!target) return;
      await open().showConfig(target);
    },
    configChanged: (previous) => current?.configChanged(previous),
    disposables: [
      vscode.window.registerWebviewPanelSerializer(VIEW_TYPE, {
        deserializeWebviewPanel: async (panel, state: unknown) => {
          adopt(panel, typeof state === 'object' && state !== null ? (state as Partial<GraphViewState>) : undefined);
        },
      }),
      { dispose: () => current?.dispose() },
    ],
  };
}
