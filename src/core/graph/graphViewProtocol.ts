// The bdev graph webview's data and messages: the module, live and config graphs in one node/edge shape with links
// to source and book, the runtime tree with each poller's function, errors worded for the panel, and the messages
// between host and webview. Types and small pure helpers that import only types (nothing with Node or DOM), so
// webview/graph compiles against it and its bundle can take the helpers.
import type { BookTopic } from '../knowledge/contextKinds';
import type { JsonValue } from './instanceGraphTypes';
import type { RuntimeModel, RuntimePoller, RuntimeThread } from './runtimeModel';

export type GraphSourceKind = 'tree' | 'live' | 'config';

/** A place in the SPDK tree: root-relative file, 1-based line, and what is there. */
export interface SourceLink {
  label: string;
  file: string;
  line: number;
}

export interface GraphViewNode {
  id: string;
  /** SPDK's own name (bdev name, NQN, module name). */
  name: string;
  /** What the box shows in bold: the name, or an lvol's lvs/lvol alias (its name is a UUID). */
  label: string;
  kind: string;
  module: string;
  aliases: string[];
  /** A second line under the name: lvol alias, leaf/virtual, state. */
  subtitle: string;
  missing?: boolean;
  details: { [key: string]: JsonValue };
  links: SourceLink[];
  topic?: BookTopic;
}

export interface GraphViewEdge {
  from: string;
  to: string;
  kind: string;
  evidence: string;
}

export interface GraphView {
  source: GraphSourceKind;
  origin: string;
  nodes: GraphViewNode[];
  edges: GraphViewEdge[];
  skipped: { method: string; reason: string }[];
  problems: string[];
}

export interface RuntimePollerView extends RuntimePoller {
  /** The poller's function in the index (by its name, or through the registration that named it). */
  source?: SourceLink;
  /** The spdk_poller_register_named call that gave the poller a name other than its function's. */
  registeredAs?: SourceLink;
  /** Why no function was found (no name given, so SPDK printed an address; or not in the indexed tree). */
  unresolved?: string;
  /** What the index says the function runs as: `poller`, `thread message`, ... */
  contextTitle?: string;
  topic?: BookTopic;
  /** "poller · runs on app_thread, 12 345 runs, busy 3 %" */
  summary: string;
}

export interface RuntimeThreadView extends Omit<RuntimeThread, 'pollers'> {
  pollers: RuntimePollerView[];
}

export interface RuntimeView extends Omit<RuntimeModel, 'threads'> {
  threads: RuntimeThreadView[];
}

export interface GraphPanelError {
  /** SpdkRpcError / SpdkConfigError code, or `no_index`, `untrusted`, `unreadable`, ... */
  code: string;
  title: string;
  message: string;
  /** What to do about it. */
  hint?: string;
  /** A button the panel offers for it. */
  action?: 'openSettings' | 'pickConfig' | 'manageTrust' | 'refresh';
}

export interface GraphPanelSettings {
  trusted: boolean;
  address: string;
  refreshSeconds: number;
  configPath?: string;
}

export type HostToGraphView =
  | { type: 'settings'; settings: GraphPanelSettings; source: GraphSourceKind }
  | { type: 'loading'; source: GraphSourceKind; message: string }
  | { type: 'graph'; view: GraphView; at: string }
  | { type: 'runtime'; view: RuntimeView | undefined; at: string }
  | { type: 'error'; source: GraphSourceKind; error: GraphPanelError };

export type GraphViewToHost =
  | { type: 'ready' }
  | { type: 'selectSource'; source: GraphSourceKind }
  | { type: 'refresh' }
  | { type: 'pickConfig' }
  | { type: 'openSettings' }
  | { type: 'manageTrust' }
  | { type: 'openSource'; file: string; line: number }
  | { type: 'openTopic'; topic: BookTopic }
  | { type: 'exportSvg'; svg: string; suggestedName: string };

/** What the webview keeps with getState/setState (and the serializer hands back after a reload). */
export interface GraphViewState {
  source: GraphSourceKind;
  tab: 'graph' | 'runtime';
  filter: string;
  selected?: string;
  configPath?: string;
}

export function isGraphSourceKind(value: unknown): value is GraphSourceKind {
  return value === 'tree' || value === 'live' || value === 'config';
}

/** A busy share as the panel words it: whole percent from 10 up, one decimal below ("3.4 %", "0 %", "72 %"). */
export function formatPercent(value: number): string {
  return value >= 10 || value === 0 ? `${Math.round(value)} %` : `${Math.round(value * 10) / 10} %`;
}
